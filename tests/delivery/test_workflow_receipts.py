"""Delivery receipts on running cases (time-skipping server, real worker): a signed SendGrid
bounce alerts the caseworker and SEND manager and the case shows the parent not reached; a
duplicate changes nothing; a corrected address clears it and later reminders go to it; a
parent who chose texts gets them through Notify, a temporary failure is sent once more, a
permanent failure alerts staff; an undelivered due-day reminder is flagged after 24 hours.

Also measures, for one bounced message, the time from the webhook call to the staff alert
being in the outbox (printed; run with -s to see it)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

from ehcp import timescales
from ehcp.calendar import WorkingDayCalendar
from tests.notify_fake import TEST_API_KEY as NOTIFY_KEY
from tests.notify_fake import FakeNotify
from tests.sendgrid_fake import TEST_API_KEY, FakeSendGrid
from tests.workflow.harness import Harness, harness, make_case
from webhooks.forward import handle_notify, handle_sendgrid

from .signing import SendGridSigner, body_of, sendgrid_event

CAL = WorkingDayCalendar()
SIGNER = SendGridSigner()
NOTIFY_TOKEN = "notify-callback-token-for-tests"


def settings_for(sendgrid: FakeSendGrid) -> dict:
    return {
        "sendgrid_api_key": TEST_API_KEY,
        "sendgrid_host": sendgrid.url,
        "sendgrid_webhook_public_key": SIGNER.public_key,
    }


async def appeal_case(h: Harness, ref: str, **parent):
    d0 = await h.today()
    extra = {"parent": {"name": "Sam Parent", "email": "sam.parent@example.org", **parent}}
    handle = await h.start(make_case(ref, "refusal_to_assess", d0, **extra))
    await h.event(handle, "mediation_adviser_contacted", date=d0)
    return handle, d0, timescales.appeal(d0, None, CAL).due


async def skip_to_reminder(h: Harness, d0, due, offset: int) -> None:
    await h.skip((due - d0).days - offset + 1 - (await h.today() - d0).days)


async def post_sendgrid(h: Harness, *events: dict, headers: dict | None = None):
    body = body_of(*events)
    signed = SIGNER.sign(body) if headers is None else headers
    return await handle_sendgrid(h.env.client, h.settings, body, signed)


def alerts_in(h: Harness) -> list:
    found = []
    for path in h.outbox():
        eml = message_from_bytes(path.read_bytes(), policy=default_policy)
        if "/delivery_failure/" in eml["X-EHCP-Key"]:
            found.append(eml)
    return found


async def test_a_bounce_alerts_staff_and_a_corrected_address_clears_it(
    time_env, tmp_path, sendgrid
) -> None:
    async with harness(time_env, tmp_path, **settings_for(sendgrid)) as h:
        handle, d0, due = await appeal_case(h, "RUT-DL-BOUNCE")
        await skip_to_reminder(h, d0, due, 2)
        status = await h.status(handle)
        record = [r for r in status.reminders_sent if r.role == "parent"][-1]
        assert "/reminder/2/" in record.key
        now = time.time()

        # unsigned, tampered and stale requests: 401, and nothing changes
        bounce = sendgrid_event(handle_ref := "RUT-DL-BOUNCE", record.key, "bounce", "sg-1", now,
                                type="bounce", reason="550 5.1.1 user unknown")  # fmt: skip
        assert (await post_sendgrid(h, bounce, headers={}))[0] == 401
        tampered = SIGNER.sign(body_of({**bounce, "event": "delivered"}))
        assert (await post_sendgrid(h, bounce, headers=tampered))[0] == 401
        stale = SIGNER.sign(body_of(bounce), at=now - 3600)
        assert (await post_sendgrid(h, bounce, headers=stale))[0] == 401
        assert (await h.status(handle)).warnings == [] and alerts_in(h) == []

        # the signed bounce: measured from the webhook call to the alert in the outbox
        started = time.perf_counter()
        code, answer = await post_sendgrid(h, sendgrid_event(handle_ref, record.key, "processed",
                                                             "sg-0", now - 5), bounce)  # fmt: skip
        alerts = alerts_in(h)
        elapsed = time.perf_counter() - started
        print(f"\nwebhook call to staff alert in the outbox: {elapsed * 1000:.0f} ms")
        assert code == 200 and answer["applied"] == 2 and answer["alerts"] == 2
        assert len(alerts) == 2
        assert {a["To"].addresses[0].addr_spec for a in alerts} == {
            "alex.cw@rutland.gov.uk",
            h.settings.send_manager_email,
        }
        text = alerts[0].get_body(("plain",)).get_content()
        assert "bounce" in text and "550 5.1.1 user unknown" in text
        status = await h.status(handle)
        assert status.warnings == ["parent not reached: contact them another way (email failed)"]
        mine = next(r for r in status.reminders_sent if r.key == record.key)
        assert mine.delivery == "failed" and "bounce" in mine.delivery_reason

        # SendGrid retries the same webhook: nothing changes, no second alert
        code, answer = await post_sendgrid(h, bounce)
        assert code == 200 and answer["duplicates"] == 1 and answer["alerts"] == 0
        assert len(alerts_in(h)) == 2

        # the caseworker records the corrected address: the warning goes, mail goes to it
        await h.event(handle, "contact_updated", date=await h.today(), role="parent",
                      contact={"name": "Sam Parent", "email": "sam.right@example.org"})  # fmt: skip
        assert (await h.status(handle)).warnings == []
        await skip_to_reminder(h, d0, due, 0)
        to = [r.body["personalizations"][0]["to"][0]["email"] for r in sendgrid.accepted]
        assert to[-1] in ("sam.right@example.org", "alex.cw@rutland.gov.uk")
        assert "sam.right@example.org" in to


async def test_out_of_order_events_and_the_undelivered_flag(time_env, tmp_path, sendgrid) -> None:
    async with harness(time_env, tmp_path, **settings_for(sendgrid)) as h:
        handle, d0, due = await appeal_case(h, "RUT-DL-ORDER")
        await skip_to_reminder(h, d0, due, 2)
        keys = [r.key for r in (await h.status(handle)).reminders_sent if r.role == "parent"]
        key = keys[-1]  # the 2-day reminder
        assert "/reminder/2/" in key
        now = time.time()
        code, answer = await post_sendgrid(
            h,
            sendgrid_event("RUT-DL-ORDER", key, "deferred", "sg-2", now, response="421 busy"),
            sendgrid_event("RUT-DL-ORDER", key, "processed", "sg-1", now - 60),
        )
        assert code == 200 and answer["applied"] == 1 and answer["stale"] == 1
        record = next(r for r in (await h.status(handle)).reminders_sent if r.key == key)
        assert record.delivery == "deferred" and "421 busy" in record.delivery_reason
        # (the clock is now the day after the 2-day reminder, past 9am: over 24 hours)
        assert key in (await h.status(handle)).undelivered_reminders
        await post_sendgrid(h, sendgrid_event("RUT-DL-ORDER", key, "delivered", "sg-3", now + 60))
        assert key not in (await h.status(handle)).undelivered_reminders


async def test_unknown_cases_and_messages_are_accepted_and_ignored(
    time_env, tmp_path, sendgrid
) -> None:
    async with harness(time_env, tmp_path, **settings_for(sendgrid)) as h:
        event = sendgrid_event("RUT-DL-NONE", "RUT-DL-NONE/x", "bounce", "sg-9", time.time())
        code, answer = await post_sendgrid(h, event)
        assert code == 200 and answer["unknown"] == 1


def notify_settings(fake: FakeNotify) -> dict:
    return {
        "notify_base_url": fake.url,
        "notify_callback_token": NOTIFY_TOKEN,
        "temporary_failure_retry_minutes": 30,
        "delivery": {
            "rutland": {
                "provider": "notify",
                "notify_api_key": NOTIFY_KEY,
                "templates": {"email": "email-template-id", "text_reminder": "text-template-id"},
            }
        },
    }


def receipt(key: str, status: str, notification_id: str) -> bytes:
    return json.dumps(
        {
            "id": notification_id,
            "reference": key,
            "to": "+447400123456",
            "status": status,
            "created_at": "2026-12-03T09:00:00.000000Z",
            "completed_at": "2026-12-03T09:00:05.000000Z",
            "notification_type": "sms",
        }
    ).encode()


async def test_a_parent_who_chose_texts_gets_them_through_notify(
    time_env, tmp_path, notify
) -> None:
    async with harness(time_env, tmp_path, **notify_settings(notify)) as h:
        handle, d0, due = await appeal_case(
            h, "RUT-DL-TEXT", mobile="07400 123456", contact_preference="text"
        )
        await skip_to_reminder(h, d0, due, 2)
        texts = [r for r in notify.accepted if r.kind == "sms"]
        (text,) = texts
        assert text.body["phone_number"] == "+447400123456"
        assert text.body["template_id"] == "text-template-id"
        assert text.body["personalisation"]["case_ref"] == "RUT-DL-TEXT"
        key = text.body["reference"]
        assert key.endswith("/reminder/2/parent/sms")
        # no email to the parent that day: the text replaced it
        parent_emails = [r for r in notify.accepted if r.kind == "email"
                         and r.body["email_address"] == "sam.parent@example.org"]  # fmt: skip
        assert [r.body["reference"] for r in parent_emails if "/2/" in r.body["reference"]] == []

        auth = {"Authorization": f"Bearer {NOTIFY_TOKEN}"}
        assert (await handle_notify(h.env.client, h.settings, receipt(key, "delivered", "x"),
                                    {"Authorization": "Bearer wrong"}))[0] == 401  # fmt: skip
        code, answer = await handle_notify(
            h.env.client, h.settings, receipt(key, "temporary-failure", text.notification_id), auth
        )
        assert code == 200 and answer["resends"] == 1
        await h.skip(30 / (24 * 60) + 0.001)
        again = [r for r in notify.accepted if r.body["reference"] == key + "/resend"]
        assert len(again) == 1 and again[0].kind == "sms"

        code, answer = await handle_notify(
            h.env.client,
            h.settings,
            receipt(key + "/resend", "permanent-failure", again[0].notification_id),
            auth,
        )
        assert code == 200 and answer["alerts"] == 2
        status = await h.status(handle)
        assert status.warnings == [
            "parent not reached: contact them another way (text message failed)"
        ]


async def test_a_resend_pending_when_the_case_continues_as_new_is_still_sent(
    time_env, tmp_path, notify
) -> None:
    """The resend waited on a timer of the run that received the temporary failure: a
    continue-as-new before it fired lost it for good (the key was marked resent)."""
    async with harness(time_env, tmp_path, **notify_settings(notify)) as h:
        d0 = await h.today()
        parent = {"name": "Sam Parent", "email": "sam.parent@example.org",
                  "mobile": "07400 123456", "contact_preference": "text"}  # fmt: skip
        case = make_case("RUT-DL-CAN", "refusal_to_assess", d0, parent=parent)
        handle = await h.start(case, history_limit=200)
        await h.event(handle, "mediation_adviser_contacted", date=d0)
        await skip_to_reminder(h, d0, timescales.appeal(d0, None, CAL).due, 2)
        (text,) = [r for r in notify.accepted if r.kind == "sms"]
        key = text.body["reference"]
        auth = {"Authorization": f"Bearer {NOTIFY_TOKEN}"}
        code, answer = await handle_notify(
            h.env.client, h.settings, receipt(key, "temporary-failure", text.notification_id), auth
        )
        assert code == 200 and answer["resends"] == 1
        # events until the case continues as new, well before the resend's 30 minutes
        first_run = (await handle.describe()).run_id
        today = await h.today()
        await h.event(handle, "way_forward_meeting_requested", date=today)
        for n in range(1, 60):
            await h.event(handle, "way_forward_meeting_scheduled", date=today,
                          meeting_date=today + timedelta(days=20 + n))  # fmt: skip
            if (await handle.describe()).run_id != first_run:
                break
        assert (await handle.describe()).run_id != first_run, "expected a continue-as-new"
        assert [r for r in notify.accepted if r.body["reference"] == key + "/resend"] == []
        await h.skip(30 / (24 * 60) + 0.001)
        again = [r for r in notify.accepted if r.body["reference"] == key + "/resend"]
        assert len(again) == 1 and again[0].kind == "sms"
        sent = {r.key for r in (await h.status(handle)).reminders_sent}
        assert key + "/resend" in sent  # recorded on the new run
