"""What counts as a duplicate event is said precisely where users read it: a fresh user read
"same kind and fields" and was refused an event that differed only in its notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ehcp.case_state import NOT_COMPARED, EventRejected
from ehcp.models import parse_event
from tests.unit.casebuilder import CaseBuilder, make_case

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("doc", ["README.md", "docs/api.md"])
def test_the_docs_name_the_fields_a_duplicate_may_differ_in(doc: str) -> None:
    text = " ".join((ROOT / doc).read_text().split())  # one line: wrapping aside
    named = " and ".join(f"`{field}`" for field in sorted(NOT_COMPARED))
    assert named in text, f"{doc} must say that duplicates do not compare {named}"


def test_events_differing_only_in_notes_or_recorder_are_duplicates() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    first = {"kind": "mediation_adviser_contacted", "date": "2026-10-02", "notes": "by phone"}
    b.record(parse_event(first))
    again = parse_event({**first, "notes": "by email", "recorded_by": "CMS"})
    with pytest.raises(EventRejected, match="already recorded as event"):
        b.check(again, date(2026, 10, 3))
