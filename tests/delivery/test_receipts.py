"""Delivery reports applied to a case (pure): state per message, duplicates, out-of-order
reports, a hard failure and what clears it, the undelivered-reminder flag, one resend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ehcp.case_state import NoticeRecord
from ehcp.delivery_state import DeliveryReport
from ehcp.models import parse_event
from ehcp.receipts import apply_reports, undelivered_reminders, warnings
from tests.unit.casebuilder import CaseBuilder

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def builder() -> CaseBuilder:
    b = CaseBuilder()
    ref = b.state.case.case_ref
    for key, role in [("appeal@2027-01-05/reminder/2/parent", "parent")]:
        b.state.notices.append(
            NoticeRecord(
                key=f"{ref}/{key}",
                deadline_key="appeal",
                kind="reminder",
                role=role,
                sent_at=T0,
                transport="sendgrid",
            )
        )
    return b


def key(b: CaseBuilder) -> str:
    return b.state.notices[0].key


def report(b: CaseBuilder, status: str, event_id: str, minutes: int = 1, **more) -> DeliveryReport:
    return DeliveryReport(
        provider=more.pop("provider", "sendgrid"),
        event_id=event_id,
        case_ref=b.state.case.case_ref,
        message_key=more.pop("message_key", key(b)),
        status=status,
        occurred_at=T0 + timedelta(minutes=minutes),
        **more,
    )


def test_each_report_moves_the_message_on() -> None:
    b = builder()
    done = apply_reports(
        b.state, [report(b, "processed", "e1"), report(b, "delivered", "e2", 2)], T0
    )
    assert done.receipt.applied == 2 and not done.failures
    assert b.state.notices[0].delivery == "delivered"


def test_a_duplicate_changes_nothing() -> None:
    b = builder()
    apply_reports(b.state, [report(b, "deferred", "e1", reason="mailbox busy")], T0)
    before = b.state.model_dump()
    done = apply_reports(b.state, [report(b, "deferred", "e1", reason="mailbox busy")], T0)
    assert done.receipt.duplicates == 1 and done.receipt.applied == 0
    assert b.state.model_dump() == before


def test_out_of_order_reports_never_move_a_message_back() -> None:
    b = builder()
    done = apply_reports(
        b.state,
        [
            report(b, "delivered", "e3", 5),
            report(b, "deferred", "e2", 3),
            report(b, "processed", "e1"),
        ],
        T0,
    )
    assert b.state.notices[0].delivery == "delivered"
    assert done.receipt.stale == 2


def test_a_bounce_alerts_and_marks_the_parent_not_reached() -> None:
    b = builder()
    bounce = report(b, "bounce", "e9", reason="550 5.1.1 <sam@example.org>: no such user")
    done = apply_reports(b.state, [bounce], T0)
    (failure,) = done.failures
    assert failure.role == "parent" and "bounce" in failure.reason
    assert b.state.notices[0].delivery == "failed"
    assert warnings(b.state) == ["parent not reached: contact them another way (email failed)"]
    # the same bounce again (SendGrid retried the webhook): no second alert
    assert apply_reports(b.state, [bounce], T0).failures == []
    # a spam report after the bounce: already failed, no second alert
    assert apply_reports(b.state, [report(b, "spamreport", "e10", 9)], T0).failures == []


def test_a_later_delivered_message_clears_the_warning() -> None:
    b = builder()
    apply_reports(b.state, [report(b, "bounce", "e9")], T0)
    later = NoticeRecord(
        key=key(b).replace("/2/", "/0/"),
        deadline_key="appeal",
        kind="reminder",
        role="parent",
        sent_at=T0 + timedelta(days=2),
        transport="sendgrid",
    )
    b.state.notices.append(later)
    apply_reports(b.state, [report(b, "delivered", "e11", 3000, message_key=later.key)], T0)
    assert warnings(b.state) == []


def test_a_corrected_address_clears_the_warning_and_later_mail_goes_to_it() -> None:
    b = builder()
    apply_reports(b.state, [report(b, "bounce", "e9")], T0)
    contact = {"name": "Sam Parent", "email": "sam.right@example.org"}
    b.record(parse_event({"kind": "contact_updated", "date": b.created.date().isoformat(),
                          "role": "parent", "contact": contact}))  # fmt: skip
    assert warnings(b.state) == [] and b.state.case.parent.email == "sam.right@example.org"


def test_a_report_about_another_message_or_case_is_ignored() -> None:
    b = builder()
    done = apply_reports(b.state, [report(b, "bounce", "e1", message_key="RUT-X/other")], T0)
    assert done.receipt.unknown == 1 and not done.failures and b.state.not_reached == []


def test_a_due_day_or_2_day_reminder_without_delivered_is_flagged_after_24_hours() -> None:
    b = builder()
    assert undelivered_reminders(b.state, T0 + timedelta(hours=23)) == []
    assert undelivered_reminders(b.state, T0 + timedelta(hours=24)) == [key(b)]
    apply_reports(b.state, [report(b, "delivered", "e1")], T0)
    assert undelivered_reminders(b.state, T0 + timedelta(hours=48)) == []


def test_a_notify_temporary_failure_is_sent_once_more_only_once() -> None:
    b = builder()
    b.state.notices[0].transport = "notify"
    done = apply_reports(b.state, [report(b, "temporary-failure", "n1", provider="notify")], T0)
    assert [r.key for r in done.resend] == [key(b)] and not done.failures
    again = apply_reports(b.state, [report(b, "temporary-failure", "n2", 5, provider="notify")], T0)
    assert again.resend == []


def test_a_notify_permanent_failure_alerts_like_a_bounce() -> None:
    b = builder()
    done = apply_reports(b.state, [report(b, "permanent-failure", "n1", provider="notify")], T0)
    assert len(done.failures) == 1 and warnings(b.state)


def test_one_email_carrying_several_notices_is_matched_by_its_message_id() -> None:
    b = builder()
    first = b.state.notices[0]
    second = first.model_copy(update={"key": first.key.replace("appeal", "mediation_contact")})
    b.state.notices.append(second)
    for record in b.state.notices:
        record.message_id = "W8OfAHGKQtWG4Z6LhHYP8A"
    batch_key = f"{b.state.case.case_ref}/batch/0123456789abcdef0123/parent"
    bounce = report(b, "bounce", "e1", message_key=batch_key, message_id="W8OfAHGKQtWG4Z6LhHYP8A")
    done = apply_reports(b.state, [bounce], T0)
    assert [n.delivery for n in b.state.notices] == ["failed", "failed"]
    assert len(done.failures) == 1  # one alert for the one email
