"""One send call per wake-up: every message in the batch ends delivered or failed, a retry
sends only what SendGrid has not yet accepted, and the last attempt reports, not raises."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.names import NOTIFY_RETRY, SEND_BATCH_TIMEOUT
from activities.notify import NotificationActivities
from activities.senders import build_senders
from ehcp.models import Contact
from ehcp.notices import Notification, SendOutcome
from tests.email.cases import parent_reminder
from tests.email.test_never_twice import settings_for
from tests.sendgrid_fake import Answer, FakeSendGrid


def batch() -> list[Notification]:
    """Three messages to three different readers: one email each (messages to one reader at
    one wake-up share an email: tests/email/test_one_email_per_reader.py)."""
    messages = [
        parent_reminder("appeal", 7),
        parent_reminder("mediation_contact", 7),
        parent_reminder("appeal", 2),
    ]
    return [
        n.model_copy(update={"to": Contact(name=f"Reader {i}", email=f"reader{i}@example.org")})
        for i, n in enumerate(messages, start=1)
    ]


def send(settings, notifications: list[Notification], attempt: int = 1) -> list[SendOutcome]:
    primary, fallback = build_senders(settings)
    activities = NotificationActivities(primary, fallback, settings.council)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, attempt=attempt, start_to_close_timeout=SEND_BATCH_TIMEOUT
    )
    return env.run(activities.send_notifications, notifications)


def test_a_batch_that_all_goes_through_reports_each_delivery(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    notifications = batch()
    outcomes = send(settings_for(sendgrid, tmp_path), notifications)
    assert [o.key for o in outcomes] == [n.key for n in notifications]
    assert [o.delivery.message_id for o in outcomes] == [r.message_id for r in sendgrid.accepted]
    assert all(o.failure is None for o in outcomes)


def test_a_retry_sends_only_what_was_not_accepted(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    settings = settings_for(sendgrid, tmp_path)
    first, refused, later = batch()
    sendgrid.script(
        Answer.accepted(),
        Answer.error(400, "Does not contain a valid address.", field="personalizations"),
        Answer.error(503, "Service unavailable"),
    )
    with pytest.raises(ApplicationError) as retry:
        send(settings, [first, refused, later])
    assert not retry.value.non_retryable
    assert "1 of 3 messages not accepted yet" in retry.value.message
    assert "Service unavailable" not in retry.value.message  # the SDK logs this message
    outcomes = send(settings, [first, refused, later], attempt=2)
    assert sendgrid.accepted_keys() == [first.key, later.key]  # the first went once
    assert [r.key for r in sendgrid.received].count(refused.key) == 1  # refused: never again
    assert outcomes[0].delivery and outcomes[2].delivery
    assert outcomes[1].delivery is None and outcomes[1].status_code == 400


def test_the_last_attempt_reports_what_did_not_go(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    ok, stuck, _ = batch()
    sendgrid.script(Answer.accepted(), Answer.error(502, "Bad gateway"))
    last = NOTIFY_RETRY.maximum_attempts
    outcomes = send(settings_for(sendgrid, tmp_path), [ok, stuck], attempt=last)
    assert outcomes[0].delivery is not None
    assert outcomes[1].delivery is None and outcomes[1].status_code == 502
    assert outcomes[1].failure.startswith(f"still not accepted after {last} attempts")


def test_a_rate_limit_delays_the_whole_batch_until_the_reset(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    sendgrid.script(Answer.rate_limited(time.time() + 120))
    with pytest.raises(ApplicationError) as retry:
        send(settings_for(sendgrid, tmp_path), batch()[:2])
    assert timedelta(seconds=100) < retry.value.next_retry_delay <= timedelta(seconds=121)
