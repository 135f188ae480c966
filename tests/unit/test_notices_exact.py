"""Who is told what and when, asserted whole (ehcp/notices.py; issue 19).

Complements test_notices.py: each test pins a value a mutation run showed unguarded (the
reminder policy's defaults, who hears that an alert itself failed, the "day has ended"
wake-up).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from ehcp.case_state import DeliveryFailure, ReminderPolicy
from ehcp.models import Contact
from ehcp.notices import (
    NoticeKind,
    Notification,
    Role,
    due_notices,
    failure_alerts,
    next_wakeup,
    slot_seconds,
)
from ehcp.vocabulary import DecisionType
from tests.unit.casebuilder import CASE_REF, CASEWORKER, MANAGER, CaseBuilder, make_case

FAILED_AT = datetime(2026, 10, 3, 9, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ----- the reminder policy


def test_reminder_policy_defaults() -> None:
    policy = ReminderPolicy(send_manager=MANAGER)
    assert (policy.at, policy.offsets, policy.spread_s) == (time(9, 0), [14, 7, 2, 0], 0)


@pytest.mark.parametrize("spread_s", [0, 3600])
def test_the_spread_may_be_up_to_an_hour(spread_s: int) -> None:
    assert ReminderPolicy(send_manager=MANAGER, spread_s=spread_s).spread_s == spread_s


@pytest.mark.parametrize("spread_s", [-1, 3601])
def test_a_spread_outside_an_hour_is_refused(spread_s: int) -> None:
    with pytest.raises(ValidationError) as raised:
        ReminderPolicy(send_manager=MANAGER, spread_s=spread_s)
    assert [e["loc"] for e in raised.value.errors()] == [("spread_s",)]


# ----- delivery failures


def failure(kind: str, role: str) -> DeliveryFailure:
    return DeliveryFailure(
        key=f"{CASE_REF}/appeal@2026-12-01/{kind}/{role}",
        deadline_key="appeal",
        kind=kind,
        role=role,
        failed_at=FAILED_AT,
        status_code=400,
        reason="The to email does not contain a valid address.",
    )


def alert(failed: DeliveryFailure, role: Role, to: Contact) -> Notification:
    return Notification(
        key=f"{failed.key}/delivery_failure/{role}",
        kind=NoticeKind.delivery_failure,
        role=role,
        to=to,
        case_ref=CASE_REF,
        council="rutland",
        decision_type=DecisionType.plan_content,
        fallback=True,
        failure=failed,
    )


@pytest.mark.parametrize("role", ["caseworker", "send_manager", "parent"])
def test_a_failed_reminder_alerts_the_caseworker_and_the_send_manager(role: str) -> None:
    failed = failure("reminder", role)
    assert failure_alerts(CaseBuilder().state, failed) == [
        alert(failed, Role.caseworker, CASEWORKER),
        alert(failed, Role.send_manager, MANAGER),
    ]


def test_a_failed_alert_to_the_caseworker_goes_to_the_send_manager_only() -> None:
    failed = failure("delivery_failure", "caseworker")
    assert failure_alerts(CaseBuilder().state, failed) == [
        alert(failed, Role.send_manager, MANAGER)
    ]


def test_a_failed_alert_to_the_send_manager_goes_to_the_caseworker_only() -> None:
    failed = failure("delivery_failure", "send_manager")
    assert failure_alerts(CaseBuilder().state, failed) == [
        alert(failed, Role.caseworker, CASEWORKER)
    ]


def test_the_cases_own_send_manager_is_alerted_instead_of_the_configured_one() -> None:
    own = Contact(name="Olu Own", email="olu.own@rutland.gov.uk")
    failed = failure("reminder", "parent")
    alerts = failure_alerts(CaseBuilder(make_case(send_manager=own)).state, failed)
    assert [(n.role, n.to) for n in alerts] == [
        (Role.caseworker, CASEWORKER),
        (Role.send_manager, own),
    ]


# ----- waking up


def test_a_pending_deadline_wakes_the_case_at_the_start_of_the_next_london_day() -> None:
    # Decision Thu 1 Oct 2026: both parent clocks end Tue 1 Dec 2026 (GMT); the last reminder
    # is at 09:00 that day, then the case wakes at 00:00 on Wed 2 Dec to mark them missed.
    b = CaseBuilder()
    assert next_wakeup(b.state, utc(2026, 12, 1, 9)) == utc(2026, 12, 2, 0)
    assert next_wakeup(b.state, utc(2026, 12, 1, 23, 59)) == utc(2026, 12, 2, 0)


def test_the_day_has_ended_wake_up_keeps_the_cases_slot() -> None:
    # crc32 puts RUT-2026-0042 867 seconds (14 min 27 s) into a one-hour spread
    b = CaseBuilder(policy=ReminderPolicy(send_manager=MANAGER, spread_s=3600))
    assert slot_seconds(CASE_REF, 3600) == 867
    slot = timedelta(seconds=867)
    assert next_wakeup(b.state, utc(2026, 11, 30, 12)) == utc(2026, 12, 1, 9) + slot
    assert next_wakeup(b.state, utc(2026, 12, 1, 9) + slot) == utc(2026, 12, 2, 0) + slot


def test_the_policy_time_keeps_its_minutes_and_seconds() -> None:
    b = CaseBuilder(policy=ReminderPolicy(send_manager=MANAGER, at=time(8, 45, 30)))
    # 14 days before Tue 1 Dec 2026 (GMT): Tue 17 Nov at 08:45:30 London = UTC
    assert next_wakeup(b.state, utc(2026, 11, 10)) == utc(2026, 11, 17, 8, 45, 30)


def test_a_reminder_at_the_very_moment_the_deadline_was_created_is_sent() -> None:
    b = CaseBuilder(created=utc(2026, 11, 17, 9))  # the 14-day reminder's own moment
    sent = due_notices(b.state, utc(2026, 11, 17, 9))
    assert sorted((n.deadline.key, n.days_before, n.role) for n in sent if n.deadline) == [
        ("appeal", 14, Role.parent),
        ("mediation_contact", 14, Role.parent),
    ]


def test_at_the_end_of_the_last_day_nothing_is_left_to_wake_for() -> None:
    # 00:00 on Wed 2 Dec 2026 is the moment both parent clocks become missed: that moment is
    # now, not a future wake-up, and parent deadlines do not escalate.
    assert next_wakeup(CaseBuilder().state, utc(2026, 12, 2, 0)) is None


def test_each_kind_carries_only_its_own_detail() -> None:
    b = CaseBuilder()
    b.add("mediation_adviser_contacted", date(2026, 10, 2))
    b.add("mediation_certificate_issued", date(2026, 10, 3), certificate_kind="information_only")
    b.add("appeal_registered", date(2026, 10, 20), tribunal_ref="EH123/26/00042")
    b.refresh(date(2026, 12, 9))  # the response (due Tue 1 Dec) is missed
    due = due_notices(b.state, utc(2026, 12, 9, 9))
    assert sorted((n.kind, n.role, n.days_before, n.escalation, n.closed_reason) for n in due) == [
        (NoticeKind.escalation, Role.caseworker, None, 2, None),
        (NoticeKind.escalation, Role.send_manager, None, 2, None),
        (NoticeKind.late_notice, Role.parent, None, None, None),
    ]
    reminders = due_notices(CaseBuilder().state, utc(2026, 11, 29, 9))  # 2 days before
    assert {(n.kind, n.days_before, n.escalation, n.closed_reason) for n in reminders} == {
        (NoticeKind.reminder, 2, None, None)
    }


def test_a_council_deadline_without_an_escalation_date_is_never_chased() -> None:
    # escalate_from is what dates the escalations; without it (a deadline recorded before it
    # was set) the missed duty stays on record but nobody is chased and nothing crashes.
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    b.state.deadlines["mediation_session"].escalate_from = None
    b.refresh(date(2026, 11, 20))
    assert b.status("mediation_session") == "missed"
    assert [n for n in due_notices(b.state, utc(2026, 11, 20, 9)) if n.kind != "reminder"] == []


def test_the_day_has_ended_wake_up_keeps_the_cases_slot_when_timed_from_learning() -> None:
    # The same case timed from when it learned of each deadline (NOTICES_AFTER_LEARNED):
    # the wake-up at the end of the last day still carries the case's 867-second slot.
    b = CaseBuilder(policy=ReminderPolicy(send_manager=MANAGER, spread_s=3600))
    slot = timedelta(seconds=867)
    assert next_wakeup(b.state, utc(2026, 11, 30, 12), learned=True) == utc(2026, 12, 1, 9) + slot
    after = utc(2026, 12, 1, 9) + slot
    assert next_wakeup(b.state, after, learned=True) == utc(2026, 12, 2, 0) + slot


# ----- a reminder whose time had passed when the case learned of the deadline (issue 10)
# Both parent deadlines are due Tue 1 Dec 2026; reminders go at 09:00 London (GMT) 14, 7, 2
# and 0 days before: Tue 17 Nov, Tue 24 Nov, Sun 29 Nov, Tue 1 Dec.


def test_a_catch_up_reminder_goes_at_the_next_reminder_time_even_on_a_saturday() -> None:
    # Learned Fri 27 Nov 10:00: the 7-day reminder is caught up at Sat 28 Nov 09:00, not Monday.
    b = CaseBuilder(created=utc(2026, 11, 27, 10))
    assert next_wakeup(b.state, utc(2026, 11, 27, 10), learned=True) == utc(2026, 11, 28, 9)


def test_no_catch_up_when_a_planned_reminder_falls_at_the_same_moment() -> None:
    # Learned Sat 28 Nov 10:00: the next reminder time is the 2-day reminder's own, which goes.
    b = CaseBuilder(created=utc(2026, 11, 28, 10))
    sent = due_notices(b.state, utc(2026, 11, 29, 9), learned=True)
    assert sorted((n.key, n.days_before) for n in sent) == [
        (f"{CASE_REF}/appeal@2026-12-01/reminder/2/parent", 2),
        (f"{CASE_REF}/mediation_contact@2026-12-01/reminder/2/parent", 2),
    ]


def test_a_catch_up_reminder_on_the_due_day_itself_still_goes() -> None:
    # Reminders 14 and 7 days before only; learned Mon 30 Nov 10:00: caught up Tue 1 Dec 09:00.
    b = CaseBuilder(
        created=utc(2026, 11, 30, 10), policy=ReminderPolicy(send_manager=MANAGER, offsets=[14, 7])
    )
    assert next_wakeup(b.state, utc(2026, 11, 30, 10), learned=True) == utc(2026, 12, 1, 9)
    sent = due_notices(b.state, utc(2026, 12, 1, 9), learned=True)
    assert sorted((n.key, n.days_before) for n in sent) == [
        (f"{CASE_REF}/appeal@2026-12-01/reminder/7/parent", 0),
        (f"{CASE_REF}/mediation_contact@2026-12-01/reminder/7/parent", 0),
    ]
