"""The longest lifecycle we test, measured in history events and bytes (ours only).

Runs a case through every route on the time-skipping test server (binary from the venv):
mediation with health and an agreement, a certificate, an appeal, a hearing, the tribunal's
orders and recommendations, responses two weeks late and their escalations (and, with
`--events`, that many rescheduled meetings); then every duty is met and the case closes. For
each run of the continue-as-new chain it reports history events, the history's size and the
payload bytes (encrypted, as the server stores them).

    python -m bench.lifecycle [--events 300] [--history-limit 10000] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import sysconfig
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from temporalio.api.history.v1 import History
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from bench.report import LifecycleResult, LifecycleRun
from ehcp.later_clocks import RIGHT_KEYS
from ehcp.models import Case, parse_event
from ehcp.payloads import CaseStatus, EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date
from ehcp.vocabulary import Party
from security.converter import data_converter
from security.keys import Keyring
from worker import build_worker
from workflows import search_attributes
from workflows.disagreement import DisagreementWorkflow

TEST_SERVER = Path(sysconfig.get_path("scripts")) / "temporal-test-server"
TASK_QUEUE = "bench-lifecycle"
#: the SDK waits 5 s for the server by default: too short on a loaded machine
SERVER_STARTUP = timedelta(seconds=60)


def payload_bytes(history: History) -> int:
    """Bytes of every payload in the history (encrypted, as the server stores them)."""

    def walk(message: Any) -> int:
        total = 0
        for field, value in message.ListFields():
            if field.message_type is None:
                continue
            if field.message_type.GetOptions().map_entry:
                items = list(value.values())
            elif hasattr(value, "ListFields"):
                items = [value]
            else:
                items = list(value)
            for item in items:
                if not hasattr(item, "ListFields"):
                    continue
                if item.DESCRIPTOR.full_name == "temporal.api.common.v1.Payload":
                    total += len(item.data)
                else:
                    total += walk(item)
        return total

    return sum(walk(event) for event in history.events)


def longest_case(decided: date) -> Case:
    return Case.model_validate(
        {
            "case_ref": "RUT-BENCH-1",
            "decision_type": "plan_content",
            "decision_date": decided.isoformat(),
            "parent": {"name": "Sam Parent", "email": "sam@example.org"},
            "second_contact": {"name": "Jo Carer", "email": "jo@example.org"},
            "caseworker": {"name": "Alex Caseworker", "email": "alex@rutland.gov.uk"},
            "health_contact": {"name": "ICB lead", "email": "icb@nhs.example"},
        }
    )


class Driver:
    """Sends events to one case and moves the test server's clock."""

    def __init__(self, env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
        self.env = env
        self.handle = handle

    async def event(self, **fields: Any) -> EventReceipt:
        return await self.handle.execute_update(
            DisagreementWorkflow.record_event, parse_event(fields), result_type=EventReceipt
        )

    async def today(self) -> date:
        return london_date(await self.env.get_current_time())

    async def days(self, n: int) -> date:
        await self.env.sleep(timedelta(days=n))
        return await self.today()


async def every_route(d: Driver, extra_events: int) -> None:
    """The longest legal route, the council meeting its duties but answering the tribunal's
    recommendations two weeks late (missed, escalated), then closing. A council that
    ignores a duty for months makes a longer history: weekly escalations, and
    continue-as-new (`--events` adds rescheduled meetings, the 300-event stress test)."""
    d0 = await d.today()
    await d.event(kind="mediation_requested", date=d0, health_included=True)
    t = await d.days(2)
    await d.event(kind="obligation_met", date=t, deadline_key="icb_mediation_notice")
    t = await d.days(18)
    await d.event(
        kind="mediation_held",
        date=t,
        outcome="partial_agreement",
        agreed_actions=[{"summary": "Speech therapy review"}],
    )
    await d.event(
        kind="mediation_certificate_issued", date=t, certificate_kind="mediation_completed"
    )
    t = await d.days(7)
    await d.event(kind="obligation_met", date=t, deadline_key="agreement_action:1")
    await d.event(
        kind="appeal_registered",
        date=t,
        tribunal_ref="EH1/26/1",
        health_included=True,
        social_care_included=True,
    )
    t = await d.days(25)
    await d.event(kind="obligation_met", date=t, deadline_key="appeal_response")
    await d.event(kind="hearing_listed", date=t, hearing_date=t + timedelta(days=40))
    t = await d.days(41)
    await d.event(
        kind="tribunal_decision",
        date=t,
        outcome="allowed",
        orders=["amend_provision", "amend_placement"],
        recommendations=[
            {"addressed_to": "health", "summary": "Review"},
            {"addressed_to": "social_care", "summary": "Respite"},
        ],
    )
    for n in range(extra_events):
        if n % 10 == 0:
            await d.days(20)
        t = await d.today()
        meeting = t + timedelta(days=5 + n)
        await d.event(kind="way_forward_meeting_scheduled", date=t, meeting_date=meeting)
    await d.days(50)  # the responses to the recommendations are late: escalations
    if extra_events == 0:  # the stress case ends with meetings still ahead: it is terminated
        await close(d)


async def close(d: Driver) -> None:
    """The council catches up: every open order and recommendation is met, then the case
    closes, so the history measured is the case's whole life."""
    status = await d.handle.query(DisagreementWorkflow.status, result_type=CaseStatus)
    t = await d.today()
    for deadline in status.deadlines:
        if deadline.status not in ("pending", "missed") or deadline.party == Party.parent:
            continue
        if deadline.key.startswith(RIGHT_KEYS):  # a right to challenge, not a duty to meet
            continue
        if deadline.key.startswith("recommendation_response:"):
            number = int(deadline.key.split(":")[1])
            await d.event(
                kind="recommendation_response_sent", date=t, recommendation=number, followed=True
            )
        else:
            await d.event(kind="obligation_met", date=t, deadline_key=deadline.key)
    await d.event(kind="case_closed", date=t, reason="obligations_met")
    await d.handle.result()


async def histories(client: Client, handle: WorkflowHandle) -> list[LifecycleRun]:
    """Every run of the continue-as-new chain, from the first."""
    runs = []
    run_id = handle.result_run_id
    while run_id:
        fetched = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        raw = History(events=fetched.events)
        runs.append(
            LifecycleRun(
                run_id=run_id,
                history_events=len(fetched.events),
                history_bytes=raw.ByteSize(),
                payload_bytes=payload_bytes(raw),
            )
        )
        last = fetched.events[-1]
        continued = last.HasField("workflow_execution_continued_as_new_event_attributes")
        attrs = last.workflow_execution_continued_as_new_event_attributes
        run_id = attrs.new_execution_run_id if continued else None
    return runs


async def run_case(
    env: WorkflowEnvironment, extra_events: int, history_limit: int, outbox: Path
) -> LifecycleResult:
    settings = Settings(task_queue=TASK_QUEUE, outbox_dir=outbox)
    client = env.client
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with build_worker(client, settings, executor):
            case = longest_case(london_date(await env.get_current_time()))
            handle = await client.start_workflow(
                DisagreementWorkflow.run,
                StartCase(case=case, history_limit=history_limit),
                id=workflow_id(case.case_ref),
                task_queue=TASK_QUEUE,
            )
            began = time.perf_counter()
            await every_route(Driver(env, handle), extra_events)
            wall_s = time.perf_counter() - began
            status = await handle.query(DisagreementWorkflow.status, result_type=CaseStatus)
            runs = await histories(client, handle)
            if extra_events:
                await handle.terminate("benchmark finished")
    return LifecycleResult(
        extra_events=extra_events,
        events_recorded=status.events,
        notices_sent=len(status.reminders_sent),
        deadlines=len(status.deadlines),
        wall_s=wall_s,
        runs=runs,
        history_events=sum(r.history_events for r in runs),
        history_bytes=sum(r.history_bytes for r in runs),
        payload_bytes=sum(r.payload_bytes for r in runs),
    )


async def measure(extra_events: int = 0, history_limit: int = 10_000) -> LifecycleResult:
    keyring = Keyring("bench", {"bench": os.urandom(32)}, "benchmark")
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(keyring),
        test_server_existing_path=str(TEST_SERVER),
        test_server_startup_timeout=SERVER_STARTUP,
    )
    try:
        await search_attributes.register(env.client)
        with tempfile.TemporaryDirectory() as outbox:
            return await run_case(env, extra_events, history_limit, Path(outbox))
    finally:
        await env.shutdown()


def describe(result: LifecycleResult) -> str:
    lines = [
        f"events recorded: {result.events_recorded}, reminders/escalations sent: "
        f"{result.notices_sent}, deadlines: {result.deadlines}",
        f"wall time driving the case: {result.wall_s:.1f} s",
        f"runs (continue-as-new): {len(result.runs)}",
    ]
    lines += [
        f"  run {r.run_id[:8]}: {r.history_events} history events, {r.history_bytes} bytes, "
        f"{r.payload_bytes} payload bytes"
        for r in result.runs
    ]
    lines.append(
        f"total: {result.history_events} history events, {result.history_bytes} bytes, "
        f"{result.payload_bytes} payload bytes"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="extra rescheduled meetings")
    parser.add_argument("--history-limit", type=int, default=10_000)
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(measure(args.events, args.history_limit))
    print(describe(result))
    if args.json:
        args.json.write_text(result.model_dump_json(indent=2) + "\n")
    # The SDK's Rust threads can abort interpreter finalisation after a clean run
    # ("PyGILState_Release"): leave once the output is out.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
