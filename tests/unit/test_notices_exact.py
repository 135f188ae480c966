"""Who is told what and when, asserted whole (ehcp/notices.py; issue 19).

Complements test_notices.py: each test pins a value a mutation run showed unguarded (the
reminder policy's defaults, who hears that an alert itself failed, the "day has ended"
wake-up).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from ehcp.case_state import DeliveryFailure, ReminderPolicy
from ehcp.models import Contact
from ehcp.notices import (
    NoticeKind,
    Notification,
    Role,
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
