"""Notices timed from when the case learned of a deadline (issue 10, fault 5; the
workflow's `notices-after-learned` patch): no false "missed" emails while a back office types
in a case's history; escalations numbered by how many were sent; a reminder whose time had
passed when the case started still goes, at the next reminder time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ehcp.case_state import DeliveryFailure, refresh_statuses
from ehcp.notices import NoticeKind, due_notices, first_slot_after, next_wakeup
from ehcp.uktime import london_date, london_to_utc
from tests.unit.casebuilder import CaseBuilder, ev, make_case


def _wake(b: CaseBuilder, now: datetime, *, learned: bool = True):
    refresh_statuses(b.state, london_date(now))
    due = due_notices(b.state, now, learned=learned)
    b.send(due, now)
    return due


def _typed_in_history(learned: bool):
    """A case decided on 1 June 2026, its history typed in on Tuesday 30 June at 14:00."""
    typing = london_to_utc(date(2026, 6, 30), 14)
    b = CaseBuilder(make_case(decision_date=date(2026, 6, 1)), created=typing)
    sent = _wake(b, typing, learned=learned)
    b.record(ev("mediation_requested", date(2026, 6, 10), health_included=True), now=typing)
    sent += _wake(b, typing + timedelta(seconds=2), learned=learned)
    met = ev("obligation_met", date(2026, 6, 15), deadline_key="icb_mediation_notice")
    b.record(met, now=typing + timedelta(seconds=4))
    sent += _wake(b, typing + timedelta(seconds=5), learned=learned)
    return b, sent


def test_entering_history_sends_no_missed_emails_for_duties_done_on_time() -> None:
    b, sent = _typed_in_history(learned=True)
    assert [n.key for n in sent if n.kind != NoticeKind.reminder] == []
    assert b.state.deadlines["icb_mediation_notice"].status == "met"
    # the old timing sent an escalation and a "missed" email to the parent at once
    _, old = _typed_in_history(learned=False)
    assert {n.kind for n in old} >= {NoticeKind.escalation, NoticeKind.late_notice}


def test_a_missed_duty_escalates_at_the_next_working_day_reminder_time_numbered_from_1() -> None:
    typing = london_to_utc(date(2026, 7, 3), 14)  # a Friday afternoon
    b = CaseBuilder(make_case(decision_date=date(2026, 6, 1)), created=typing)
    b.record(ev("mediation_requested", date(2026, 6, 10), health_included=True), now=typing)
    wake = first_slot_after(b.state, typing, working=True)
    assert london_date(wake) == date(2026, 7, 6)  # Monday, not the weekend
    now, before = typing + timedelta(seconds=1), []
    while now < wake:  # the weekend's wake-ups (reminders of other deadlines) escalate nothing
        before += _wake(b, now)
        now = next_wakeup(b.state, now, learned=True)
    assert now == wake
    assert [n for n in before if n.kind != NoticeKind.reminder] == []
    first = _wake(b, wake)
    escalations = [
        n
        for n in first
        if n.kind == NoticeKind.escalation and n.deadline.key == "icb_mediation_notice"
    ]
    assert {n.escalation for n in escalations} == {1}
    assert any(n.kind == NoticeKind.late_notice for n in first)
    assert all("/escalation/1/" in n.key for n in escalations), (
        "the key carries the number actually sent"
    )
    # after an outage of three weeks the next one is number 2, not a count of weeks
    later = wake + timedelta(days=21)
    second = [
        n
        for n in _wake(b, later)
        if n.kind == NoticeKind.escalation and n.deadline.key == "icb_mediation_notice"
    ]
    assert {n.escalation for n in second} == {2}
    b.state.deadlines = {"icb_mediation_notice": b.state.deadlines["icb_mediation_notice"]}
    assert next_wakeup(b.state, later, learned=True) == later + timedelta(days=7)


def test_a_reminder_whose_time_had_passed_at_the_start_goes_at_the_next_reminder_time() -> None:
    b0 = CaseBuilder(make_case(decision_date=date(2026, 10, 1)))
    due = b0.state.deadlines["appeal"].due
    started = london_to_utc(due - timedelta(days=2), 9, 40)  # after that day's 9am slot
    b = CaseBuilder(make_case(decision_date=date(2026, 10, 1)), created=started)
    assert [n for n in _wake(b, started) if n.deadline.key == "appeal"] == []
    next_slot = london_to_utc(due - timedelta(days=1), 9)
    assert next_wakeup(b.state, started, learned=True) == next_slot
    reminders = [n for n in _wake(b, next_slot) if n.deadline.key == "appeal"]
    assert reminders and all(n.kind == NoticeKind.reminder for n in reminders)
    assert all("/reminder/2/" in n.key for n in reminders)
    assert {n.days_before for n in reminders} == {1}  # "tomorrow", as it now is
    # then the due-day reminder as planned, and nothing twice
    on_the_day = [n for n in _wake(b, london_to_utc(due, 9)) if n.deadline.key == "appeal"]
    assert all("/reminder/0/" in n.key for n in on_the_day) and on_the_day
    # the old timing said nothing until the due day
    old = CaseBuilder(make_case(decision_date=date(2026, 10, 1)), created=started)
    assert [n for n in _wake(old, next_slot, learned=False) if n.deadline.key == "appeal"] == []


def test_an_escalation_that_failed_for_good_counts_as_sent() -> None:
    typing = london_to_utc(date(2026, 7, 6), 8)
    b = CaseBuilder(make_case(decision_date=date(2026, 6, 1)), created=typing)
    b.record(ev("mediation_requested", date(2026, 6, 10), health_included=True), now=typing)
    b.state.deadlines = {"icb_mediation_notice": b.state.deadlines["icb_mediation_notice"]}
    refresh_statuses(b.state, date(2026, 7, 6))
    at = first_slot_after(b.state, typing, working=True)
    first = due_notices(b.state, at, learned=True)
    for n in first:
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
    assert due_notices(b.state, at + timedelta(days=1), learned=True) == []
    week = due_notices(b.state, at + timedelta(days=7), learned=True)
    assert {n.escalation for n in week if n.escalation} == {2}
