"""Crash and restart proofs on the real dev server with real worker processes.

Nothing here trusts a clean shutdown: workers are killed with SIGKILL in the middle of work,
and the server is stopped and started again on the same SQLite file.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest
from temporalio.client import Client

from ehcp.models import Case, Contact, parse_event
from ehcp.payloads import CaseStatus, CaseTimeline, EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date, london_offset
from tests.integration.devstack import (
    START_DEADLINE_S,
    DevServer,
    WorkerProcess,
    eventually,
)
from tests.sendgrid_fake import TEST_API_KEY, Answer, FakeSendGrid
from worker import connect
from workflows.disagreement import DisagreementWorkflow

pytestmark = pytest.mark.integration

CRASH_POINTS: list[str] = []  # filled as tests survive them; printed for the closing note


def stack_env(tmp_path: Path, server: DevServer, **extra: str) -> dict[str, str]:
    key = base64.b64encode(os.urandom(32)).decode()
    return {
        "EHCP_TEMPORAL_ADDRESS": server.address,
        "EHCP_TASK_QUEUE": f"crash-{uuid.uuid4()}",
        "EHCP_OUTBOX_DIR": str(tmp_path / "outbox"),
        "EHCP_CODEC_KEYS": f"crash-test:{key}",
        "EHCP_CODEC_CURRENT_KEY": "crash-test",
        **extra,
    }


async def client_for(env: dict[str, str], server: DevServer) -> Client:
    names = {
        "EHCP_TEMPORAL_ADDRESS": "temporal_address",
        "EHCP_TASK_QUEUE": "task_queue",
        "EHCP_CODEC_KEYS": "codec_keys",
        "EHCP_CODEC_CURRENT_KEY": "codec_current_key",
    }
    settings = Settings(**{field: env[var] for var, field in names.items()})

    async def factory(address: str) -> Client:
        return await connect(settings.model_copy(update={"temporal_address": address}))

    return await server.wait_ready(factory)


def case(ref: str, decided) -> Case:
    return Case.model_validate(
        {
            "case_ref": ref,
            "decision_type": "plan_content",
            "decision_date": decided.isoformat(),
            "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
            "caseworker": {"name": "Alex Caseworker", "email": "alex.cw@rutland.gov.uk"},
        }
    )


async def start_case(client: Client, env: dict[str, str], c: Case):
    return await client.start_workflow(
        DisagreementWorkflow.run,
        StartCase(case=c),
        id=workflow_id(c.case_ref),
        task_queue=env["EHCP_TASK_QUEUE"],
    )


async def record(handle, **event) -> EventReceipt:
    return await handle.execute_update(
        DisagreementWorkflow.record_event, parse_event(event), result_type=EventReceipt
    )


async def status(handle) -> CaseStatus:
    return await handle.query(DisagreementWorkflow.status, result_type=CaseStatus)


async def started_status(handle) -> CaseStatus:
    """The status once the first deadlines are dated (a moment after the start)."""
    deadline = time.monotonic() + START_DEADLINE_S
    while (result := await status(handle)).starting:
        assert time.monotonic() < deadline, "the case never finished starting"
        await asyncio.sleep(0.05)
    return result


def outbox_keys(folder: Path) -> Counter[str]:
    keys: Counter[str] = Counter()
    for path in folder.glob("*.eml"):
        with path.open("rb") as handle:
            keys[BytesParser(policy=default_policy).parse(handle)["X-EHCP-Key"]] += 1
    return keys


@pytest.fixture
def stack(tmp_path: Path):
    server = DevServer(tmp_path / "temporal.db")
    workers: list[WorkerProcess] = []

    def new_worker(env: dict[str, str]) -> WorkerProcess:
        workers.append(WorkerProcess(env, tmp_path / f"worker-{len(workers)}.log"))
        return workers[-1]

    yield server, new_worker
    for w in workers:
        w.stop()
    server.stop()


async def test_kill_9_while_events_are_being_recorded_loses_nothing(stack, tmp_path):
    server, new_worker = stack
    server.start()
    env = stack_env(tmp_path, server)
    worker = new_worker(env)
    worker.start()
    client = await client_for(env, server)
    await worker.wait_polling()
    today = london_date(datetime.now(UTC))
    handle = await start_case(client, env, case("RUT-CRASH-1", today - timedelta(days=5)))
    before = {d.key: d.due for d in (await started_status(handle)).deadlines}

    meetings = [today + timedelta(days=30 + n) for n in range(8)]
    pending = [
        asyncio.create_task(
            record(
                handle,
                kind="way_forward_meeting_scheduled",
                date=today.isoformat(),
                meeting_date=m.isoformat(),
            )
        )
        for m in meetings
    ]
    await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    worker.kill9()  # with most events still on their way in
    in_flight = sum(not t.done() for t in pending)
    CRASH_POINTS.append(f"worker SIGKILL with {in_flight} of 8 events in flight")
    again = new_worker(env)
    again.start()
    receipts = await asyncio.wait_for(asyncio.gather(*pending), timeout=120)

    timeline = await handle.query(DisagreementWorkflow.timeline, result_type=CaseTimeline)
    recorded = [e.event.meeting_date for e in timeline.events]
    assert sorted(recorded) == meetings  # every accepted event, none twice
    assert [e.seq for e in timeline.events] == list(range(1, 9))
    assert sorted(r.seq for r in receipts) == list(range(1, 9))
    after = await status(handle)
    assert {d.key: d.due for d in after.deadlines if d.key in before} == before
    last = next(e for e in timeline.events if e.seq == 8).event.meeting_date
    assert next(d.due for d in after.deadlines if d.key == "way_forward_meeting") == last


#: seconds from a ready server to the reminder time: enough for a worker to start and 3 cases
#: to start under a loaded `make test` (about 5 s on a quiet machine)
REMINDER_LEAD_S = 15


def london_clock_time(utc: datetime) -> str:
    return (utc + london_offset(utc)).strftime("%H:%M:%S")


async def test_cases_continue_and_timers_fire_after_a_server_restart(stack, tmp_path):
    server, new_worker = stack
    now = datetime.now(UTC)
    if london_date(now + timedelta(seconds=60)) != london_date(now):
        await asyncio.sleep(65)  # not across London midnight: the reminder is "today"
    server.start()
    env = stack_env(tmp_path, server)
    client = await client_for(env, server)
    # The reminder time is set once the server answers (its start-up is the slow, variable
    # part), far enough ahead for a worker to start and 3 cases to be started and checked
    # before it; no spread, so every case wakes at that second (not up to a minute later).
    now = datetime.now(UTC)
    reminder_at = now + timedelta(seconds=REMINDER_LEAD_S)
    env |= {"EHCP_REMINDER_TIME": london_clock_time(reminder_at), "EHCP_REMINDER_SPREAD_S": "0"}
    worker = new_worker(env)
    worker.start()
    await worker.wait_polling()
    today = london_date(now)
    handles = []
    for n in range(3):
        handle = await start_case(client, env, case(f"RUT-RESTART-{n}", today - timedelta(1)))
        await record(
            handle,
            kind="way_forward_meeting_scheduled",
            date=today.isoformat(),
            meeting_date=today.isoformat(),
        )
        assert (await status(handle)).reminders_sent == []  # due at reminder_at, not yet
        handles.append(handle)

    worker.stop()
    server.stop()
    CRASH_POINTS.append("dev server stopped and started on the same SQLite file, 3 open cases")
    await eventually(lambda: datetime.now(UTC) > reminder_at, "the reminder time", 60)
    server.start()
    worker = new_worker(env)
    worker.start()
    client = await client_for(env, server)
    handles = [client.get_workflow_handle(h.id) for h in handles]

    expected = {
        f"{h.id.removeprefix('ehcp-case-')}/way_forward_meeting@{today}/reminder/0/{role}"
        for h in handles
        for role in ("parent", "caseworker")
    }
    deadline = time.monotonic() + START_DEADLINE_S * 2
    while set(outbox_keys(tmp_path / "outbox")) != expected:
        assert time.monotonic() < deadline, outbox_keys(tmp_path / "outbox")
        await asyncio.sleep(0.2)
    for handle in handles:
        s = await status(handle)
        assert {n.key for n in s.reminders_sent} <= expected
        assert len(s.reminders_sent) == 2
        receipt = await record(
            handle, kind="way_forward_meeting_held", date=today.isoformat(), outcome="resolved"
        )
        assert receipt.seq == 2  # the case goes on
    assert all(count == 1 for count in outbox_keys(tmp_path / "outbox").values())


async def test_kill_9_while_a_reminder_is_being_sent_sends_it_exactly_once(stack, tmp_path):
    server, new_worker = stack
    with FakeSendGrid() as sendgrid:
        # The first message hangs at "SendGrid" until the worker is dead; the rest go through.
        sendgrid.script(Answer.hang(600, then=500))
        server.start()
        env = stack_env(
            tmp_path, server,
            EHCP_SENDGRID_API_KEY=TEST_API_KEY,
            EHCP_SENDGRID_HOST=sendgrid.url,
            EHCP_DATABASE_URL=f"sqlite:///{tmp_path / 'ehcp.db'}",
        )  # fmt: skip
        worker = new_worker(env)
        worker.start()
        client = await client_for(env, server)
        await worker.wait_polling()
        today = london_date(datetime.now(UTC))
        c = case("RUT-CRASH-2", today - timedelta(days=60)).model_copy(
            update={"second_contact": Contact(name="Jo Parent", email="jo.parent@example.org")}
        )
        handle = await start_case(client, env, c)
        # Due at once: telling both parents of a reply to a recommendation (escalations wait
        # for the next working-day reminder time after the case learns of a deadline).
        await record(handle, kind="appeal_registered", tribunal_ref="EH1/26/3",
                     placement_only=True, health_included=True,
                     date=(today - timedelta(days=50)).isoformat())  # fmt: skip
        await record(handle, kind="tribunal_decision", outcome="allowed",
                     date=(today - timedelta(days=3)).isoformat(),
                     recommendations=[{"addressed_to": "health", "summary": f"R{n}"}
                                      for n in (1, 2)])  # fmt: skip
        await record(handle, kind="recommendation_response_sent", recommendation=1,
                     followed=True, date=today.isoformat())  # fmt: skip
        await eventually(lambda: len(sendgrid.received) >= 1, "the first send", 30)
        hung = sendgrid.received[0].key
        worker.kill9()
        CRASH_POINTS.append("worker SIGKILL while SendGrid held a send open")
        again = new_worker(env)
        again.start()

        deadline = time.monotonic() + 120  # the lost attempt times out (30 s), then retries
        wanted = 2
        while True:
            s = await status(handle)
            sent = {n.key for n in s.reminders_sent}
            if hung in sent and len(sent) >= wanted == 4:
                break
            if hung in sent and len(sent) >= 2 and wanted == 2:
                # after the restart: another reply, two more emails (one per parent)
                await record(handle, kind="recommendation_response_sent", recommendation=2,
                             followed=False, reasons="Not offered here",
                             date=today.isoformat())  # fmt: skip
                wanted = 4
            assert time.monotonic() < deadline, (sent, sendgrid.accepted_keys())
            await asyncio.sleep(0.25)
        accepted = Counter(sendgrid.accepted_keys())
        assert accepted[hung] == 1
        assert all(count == 1 for count in accepted.values()), accepted
        assert set(accepted) == sent  # every message recorded on the case went out once
        assert not s.delivery_failures
