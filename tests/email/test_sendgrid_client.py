"""The real SendGrid client talking to the fake server: what is posted, and what each answer
does (classification, ApplicationError type, non_retryable, next_retry_delay)."""

from __future__ import annotations

import base64
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from temporalio.exceptions import ApplicationError

from activities.senders import build_senders
from activities.sendgrid_sender import PERMANENT, TRANSIENT, SendGridSender, fixed_reason
from ehcp.messages import render
from ehcp.settings import Settings
from store.sent_ledger import FAILED, REFUSED, UNKNOWN, SentLedger
from tests.email.cases import COUNCIL, NOW, parent_reminder
from tests.sendgrid_fake import BAD_AUTH, TEST_API_KEY, Answer, FakeSendGrid
from tests.unit.test_notices import PERSONAL

FROM = "send-reminders@rutland.gov.uk"
REPLY_TO = "send@rutland.gov.uk"


def make_sender(
    fake: FakeSendGrid, tmp_path: Path, timeout_s: float = 5, api_key: str = TEST_API_KEY
) -> SendGridSender:
    return SendGridSender(
        api_key,
        SentLedger(f"sqlite:///{tmp_path / 'ehcp.db'}"),
        from_email=FROM,
        reply_to=REPLY_TO,
        from_name="Rutland County Council SEND team",
        host=fake.url,
        timeout_s=timeout_s,
    )


def test_posts_what_sendgrid_expects(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    n = parent_reminder("appeal", 7)
    email = render(n, COUNCIL, now=NOW)
    message_id = make_sender(sendgrid, tmp_path).send(n, email)

    (request,) = sendgrid.received
    assert request.headers["Authorization"] == f"Bearer {TEST_API_KEY}"
    assert request.message_id == message_id
    body = request.body
    assert body["personalizations"] == [
        {"to": [{"email": "sam.taylor@example.org", "name": "Sam Taylor"}]}
    ]
    assert body["from"] == {"email": FROM, "name": "Rutland County Council SEND team"}
    assert body["reply_to"] == {"email": REPLY_TO}
    assert body["subject"] == email.subject
    assert body["content"] == [
        {"type": "text/plain", "value": email.text},
        {"type": "text/html", "value": email.html},
    ]
    (attachment,) = body["attachments"]
    assert attachment["filename"] == "appeal.ics"
    assert attachment["type"] == "text/calendar"
    assert attachment["disposition"] == "attachment"
    data = base64.b64decode(attachment["content"])
    assert data == email.attachments[0].data
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["uid"]) == "RUT-2026-0117-appeal@rutland.gov.uk"
    assert event.decoded("dtstart") == n.deadline.due
    assert event.walk("VALARM")
    assert sorted(body["categories"]) == sorted(
        ["send-disagreement", "reminder", "parent", "appeal"]
    )
    assert body["custom_args"] == {
        "case_ref": "RUT-2026-0117",
        "deadline_key": "appeal",
        "notice_kind": "reminder",
        "reminder_offset": "7",
        "message_key": n.key,
    }
    assert body["tracking_settings"] == {
        "click_tracking": {"enable": False, "enable_text": False},
        "open_tracking": {"enable": False},
    }
    # nothing personal in what SendGrid keeps for reporting
    labels = repr(body["custom_args"]) + repr(body["categories"]) + body["subject"]
    for secret in [*PERSONAL, "Sam Taylor", "sam.taylor@example.org", "Taylor"]:
        assert secret not in labels


def test_an_escalation_carries_its_number_and_no_attachment(
    sendgrid: FakeSendGrid, tmp_path: Path
) -> None:
    from tests.unit.test_notices import RICH

    n = next(n for n in RICH if n.kind == "escalation")
    make_sender(sendgrid, tmp_path).send(n, render(n, COUNCIL))
    body = sendgrid.received[0].body
    assert "attachments" not in body
    assert body["custom_args"]["escalation"] == "1"
    assert "reminder_offset" not in body["custom_args"]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "The to email does not contain a valid address."),
        (401, BAD_AUTH),
        (403, "The from address does not match a verified Sender Identity."),
        (413, "The JSON payload you have included in your request is too large."),
    ],
)
def test_refusals_are_final(sendgrid: FakeSendGrid, tmp_path: Path, status, message) -> None:
    sendgrid.script(Answer.error(status, message, field="personalizations.0.to.0.email"))
    sender = make_sender(sendgrid, tmp_path)
    n = parent_reminder()
    with pytest.raises(ApplicationError) as raised:
        sender.send(n, render(n, COUNCIL))
    error = raised.value
    assert (error.type, error.non_retryable, error.details) == (PERMANENT, True, (status, message))
    assert error.message == fixed_reason(status)  # logged by the SDK: no SendGrid words
    assert len(sendgrid.received) == 1
    ledger = SentLedger(f"sqlite:///{tmp_path / 'ehcp.db'}")
    assert ledger.sent(n.key) is None
    assert ledger.attempt(n.key).state == REFUSED  # final: no retry sends it again


def test_a_wrong_key_is_refused_by_the_server(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    sender = make_sender(sendgrid, tmp_path, api_key="SG.wrong")
    n = parent_reminder()
    with pytest.raises(ApplicationError) as raised:
        sender.send(n, render(n, COUNCIL))
    assert raised.value.details == (401, BAD_AUTH)
    assert sendgrid.received == []  # refused before anything was recorded


def test_rate_limited_retries_at_the_reset(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    reset = time.time() + 30
    sendgrid.script(Answer.rate_limited(reset))
    n = parent_reminder()
    with pytest.raises(ApplicationError) as raised:
        make_sender(sendgrid, tmp_path).send(n, render(n, COUNCIL))
    error = raised.value
    assert (error.type, error.non_retryable, error.details) == (
        TRANSIENT,
        False,
        (429, "SendGrid answered 429: too many requests"),
    )
    assert timedelta(seconds=27) <= error.next_retry_delay <= timedelta(seconds=31)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(sendgrid: FakeSendGrid, tmp_path: Path, status) -> None:
    sendgrid.script(Answer.error(status, "Internal error"))
    sender = make_sender(sendgrid, tmp_path)
    n = parent_reminder()
    with pytest.raises(ApplicationError) as raised:
        sender.send(n, render(n, COUNCIL))
    error = raised.value
    assert (error.type, error.non_retryable, error.details[0]) == (TRANSIENT, False, status)
    assert error.next_retry_delay is None  # the activity's backoff
    assert SentLedger(f"sqlite:///{tmp_path / 'ehcp.db'}").attempt(n.key).state == FAILED
    # the retry goes through, once
    assert sender.send(n, render(n, COUNCIL)) == sendgrid.accepted[0].message_id
    assert sendgrid.accepted_keys() == [n.key]


def test_a_hang_past_the_timeout_is_retried(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    sendgrid.script(Answer.hang(3, then=500))
    n = parent_reminder()
    started = time.monotonic()
    with pytest.raises(ApplicationError) as raised:
        make_sender(sendgrid, tmp_path, timeout_s=0.3).send(n, render(n, COUNCIL))
    assert time.monotonic() - started < 2
    error = raised.value
    assert (error.type, error.non_retryable, error.details[0]) == (TRANSIENT, False, None)
    assert "did not answer in time" in error.details[1]
    # the request may have been accepted: the ledger says so, for the retry to warn
    assert SentLedger(f"sqlite:///{tmp_path / 'ehcp.db'}").attempt(n.key).state == UNKNOWN


def test_no_server_is_retried(tmp_path: Path) -> None:
    fake = FakeSendGrid()  # never started: its port is closed
    fake._server.server_close()
    n = parent_reminder()
    with pytest.raises(ApplicationError) as raised:
        make_sender(fake, tmp_path, timeout_s=1).send(n, render(n, COUNCIL))
    assert raised.value.type == TRANSIENT and not raised.value.non_retryable
    assert "could not reach SendGrid" in raised.value.details[1]


def test_the_http_client_never_logs_the_key_or_the_body(
    sendgrid: FakeSendGrid, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger at DEBUG, as a careless config might
    n = parent_reminder()
    make_sender(sendgrid, tmp_path).send(n, render(n, COUNCIL))
    assert sendgrid.accepted
    assert TEST_API_KEY not in caplog.text and "Bearer" not in caplog.text
    assert "sam.taylor@example.org" not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("python_http_client")]
    assert logging.getLogger("python_http_client").getEffectiveLevel() >= logging.WARNING


def test_settings_choose_the_sender(sendgrid: FakeSendGrid, tmp_path: Path) -> None:
    base = {"outbox_dir": tmp_path / "outbox", "database_url": f"sqlite:///{tmp_path / 'ehcp.db'}"}
    primary, fallback = build_senders(Settings(**base))
    assert primary is fallback and primary.name == "outbox"
    primary, fallback = build_senders(Settings(**base, sendgrid_api_key="  "))
    assert primary.name == "outbox"
    primary, fallback = build_senders(
        Settings(**base, sendgrid_api_key=TEST_API_KEY, sendgrid_host=sendgrid.url)
    )
    assert (primary.name, fallback.name) == ("sendgrid", "outbox")
    n = parent_reminder()
    primary.send(n, render(n, COUNCIL))
    assert sendgrid.accepted_keys() == [n.key]
    assert "SG." not in repr(Settings(**base, sendgrid_api_key=TEST_API_KEY))


def test_the_timeout_must_stay_below_the_activity_timeout() -> None:
    with pytest.raises(ValueError):
        Settings(sendgrid_timeout_s=60)
    assert Settings().sendgrid_timeout_s == 10
