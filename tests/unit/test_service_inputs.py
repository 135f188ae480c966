"""service.inputs and service.listing: conflicts refused, UK-date filters, cursors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.errors import BadInput
from service.inputs import check_case, check_event
from service.listing import CaseFilter, decode_cursor, due_limit, encode_cursor, visibility_query

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


@pytest.mark.parametrize(
    ("today", "days", "limit"),
    [
        # GMT: the day after today + N starts at midnight UTC
        (date(2026, 11, 30), 0, datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        (date(2026, 11, 30), 2, datetime(2026, 12, 3, 0, 0, tzinfo=UTC)),
        # BST: midnight London is 23:00 UTC the day before
        (date(2026, 6, 1), 0, datetime(2026, 6, 1, 23, 0, tzinfo=UTC)),
        # across the October change: today + 1 is the first GMT day
        (date(2026, 10, 24), 1, datetime(2026, 10, 26, 0, 0, tzinfo=UTC)),
    ],
)
def test_due_within_is_a_uk_date_bound(today: date, days: int, limit: datetime):
    """Fault 2: "due within N days" = due date <= today + N (London dates), whatever the hour."""
    assert due_limit(today, days) == limit
    # any instant on the last allowed day is in, the first of the next day is out
    assert "EhcpNextDeadline < '" + limit.strftime("%Y-%m-%dT%H:%M:%SZ") + "'" in (
        visibility_query(CaseFilter(due_within=days), today)
    )


def test_due_today_at_five_is_within_zero_days_at_any_hour_before():
    """The attribute is 17:00 London on the due date: included for due_within=0 all day."""
    from ehcp.uktime import london_to_utc

    due_instant = london_to_utc(TODAY, 17)
    assert due_instant < due_limit(TODAY, 0)
    tomorrow = london_to_utc(date(2026, 12, 1), 17)
    assert not tomorrow < due_limit(TODAY, 0)


def test_filters_become_one_query():
    query = visibility_query(
        CaseFilter(overdue=True, stage="appeal", decision_type="plan_content", council="rutland"),
        TODAY,
    )
    assert query == (
        "WorkflowType = 'DisagreementWorkflow' AND EhcpOverdue = true AND EhcpStage = 'appeal' "
        "AND EhcpDecisionType = 'plan_content' AND EhcpCouncil = 'rutland'"
    )


def test_a_cursor_continues_only_its_own_list():
    query = visibility_query(CaseFilter(stage="appeal"), TODAY)
    cursor = encode_cursor(query, b"\x00token\xff")
    assert decode_cursor(cursor, query) == b"\x00token\xff"
    with pytest.raises(BadInput, match="other filters"):
        decode_cursor(cursor, visibility_query(CaseFilter(), TODAY))
    for garbage in ("", "!!", "e30", cursor[:-3]):
        with pytest.raises(BadInput):
            decode_cursor(garbage, query)
