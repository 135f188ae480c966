"""Cases on the time-skipping server, emailing through the fake SendGrid: a 500 is retried and
sent once, a 400 is recorded on the case and alerted to staff through the outbox, and a
202 whose record failed is not sent again."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy.exc import OperationalError
from temporalio.testing import WorkflowEnvironment

from ehcp import timescales
from ehcp.calendar import WorkingDayCalendar
from store.sent_ledger import SentLedger
from tests.conftest import SERVER_STARTUP, TEST_SERVER, register_search_attributes
from tests.sendgrid_fake import TEST_API_KEY, Answer, FakeSendGrid
from tests.workflow.harness import Harness, harness, make_case

CAL = WorkingDayCalendar()


def sendgrid_settings(fake: FakeSendGrid) -> dict[str, object]:
    return {"sendgrid_api_key": TEST_API_KEY, "sendgrid_host": fake.url}


async def appeal_case(h: Harness, ref: str):
    """A case whose only open deadline is the parent's appeal; returns (handle, due)."""
    d0 = await h.today()
    handle = await h.start(make_case(ref, "refusal_to_assess", d0))
    await h.event(handle, "mediation_adviser_contacted", date=d0)
    return handle, d0, timescales.appeal(d0, None, CAL).due


async def skip_to_reminder(h: Harness, d0: date, due: date, offset: int) -> None:
    """Past 9am on the day the `offset`-day reminder goes."""
    await h.skip((due - d0).days - offset + 1 - (await h.today() - d0).days)


async def test_a_500_is_retried_and_each_key_sent_once(time_env, tmp_path, sendgrid) -> None:
    sendgrid.script(Answer.error(500, "Internal server error"))
    async with harness(time_env, tmp_path, **sendgrid_settings(sendgrid)) as h:
        handle, d0, due = await appeal_case(h, "RUT-SG-500")
        await skip_to_reminder(h, d0, due, 14)
        status = await h.status(handle)
        (record,) = status.reminders_sent
        assert [r.status for r in sendgrid.received] == [500, 202]
        assert sendgrid.accepted_keys() == [record.key]
        assert record.transport == "sendgrid"
        assert record.message_id == sendgrid.accepted[0].message_id
        assert status.delivery_failures == []

        await skip_to_reminder(h, d0, due, 0)
        status = await h.status(handle)
        keys = [r.key for r in status.reminders_sent]
        assert len(keys) == 4 and sorted(keys) == sorted(sendgrid.accepted_keys())
        assert len(set(keys)) == 4 and len(sendgrid.received) == 5
        assert h.outbox() == []  # everything went through SendGrid
        for key in keys:
            assert SentLedger(h.settings.database_url).sent(key) is not None


async def test_a_400_is_recorded_on_the_case_and_staff_are_alerted(
    time_env, tmp_path, sendgrid
) -> None:
    message = "The to email does not contain a valid address."
    sendgrid.script(Answer.error(400, message, field="personalizations.0.to.0.email"))
    async with harness(time_env, tmp_path, **sendgrid_settings(sendgrid)) as h:
        handle, d0, due = await appeal_case(h, "RUT-SG-400")
        await skip_to_reminder(h, d0, due, 14)
        status = await h.status(handle)

        (failure,) = status.delivery_failures
        assert (failure.status_code, failure.reason) == (400, message)
        assert failure.deadline_key == "appeal" and failure.role == "parent"
        assert len(sendgrid.received) == 1  # never retried
        assert sendgrid.accepted == []

        alerts = [r for r in status.reminders_sent if r.kind == "delivery_failure"]
        assert [(r.role, r.transport) for r in sorted(alerts, key=lambda r: r.role)] == [
            ("caseworker", "outbox"),
            ("send_manager", "outbox"),
        ]
        files = h.outbox()
        assert len(files) == 2
        readers = set()
        for path in files:
            eml = message_from_bytes(path.read_bytes(), policy=default_policy)
            readers.add(eml["To"].addresses[0].addr_spec)
            assert eml["X-EHCP-Key"].strip().startswith(f"{failure.key}/delivery_failure/")
            text = eml.get_body(("plain",)).get_content()
            assert "could not deliver" in text and "(HTTP 400)" in text and message in text
            assert "RUT-SG-400" in eml["Subject"]
        assert readers == {"alex.cw@rutland.gov.uk", h.settings.send_manager_email}


async def test_an_unrecorded_202_is_not_sent_again_on_retry(
    time_env, tmp_path, sendgrid, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed: list[str] = []
    record_sent = SentLedger.record_sent

    def fails_once(self, key, message_id, transport, attempt=None):
        if not failed:
            failed.append(key)
            # as if the worker lost its connection to the database
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return record_sent(self, key, message_id, transport, attempt)

    monkeypatch.setattr(SentLedger, "record_sent", fails_once)
    async with harness(time_env, tmp_path, **sendgrid_settings(sendgrid)) as h:
        handle, d0, due = await appeal_case(h, "RUT-SG-CRASH")
        await skip_to_reminder(h, d0, due, 14)
        status = await h.status(handle)
        (record,) = status.reminders_sent
        assert failed == [record.key]
        assert len(sendgrid.received) == 1 and sendgrid.accepted_keys() == [record.key]
        assert record.message_id == sendgrid.accepted[0].message_id
        assert status.delivery_failures == []
        assert SentLedger(h.settings.database_url).sent(record.key) is not None


@pytest.fixture
async def own_env(time_env):
    """A test server of its own: with a send held open at SendGrid, the shared server was
    left unable to skip time for later tests (seen only in the full suite)."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=time_env.client.data_converter,
        test_server_existing_path=str(TEST_SERVER),
        test_server_startup_timeout=SERVER_STARTUP,
    )
    await register_search_attributes(env)
    yield env
    await env.shutdown()


async def test_an_event_landing_while_emails_go_out_gets_its_due_notice_at_once(
    own_env, tmp_path, sendgrid
) -> None:
    """The first batch is held open at SendGrid; an event recorded meanwhile makes another
    email due now. It must go out without the clock moving on (nothing here skips time on
    the test server). Due at once: telling the parent of a reply to a recommendation (an
    escalation now waits for the next working-day reminder time, issue 10 fault 5)."""
    release = threading.Event()  # the first batch's request is answered once set
    sendgrid.script(Answer.held(release))
    async with harness(own_env, tmp_path, **sendgrid_settings(sendgrid)) as h:
        d0 = await h.today()
        decided = d0 - timedelta(days=70)
        handle = await h.start(make_case("RUT-SG-RACE", "plan_content", decided))
        await h.event(handle, "appeal_registered", tribunal_ref="EH7/26/7", placement_only=True,
                      health_included=True, date=decided + timedelta(days=10))  # fmt: skip
        recommendations = [{"addressed_to": "health", "summary": f"Therapy {n}"} for n in (1, 2)]
        await h.event(handle, "tribunal_decision", outcome="allowed", date=d0 - timedelta(days=3),
                      recommendations=recommendations)  # fmt: skip
        await h.event(handle, "recommendation_response_sent", recommendation=1, followed=True,
                      date=d0)  # fmt: skip
        await _eventually(lambda: len(sendgrid.received) >= 1)
        # while that batch is held open: the second recommendation's reply
        await h.event(handle, "recommendation_response_sent", recommendation=2, followed=False,
                      reasons="Not available in this area", date=d0)  # fmt: skip
        release.set()
        await _eventually(
            lambda: any("recommendation_response:2@" in (k or "") and k.endswith("/parent")
                        for k in sendgrid.accepted_keys())
        )  # fmt: skip


async def _eventually(check, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not sent while the clock stood still"
        await asyncio.sleep(0.05)
