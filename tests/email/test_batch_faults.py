"""Issue 17, faults 2 and 3, against the SendGrid stand-in.

2. The last attempt of a batch must not time out and take messages that went with it: it
   stops sending when its time is nearly up and reports what the ledger shows as sent.
3. A permanent refusal (400) in one attempt is recorded in the sent ledger; a retry of the
   batch caused by another message's 500 reports that refusal and never sends the key again.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.common import MetricMeter
from temporalio.exceptions import ApplicationError
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import ActivityEnvironment

from activities.names import NOTIFY_RETRY, SEND_BATCH_TIMEOUT
from activities.notify import NotificationActivities
from activities.senders import build_senders
from activities.sendgrid_sender import PERMANENT
from ehcp.notices import Notification, SendOutcome
from store.sent_ledger import REFUSED, SentLedger
from tests.email.cases import parent_reminder
from tests.email.test_never_twice import settings_for
from tests.sendgrid_fake import Answer, FakeSendGrid

LAST = NOTIFY_RETRY.maximum_attempts


def run_attempt(
    settings,
    batch: list[Notification],
    attempt: int,
    start_to_close: timedelta = SEND_BATCH_TIMEOUT,
    meter: MetricMeter | None = None,
) -> list[SendOutcome]:
    """One attempt as the worker runs it; raises ApplicationError if it asks for a retry and
    TimeoutError if it is still running at its start-to-close timeout (what Temporal does to
    such an attempt: every message of the batch is then recorded as failed)."""
    primary, fallback = build_senders(settings)
    activities = NotificationActivities(primary, fallback, settings.council)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt, start_to_close_timeout=start_to_close)
    if meter is not None:
        env.metric_meter = meter
    result: list[object] = []
    thread = threading.Thread(
        target=lambda: result.append(_outcome(env, activities, batch)), daemon=True
    )
    thread.start()
    thread.join(timeout=start_to_close.total_seconds())
    if thread.is_alive():
        raise TimeoutError(f"attempt {attempt} ran past its {start_to_close} start-to-close")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def _outcome(env: ActivityEnvironment, activities: NotificationActivities, batch) -> object:
    try:
        return env.run(activities.send_notifications, batch)
    except BaseException as error:
        return error


def to_reader(n: Notification, reader: str) -> Notification:
    """`n` for another reader: one wake-up sends one email per reader (issue 10, fault 8), so
    messages meant to go (or fail) one by one need readers of their own."""
    to = n.to.model_copy(update={"email": f"{reader}@example.org"})
    return n.model_copy(update={"key": f"{n.key}/{reader}", "to": to})


def distinct(n: Notification, count: int) -> list[Notification]:
    return [to_reader(n, f"copy-{i}") for i in range(count)]


def test_a_slow_last_attempt_reports_what_the_ledger_shows_as_sent(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    settings = settings_for(sendgrid, tmp_path, sendgrid_timeout_s=1)
    first = parent_reminder("appeal", 7)
    last_one = to_reader(parent_reminder("mediation_contact", 7), "second")
    hanging = distinct(parent_reminder("appeal", 2), 10)
    # An earlier attempt got `first` and `last_one` through; then SendGrid stopped answering.
    run_attempt(settings, [first, last_one], attempt=1)
    sendgrid.script(*[Answer.hang(30, then=500) for _ in hanging])
    batch = [first, *hanging, last_one]
    outcomes = run_attempt(settings, batch, attempt=LAST, start_to_close=timedelta(seconds=8))
    by_key = {o.key: o for o in outcomes}
    assert [o.key for o in outcomes] == [n.key for n in batch]
    assert by_key[first.key].delivery is not None and by_key[first.key].failure is None
    assert by_key[last_one.key].delivery is not None  # after the hangs, still delivered
    assert all(by_key[n.key].delivery is None for n in hanging)
    assert all(by_key[n.key].failure for n in hanging)
    assert sendgrid.accepted_keys().count(first.key) == 1
    assert sendgrid.accepted_keys().count(last_one.key) == 1
    # it stopped sending while time was left, rather than running into the timeout
    assert len(sendgrid.received) < 2 + len(hanging)


def test_a_refusal_is_not_sent_again_by_a_retry_for_another_message(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    settings = settings_for(sendgrid, tmp_path)
    refused = parent_reminder("appeal", 7)
    unlucky = to_reader(parent_reminder("mediation_contact", 7), "second")
    sendgrid.script(
        Answer.error(400, "Does not contain a valid address.", field="personalizations"),
        Answer.error(500, "Internal server error"),
    )
    with pytest.raises(ApplicationError) as retry:
        run_attempt(settings, [refused, unlucky], attempt=1)
    assert not retry.value.non_retryable
    ledger = SentLedger(settings.database_url)
    assert ledger.attempt(refused.key).state == REFUSED
    assert ledger.attempt(refused.key).status_code == 400
    outcomes = run_attempt(settings, [refused, unlucky], attempt=2)  # SendGrid answers 202 now
    assert [r.key for r in sendgrid.received] == [refused.key, unlucky.key, unlucky.key]
    assert sendgrid.accepted_keys() == [unlucky.key]
    assert outcomes[0].delivery is None and outcomes[0].status_code == 400
    assert "400" in outcomes[0].failure and "not sent again" in outcomes[0].failure
    assert outcomes[1].delivery is not None


def test_a_recorded_refusal_is_final_for_every_later_attempt(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    settings = settings_for(sendgrid, tmp_path)
    n = parent_reminder()
    sendgrid.script(Answer.error(403, "The from address does not match a verified Sender."))
    outcomes = run_attempt(settings, [n], attempt=1)
    assert outcomes[0].status_code == 403 and "verified Sender" in outcomes[0].failure
    primary, _ = build_senders(settings)
    with pytest.raises(ApplicationError) as again:
        primary.send(n, None)  # never rendered or posted: the ledger answers
    assert again.value.type == PERMANENT and again.value.non_retryable
    assert again.value.details[0] == 403
    assert len(sendgrid.received) == 1


def test_counters_count_each_message_once_across_attempts(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    buffer = MetricBuffer(10_000)
    meter = Runtime(telemetry=TelemetryConfig(metrics=buffer)).metric_meter
    settings = settings_for(sendgrid, tmp_path)
    batch = [parent_reminder("appeal", 7), to_reader(parent_reminder("appeal", 2), "second")]
    batch.append(to_reader(parent_reminder("mediation_contact", 7), "third"))
    sendgrid.script(Answer.accepted(), Answer.error(400, "Bad"), Answer.error(500, "Oops"))
    with pytest.raises(ApplicationError):
        run_attempt(settings, batch, attempt=1, meter=meter)
    run_attempt(settings, batch, attempt=2, meter=meter)
    updates = buffer.retrieve_updates()
    sent = [u for u in updates if u.metric.name == "ehcp_emails_sent"]
    failed = [u for u in updates if u.metric.name == "ehcp_emails_failed"]
    assert sum(u.value for u in sent) == 2  # the first once (not again on the retry), the third
    assert [(u.value, u.attributes["reason"], u.attributes["status_code"]) for u in failed] == [
        (1, "refused", "400")
    ]
    assert {u.attributes["kind"] for u in sent} == {"reminder"}
    for u in sent + failed:  # fixed vocabularies: never the case reference or a person
        assert {"kind", "role"} <= set(u.attributes)
        assert not any("RUT-" in str(v) or "@" in str(v) for v in u.attributes.values())


def test_escalations_and_missed_deadlines_are_counted_once_per_escalation(
    tmp_path: Path,
) -> None:
    from ehcp.notices import NoticeKind, Role
    from ehcp.settings import Settings
    from tests.unit.test_notices import RICH

    buffer = MetricBuffer(10_000)
    meter = Runtime(telemetry=TelemetryConfig(metrics=buffer)).metric_meter
    escalations = [n for n in RICH if n.kind == NoticeKind.escalation]
    first = [n for n in escalations if n.role == Role.caseworker and n.escalation == 1]
    later = [n for n in escalations if n.role == Role.caseworker and n.escalation != 1]
    assert first and len(escalations) > len(first)  # several readers per escalation
    settings = Settings(
        outbox_dir=tmp_path / "outbox", database_url=f"sqlite:///{tmp_path / 'ehcp.db'}"
    )
    run_attempt(settings, escalations, attempt=1, meter=meter)
    run_attempt(settings, escalations, attempt=2, meter=meter)  # a retry: nothing new
    updates = buffer.retrieve_updates()

    def total(name: str) -> int:
        return sum(u.value for u in updates if u.metric.name == name)

    assert total("ehcp_escalations") == len(first) + len(later)
    assert total("ehcp_deadlines_missed") == len(first)
    assert total("ehcp_emails_sent") == len(escalations)
