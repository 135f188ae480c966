"""Never twice: a retried activity, a restarted worker or a replayed case sends a key at most
once, through the sent ledger (in the database: each test runs on SQLite and on PostgreSQL).
The "window" tests pin down the one window that remains (docs/email.md): SendGrid accepted,
but no record of it survived."""

from __future__ import annotations

import base64
import logging
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notify import NotificationActivities
from activities.senders import build_senders
from activities.sendgrid_sender import IN_PROGRESS, LEDGER
from ehcp.messages import render
from ehcp.notices import Notification
from ehcp.settings import Settings
from store.db import session
from store.sent_ledger import ACCEPTED, SENT, SendAttempt, SentLedger, SentMessage
from tests.email.cases import COUNCIL, NOW, parent_reminder, race_sends
from tests.sendgrid_fake import TEST_API_KEY, Answer, FakeSendGrid
from tests.unit.test_notices import RICH


def settings_for(fake: FakeSendGrid, tmp_path: Path, **more) -> Settings:
    more.setdefault("database_url", f"sqlite:///{tmp_path / 'ehcp.db'}")
    return Settings(
        outbox_dir=tmp_path / "outbox",
        sendgrid_api_key=TEST_API_KEY,
        sendgrid_host=fake.url,
        **more,
    )


class Worker:
    """The notification activity as a (re)started worker process would run it."""

    def __init__(self, settings: Settings) -> None:
        primary, fallback = build_senders(settings)
        self.activities = NotificationActivities(primary, fallback, settings.council)
        self.sender = primary

    def send(self, n: Notification):
        return ActivityEnvironment().run(self.activities.send_notification, n)


def test_the_same_key_twice_and_after_a_restart_sends_once(
    sendgrid: FakeSendGrid, tmp_path: Path, database_url: str
) -> None:
    settings = settings_for(sendgrid, tmp_path, database_url=database_url)
    n = parent_reminder()
    first = Worker(settings).send(n)
    again = Worker(settings).send(n)  # a retry after the result was lost, or a reset case
    worker = Worker(settings)  # a restarted worker
    after_restart = worker.send(n)
    assert sendgrid.accepted_keys() == [n.key] and len(sendgrid.received) == 1
    assert first.transport == again.transport == "sendgrid"
    assert first.message_id == again.message_id == after_restart.message_id
    assert first.message_id == sendgrid.accepted[0].message_id
    record = SentLedger(settings.database_url).sent(n.key)
    assert (record.key, record.message_id, record.transport) == (
        n.key,
        first.message_id,
        "sendgrid",
    )
    # a different key still goes
    other = parent_reminder("mediation_contact")
    worker.send(other)
    assert sendgrid.accepted_keys() == [n.key, other.key]


def _fail_ledger_writes(monkeypatch: pytest.MonkeyPatch, times: int) -> list[str]:
    failed: list[str] = []
    real = SentLedger.record_sent

    def flaky(self, key, message_id, transport, attempt=None):
        if len(failed) < times:
            failed.append(key)
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(self, key, message_id, transport, attempt)

    monkeypatch.setattr(SentLedger, "record_sent", flaky)
    return failed


def test_accepted_but_not_recorded_is_recorded_on_retry_not_sent_again(
    sendgrid: FakeSendGrid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    worker = Worker(settings_for(sendgrid, tmp_path, database_url=database_url))
    n = parent_reminder()
    failed = _fail_ledger_writes(monkeypatch, 1)
    with pytest.raises(ApplicationError) as raised:
        worker.send(n)  # SendGrid said 202, then the database refused the record
    assert failed == [n.key]
    assert raised.value.type == LEDGER and not raised.value.non_retryable
    delivery = worker.send(n)  # Temporal's retry
    assert len(sendgrid.received) == 1
    assert delivery.message_id == sendgrid.accepted[0].message_id
    assert SentLedger(database_url).sent(n.key) is not None


def test_a_restarted_worker_records_an_accepted_attempt_instead_of_sending(
    sendgrid: FakeSendGrid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    settings = settings_for(sendgrid, tmp_path, database_url=database_url)
    n = parent_reminder()
    _fail_ledger_writes(monkeypatch, 1)
    with pytest.raises(ApplicationError):
        Worker(settings).send(n)
    assert SentLedger(settings.database_url).attempt(n.key).state == ACCEPTED
    delivery = Worker(settings).send(n)  # no memory of the first: the attempt row says 202
    assert len(sendgrid.received) == 1
    assert delivery.message_id == sendgrid.accepted[0].message_id


def test_an_attempt_in_progress_elsewhere_is_waited_for(
    sendgrid: FakeSendGrid, tmp_path: Path, database_url: str
) -> None:
    settings = settings_for(sendgrid, tmp_path, database_url=database_url)
    n = parent_reminder()
    ledger = SentLedger(settings.database_url)
    ledger.begin(n.key)  # another worker is talking to SendGrid right now
    with pytest.raises(ApplicationError) as raised:
        Worker(settings).send(n)
    assert raised.value.type == IN_PROGRESS and not raised.value.non_retryable
    # told to come back when the lease (30 s, on the database's clock) runs out
    assert 1 <= raised.value.next_retry_delay.total_seconds() <= 30
    assert sendgrid.received == []


def test_concurrent_attempts_for_one_key_send_once(
    sendgrid: FakeSendGrid, tmp_path: Path, database_url: str
) -> None:
    release = threading.Event()
    sendgrid.script(Answer.held(release))  # the first request is in flight until the others end
    worker = Worker(settings_for(sendgrid, tmp_path, database_url=database_url))
    n = parent_reminder()
    email = render(n, COUNCIL, now=NOW)
    outcomes = race_sends(worker.sender.send, n, email, release)
    assert len(sendgrid.received) == 1
    sent = [o for o in outcomes if o != IN_PROGRESS]
    assert sent == [sendgrid.accepted[0].message_id]
    assert outcomes.count(IN_PROGRESS) == 7


def test_alerts_marked_fallback_go_to_the_outbox(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    alert = next(n for n in RICH if n.kind == "delivery_failure")
    delivery = Worker(settings_for(sendgrid, tmp_path)).send(alert)
    assert delivery.transport == "outbox"
    assert sendgrid.received == []
    (path,) = (tmp_path / "outbox").glob("*.eml")
    assert "could not deliver" in path.read_text()


def test_without_a_key_the_outbox_gets_exactly_what_sendgrid_would(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    n = parent_reminder()
    email = render(n, COUNCIL, now=NOW)
    primary, _ = build_senders(settings_for(sendgrid, tmp_path))
    primary.send(n, email)
    outbox, _ = build_senders(Settings(outbox_dir=tmp_path / "outbox"))
    assert outbox.name == "outbox"
    outbox.send(n, email)
    body = sendgrid.received[0].body
    (path,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["Subject"] == body["subject"]
    assert str(message["From"]) == f"{body['from']['name']} <{body['from']['email']}>"
    assert message["Reply-To"] == body["reply_to"]["email"]
    assert message.get_body(("plain",)).get_content() == body["content"][0]["value"]
    assert message.get_body(("html",)).get_content().rstrip("\n") == body["content"][1]["value"]
    (part,) = message.iter_attachments()
    (attachment,) = body["attachments"]
    assert part.get_filename() == attachment["filename"]
    assert part.get_payload(decode=True) == base64.b64decode(attachment["content"])


# ----- the window that remains (docs/email.md) --------------------------------------------


def test_window_a_worker_that_died_mid_send_is_taken_over_with_a_warning(
    sendgrid: FakeSendGrid, tmp_path: Path, caplog: pytest.LogCaptureFixture, database_url: str
) -> None:
    """A `sending` attempt whose lease ran out (by the database's clock) belongs to a dead
    worker. It may have got SendGrid's 202 just before dying: the retry sends (a reminder must
    not be lost) and says so in the log."""
    settings = settings_for(sendgrid, tmp_path, database_url=database_url)
    n = parent_reminder()
    ledger = SentLedger(database_url)
    ledger.begin(n.key)  # a worker claims the key, then dies mid-send
    ledger.expire_lease_now(n.key)
    with caplog.at_level(logging.WARNING, logger="ehcp.sendgrid"):
        Worker(settings).send(n)
    assert sendgrid.accepted_keys() == [n.key]
    assert "may have been accepted" in caplog.text and n.key in caplog.text
    assert ledger.attempt(n.key).state == SENT and ledger.attempt(n.key).number == 2
    assert ledger.sent(n.key) is not None


def test_window_a_202_that_never_arrived_is_sent_again(
    sendgrid: FakeSendGrid, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SendGrid accepted, but its answer came after the client's timeout: nothing on our side
    can know. The retry sends again (one duplicate at most) and warns; operators can match
    the two in SendGrid's activity feed by the `message_key` custom arg."""
    release = threading.Event()
    sendgrid.script(Answer.held(release))
    worker = Worker(settings_for(sendgrid, tmp_path, sendgrid_timeout_s=0.2))
    n = parent_reminder()
    with pytest.raises(ApplicationError):
        worker.send(n)
    release.set()  # the fake accepts the first request after the client gave up
    with caplog.at_level(logging.WARNING, logger="ehcp.sendgrid"):
        worker.send(n)
    assert sendgrid.accepted_keys() == [n.key, n.key]
    assert "may have been accepted" in caplog.text


def test_the_ledger_holds_no_personal_data(
    sendgrid: FakeSendGrid, tmp_path: Path, database_url: str
) -> None:
    Worker(settings_for(sendgrid, tmp_path, database_url=database_url)).send(parent_reminder())
    with session(database_url) as s:
        rows = [*s.scalars(select(SentMessage)), *s.scalars(select(SendAttempt))]
        text = " ".join(str(vars(row)) for row in rows)
    assert len(rows) == 2
    assert "Sam" not in text and "Taylor" not in text and "example.org" not in text


def test_an_unreachable_database_sends_nothing_and_retries(
    sendgrid: FakeSendGrid, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before a send, a ledger that cannot be read means "not sent yet": a retryable error
    with fixed words (the driver's text can name hosts), never a send without the ledger."""
    worker = Worker(settings_for(sendgrid, tmp_path))
    n = parent_reminder()

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("connection to server at db refused"))

    monkeypatch.setattr(SentLedger, "sent", down)
    with pytest.raises(ApplicationError) as raised:
        worker.send(n)
    assert raised.value.type == LEDGER and not raised.value.non_retryable
    assert "db refused" not in str(raised.value)
    assert sendgrid.received == []
    monkeypatch.undo()
    worker.send(n)  # the retry, with the database back
    assert sendgrid.accepted_keys() == [n.key]
