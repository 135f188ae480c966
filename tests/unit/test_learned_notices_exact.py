"""Notices timed from when the case learned of a deadline, at exact instants (issue 19):
the first-slot boundary, a duty that is no longer missed, and the escalation count when a
number has both a sent record and a failure record (ehcp/notices.py, `learned=True`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ehcp.case_state import DeliveryFailure, refresh_statuses
from ehcp.notices import due_notices, first_slot_after, next_wakeup
from ehcp.uktime import london_to_utc
from ehcp.vocabulary import DeadlineStatus
from tests.unit.casebuilder import CaseBuilder, ev, make_case


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_first_slot_after_a_reminder_time_itself_is_the_next_days() -> None:
    # Reminders at 09:00 London (GMT in November): "strictly after" 09:00 is tomorrow 09:00.
    b = CaseBuilder()
    assert first_slot_after(b.state, utc(2026, 11, 27, 9), working=False) == utc(2026, 11, 28, 9)
    before = utc(2026, 11, 27, 8, 59, 59)
    assert first_slot_after(b.state, before, working=False) == utc(2026, 11, 27, 9)
    # Friday 09:00 on working days: Monday 09:00
    assert first_slot_after(b.state, utc(2026, 11, 27, 9), working=True) == utc(2026, 11, 30, 9)


def _icb_notice_missed() -> tuple[CaseBuilder, datetime]:
    """A case learned Mon 6 Jul 2026 08:00 BST whose ICB mediation notice is already missed;
    returns it with the first escalation's time (the first working-day reminder time)."""
    typing = london_to_utc(date(2026, 7, 6), 8)
    b = CaseBuilder(make_case(decision_date=date(2026, 6, 1)), created=typing)
    b.record(ev("mediation_requested", date(2026, 6, 10), health_included=True), now=typing)
    b.state.deadlines = {"icb_mediation_notice": b.state.deadlines["icb_mediation_notice"]}
    refresh_statuses(b.state, date(2026, 7, 6))
    assert b.status("icb_mediation_notice") == "missed"
    return b, first_slot_after(b.state, typing, working=True)


def test_a_duty_no_longer_missed_is_not_chased_when_timed_from_learning() -> None:
    b, at = _icb_notice_missed()
    b.state.deadlines["icb_mediation_notice"].status = DeadlineStatus.met
    assert due_notices(b.state, at + timedelta(days=14), learned=True) == []
    assert next_wakeup(b.state, at - timedelta(hours=1), learned=True) is None


def test_the_next_escalation_counts_a_week_from_the_latest_record_of_the_last_one() -> None:
    # Escalation 1 recorded as sent on Wed 8 Jul, and also (listed after it) as failed for one
    # recipient on Mon 6 Jul: the week runs from the later record, so number 2 is Wed 15 Jul.
    b, at = _icb_notice_missed()
    first = due_notices(b.state, at, learned=True)
    assert {n.escalation for n in first if n.escalation} == {1}
    b.send(first, at + timedelta(days=2))
    n = first[0]
    b.state.delivery_failures.append(
        DeliveryFailure(
            key=n.key,
            deadline_key="icb_mediation_notice",
            kind=n.kind,
            role=n.role,
            failed_at=at,
            reason="refused",
        )
    )
    assert next_wakeup(b.state, at + timedelta(days=2), learned=True) == at + timedelta(days=9)
    assert due_notices(b.state, at + timedelta(days=7), learned=True) == []
    week = due_notices(b.state, at + timedelta(days=9), learned=True)
    assert {n.escalation for n in week if n.escalation} == {2}
