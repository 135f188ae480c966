"""The real notifications-python-client against a Notify stand-in on 127.0.0.1: texts and
email with the right template and personalisation, 429 and 5xx retried, 400 and 403 final,
and never twice."""

from __future__ import annotations

import dataclasses
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.names import SEND_BATCH_TIMEOUT
from activities.notify import NotificationActivities, reader_groups
from activities.notify_sender import NotifySender, NotifyTemplateIds
from activities.senders import CouncilRouter, build_senders
from ehcp.council import CouncilInfo
from ehcp.messages import render
from ehcp.models import Contact
from ehcp.settings import Settings
from ehcp.texts import text_message
from store.sent_ledger import SentLedger
from tests.email.cases import NOW, parent_reminder
from tests.notify_fake import (
    BAD_NUMBER,
    FORBIDDEN,
    RATE_LIMITED,
    SERVER_ERROR,
    TEST_API_KEY,
    FakeNotify,
)

TEMPLATES = NotifyTemplateIds(
    email="f33517ff-2a88-4f6e-b855-c550268ce08a",
    text_reminder="a1b2c3d4-0000-4000-8000-000000000001",
)
COUNCIL = CouncilInfo()
PARENT = Contact(
    name="Sam Taylor",
    email="sam.taylor@example.org",
    mobile="07400 123456",
    contact_preference="both",
)


def sender(fake: FakeNotify, tmp_path: Path) -> NotifySender:
    return NotifySender(
        TEST_API_KEY,
        SentLedger(f"sqlite:///{tmp_path / 'ehcp.db'}"),
        TEMPLATES,
        council=COUNCIL,
        base_url=fake.url,
        timeout_s=5,
    )


def text_reminder():
    n = parent_reminder("appeal", 2)
    return n.model_copy(update={"key": n.key + "/sms", "channel": "sms", "to": PARENT})


def test_a_text_goes_with_the_text_template_and_its_fields(notify, tmp_path) -> None:
    n = text_reminder()
    message_id = sender(notify, tmp_path).send(n, render(n, COUNCIL, now=NOW))
    (got,) = notify.received
    assert got.kind == "sms" and message_id == got.notification_id
    assert got.body == {
        "phone_number": "+447400123456",
        "template_id": TEMPLATES.text_reminder,
        "personalisation": {
            "message": text_message(n, COUNCIL),
            "due_date": "Tuesday 5 January 2027",
            "case_ref": n.case_ref,
        },
        "reference": n.key,
    }


def test_an_email_goes_with_the_email_template_subject_and_body(notify, tmp_path) -> None:
    n = parent_reminder("appeal", 7)
    email = render(n, COUNCIL, now=NOW)
    sender(notify, tmp_path).send(n, email)
    (got,) = notify.received
    assert got.kind == "email"
    assert got.body == {
        "email_address": "sam.taylor@example.org",
        "template_id": TEMPLATES.email,
        "personalisation": {"subject": email.subject, "body": email.text},
        "reference": n.key,
    }


def test_the_same_key_is_sent_once(notify, tmp_path) -> None:
    n = text_reminder()
    s = sender(notify, tmp_path)
    first = s.send(n, render(n, COUNCIL, now=NOW))
    assert s.send(n, render(n, COUNCIL, now=NOW)) == first
    assert sender(notify, tmp_path).recorded(n.key).message_id == first  # a restarted worker
    assert len(notify.received) == 1


@pytest.mark.parametrize("answer", [RATE_LIMITED, SERVER_ERROR])
def test_429_and_5xx_are_retried_then_sent(notify, tmp_path, answer) -> None:
    notify.script(answer)
    n = text_reminder()
    s = sender(notify, tmp_path)
    with pytest.raises(ApplicationError) as caught:
        s.send(n, render(n, COUNCIL, now=NOW))
    assert not caught.value.non_retryable
    assert caught.value.details[0] == answer.status
    assert str(answer.status) in caught.value.message and answer.message not in caught.value.message
    s.send(n, render(n, COUNCIL, now=NOW))
    assert [r.status for r in notify.received] == [answer.status, 201]


@pytest.mark.parametrize("answer", [BAD_NUMBER, FORBIDDEN])
def test_400_and_403_are_final_and_say_why(notify, tmp_path, answer) -> None:
    notify.script(answer)
    n = text_reminder()
    s = sender(notify, tmp_path)
    with pytest.raises(ApplicationError) as caught:
        s.send(n, render(n, COUNCIL, now=NOW))
    assert caught.value.non_retryable and caught.value.type == "PermanentDeliveryError"
    assert caught.value.details[0] == answer.status
    assert answer.error in caught.value.details[1]  # Notify's words, for the case record
    with pytest.raises(ApplicationError):  # a retry does not send it again
        s.send(n, render(n, COUNCIL, now=NOW))
    assert len(notify.received) == 1


def test_a_bad_key_is_refused_by_the_stand_in(notify, tmp_path) -> None:
    bad = "ehcp_test-26785a09-ab16-4eb0-8407-a37497a57506-00000000-0000-4000-8000-000000000000"
    s = NotifySender(
        bad,
        SentLedger(f"sqlite:///{tmp_path / 'l.db'}"),
        TEMPLATES,
        council=COUNCIL,
        base_url=notify.url,
    )
    n = text_reminder()
    with pytest.raises(ApplicationError) as caught:
        s.send(n, render(n, COUNCIL, now=NOW))
    assert caught.value.non_retryable and caught.value.details[0] == 403


def notify_settings(fake: FakeNotify, tmp_path: Path, **more) -> Settings:
    return Settings(
        outbox_dir=tmp_path / "outbox",
        database_url=f"sqlite:///{tmp_path / 'ehcp.db'}",
        notify_base_url=fake.url,
        delivery={
            "rutland": {
                "provider": "notify",
                "notify_api_key": TEST_API_KEY,
                "templates": {"email": TEMPLATES.email, "text_reminder": TEMPLATES.text_reminder},
            }
        },
        **more,
    )


def batch_env() -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, start_to_close_timeout=SEND_BATCH_TIMEOUT)
    return env


def test_a_council_on_notify_sends_texts_and_email_through_it(notify, tmp_path) -> None:
    primary, fallback = build_senders(notify_settings(notify, tmp_path))
    assert isinstance(primary, CouncilRouter) and fallback.name == "outbox"
    activities = NotificationActivities(primary, fallback, COUNCIL)
    email, text = parent_reminder("appeal", 2), text_reminder()
    outcomes = batch_env().run(activities.send_notifications, [email, text])
    assert [o.delivery.transport for o in outcomes] == ["notify", "notify"]
    assert [r.kind for r in notify.received] == ["email", "sms"]


def test_without_notify_a_text_goes_to_the_outbox_not_through_sendgrid(tmp_path) -> None:
    settings = Settings(
        outbox_dir=tmp_path / "outbox", database_url=f"sqlite:///{tmp_path / 'ehcp.db'}"
    )
    primary, fallback = build_senders(settings)
    activities = NotificationActivities(primary, fallback, COUNCIL)
    (outcome,) = batch_env().run(activities.send_notifications, [text_reminder()])
    assert outcome.delivery.transport == "outbox"
    (path,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["X-EHCP-Text-To"] == "+447400123456"
    assert "Tuesday 5 January 2027" in message.get_body(("plain",)).get_content()


def test_notify_without_its_key_or_templates_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="provider notify needs notify_api_key, email"):
        Settings(delivery={"rutland": {"provider": "notify"}})


def test_a_text_is_never_combined_with_the_readers_email() -> None:
    email, text = parent_reminder("appeal", 2), text_reminder()
    other = parent_reminder("mediation_contact", 0)
    groups = reader_groups([email, text, other])
    assert [[n.channel for n in g] for g in groups] == [["email", "email"], ["sms"]]
