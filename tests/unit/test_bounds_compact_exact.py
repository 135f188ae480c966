"""Escalation records compacted to the latest KEEP_ESCALATIONS of each deadline and due date,
whatever order they were recorded in (ehcp/bounds.py `compact_notices`; issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime

from ehcp.bounds import KEEP_ESCALATIONS, compact_notices
from ehcp.case_state import NoticeRecord
from tests.unit.casebuilder import CaseBuilder

AT = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _record(key: str, kind: str = "escalation") -> NoticeRecord:
    return NoticeRecord(
        key=key, deadline_key="appeal_response", kind=kind, role="caseworker", sent_at=AT,
        transport="outbox",
    )  # fmt: skip


def test_the_latest_six_are_kept_when_recorded_newest_first() -> None:
    b = CaseBuilder()
    base = f"{b.state.case.case_ref}/appeal_response@2026-11-12/escalation"
    b.state.notices = [_record(f"{base}/{n}/caseworker") for n in range(10, 0, -1)]
    compact_notices(b.state)
    assert KEEP_ESCALATIONS == 6
    assert [r.key for r in b.state.notices] == [f"{base}/{n}/caseworker" for n in range(10, 4, -1)]


def test_the_latest_in_the_middle_of_the_records_sets_what_is_kept() -> None:
    b = CaseBuilder()
    base = f"{b.state.case.case_ref}/appeal_response@2026-11-12/escalation"
    order = [3, 9, 1, 2, 8, 4, 7, 5, 6]
    b.state.notices = [_record(f"{base}/{n}/caseworker") for n in order]
    compact_notices(b.state)
    assert [r.key for r in b.state.notices] == [
        f"{base}/{n}/caseworker" for n in [9, 8, 4, 7, 5, 6]
    ]


def test_each_deadline_and_due_date_keeps_its_own_latest_six_and_reminders_stay() -> None:
    b = CaseBuilder()
    ref = b.state.case.case_ref
    one = f"{ref}/appeal_response@2026-11-12/escalation"
    two = f"{ref}/appeal_response@2026-11-19/escalation"
    reminder = _record(f"{ref}/appeal@2026-12-01/reminder/7/parent", kind="reminder")
    b.state.notices = [
        reminder,
        *(_record(f"{one}/{n}/caseworker") for n in range(1, 9)),
        *(_record(f"{two}/{n}/caseworker") for n in range(1, 4)),
    ]
    compact_notices(b.state)
    assert [r.key for r in b.state.notices] == [
        reminder.key,
        *(f"{one}/{n}/caseworker" for n in range(3, 9)),
        *(f"{two}/{n}/caseworker" for n in range(1, 4)),
    ]


def test_a_key_that_is_not_an_escalations_is_kept_and_not_counted() -> None:
    # notice_key always writes "<deadline>@<due>/escalation/<number>/<role>"; a record whose
    # key does not read so is never dropped (nothing is lost on a key the code cannot read).
    b = CaseBuilder()
    base = f"{b.state.case.case_ref}/appeal_response@2026-11-12/escalation"
    odd = [_record(f"{base}/x/caseworker"), _record(f"{base}/7"), _record(f"{base}/7/a/b")]
    numbered = [_record(f"{base}/{n}/caseworker") for n in range(1, 8)]
    b.state.notices = [*odd, *numbered]
    compact_notices(b.state)
    assert [r.key for r in b.state.notices] == [r.key for r in [*odd, *numbered[1:]]]
    b.state.notices = odd
    compact_notices(b.state)
    assert [r.key for r in b.state.notices] == [r.key for r in odd]
