"""service.inputs and service.listing: conflicts refused, UK-date filters, cursors."""

from __future__ import annotations

from datetime import date

import pytest

from service.errors import BadInput
from service.inputs import check_case, check_event
from service.listing import CaseFilter, decode_cursor, encode_cursor, list_tag, record_filter

TODAY = date(2026, 11, 30)
CASE = {
    "case_ref": "RUT-2026-0042",
    "decision_type": "plan_content",
    "decision_date": "2026-11-20",
    "parent": {"name": "Sam Parent", "email": "sam@example.org"},
    "caseworker": {"name": "Alex", "email": "alex@rutland.gov.uk"},
}


def test_kind_said_twice_must_agree():
    """Fault 3: KIND and the JSON's kind differ -> refused, never a silent choice."""
    data = {"kind": "mediation_declined", "date": "2026-11-21"}
    with pytest.raises(BadInput) as error:
        check_event(data, TODAY, kind="hearing_listed")
    assert error.value.errors[0].pointer == "/kind"
    assert "'mediation_declined' but KIND says 'hearing_listed'" in error.value.message
    assert check_event(data, TODAY, kind="mediation_declined").kind == "mediation_declined"
    assert check_event({"date": "2026-11-21"}, TODAY, kind="mediation_declined").date


def test_recorded_by_comes_from_the_caller():
    data = {"kind": "mediation_declined", "date": "2026-11-21"}
    assert check_event(data, TODAY, recorded_by="CMS import").recorded_by == "CMS import"
    same = {**data, "recorded_by": "CMS import"}
    assert check_event(same, TODAY, recorded_by="CMS import").recorded_by == "CMS import"
    with pytest.raises(BadInput) as error:
        check_event({**data, "recorded_by": "Mallory"}, TODAY, recorded_by="CMS import")
    assert error.value.errors[0].pointer == "/recorded_by"


def test_council_said_twice_must_agree():
    assert check_case(CASE, TODAY, council="leicester").council == "leicester"
    assert check_case({**CASE, "council": "leicester"}, TODAY, council="leicester")
    with pytest.raises(BadInput) as error:
        check_case({**CASE, "council": "rutland"}, TODAY, council="leicester")
    assert error.value.errors[0].pointer == "/council"


def test_pointers_name_the_field_without_the_union_tag():
    with pytest.raises(BadInput) as error:
        check_event({"kind": "mediation_held", "date": "2026-11-21"}, TODAY)
    assert [e.pointer for e in error.value.errors] == ["/outcome"]
    with pytest.raises(BadInput) as error:
        check_case({**CASE, "parent": {"name": "P", "email": "nope"}}, TODAY)
    assert error.value.errors[0].pointer == "/parent/email"


def test_due_within_is_a_uk_date_bound():
    """Fault 2: "due within N days" = due date <= today + N (UK dates), whatever the hour;
    and a case with a missed duty is due now (docs/api.md), whatever its next deadline."""
    made = record_filter(CaseFilter(due_within=2), date(2026, 10, 24))
    assert made.due_by == date(2026, 10, 26)  # across the October change: dates, no hours
    assert made.overdue is None  # not narrowed to overdue cases: the store ORs them in


def test_a_cursor_continues_only_its_own_list():
    tag = list_tag(CaseFilter(stage="appeal"))
    cursor = encode_cursor(tag, b"\x00token\xff")
    assert decode_cursor(cursor, tag) == b"\x00token\xff"
    with pytest.raises(BadInput, match="other filters"):
        decode_cursor(cursor, list_tag(CaseFilter()))
    for garbage in ("", "!!", "e30", cursor[:-3]):
        with pytest.raises(BadInput):
            decode_cursor(garbage, tag)
