"""Benchmark: the longest lifecycle we test, measured in history events and payload bytes.

Runs a case through every route on the time-skipping test server (binary from the venv),
then 300 rescheduled meetings over two years, and prints per run (continue-as-new splits
the history) the number of history events, the history's size and the payload bytes.

    .venv/bin/python scripts/bench_lifecycle.py [--events 300] [--history-limit 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import sysconfig
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.api.history.v1 import History  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from ehcp.models import Case, parse_event  # noqa: E402
from ehcp.payloads import CaseStatus, EventReceipt, StartCase, workflow_id  # noqa: E402
from ehcp.settings import Settings  # noqa: E402
from ehcp.uktime import london_date  # noqa: E402
from security.converter import data_converter  # noqa: E402
from security.keys import Keyring  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows.disagreement import DisagreementWorkflow  # noqa: E402

TEST_SERVER = Path(sysconfig.get_path("scripts")) / "temporal-test-server"


def payload_bytes(history: History) -> int:
    """Bytes of every payload in the history (encrypted, as the server stores them)."""

    def walk(message) -> int:
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


async def run_case(env: WorkflowEnvironment, events: int, history_limit: int, outbox: Path):
    settings = Settings(task_queue="bench", outbox_dir=outbox)
    client = env.client
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with build_worker(client, settings, executor):
            d0 = london_date(await env.get_current_time())
            case = Case.model_validate(
                {
                    "case_ref": "RUT-BENCH-1",
                    "decision_type": "plan_content",
                    "decision_date": d0.isoformat(),
                    "parent": {"name": "Sam Parent", "email": "sam@example.org"},
                    "second_contact": {"name": "Jo Carer", "email": "jo@example.org"},
                    "caseworker": {"name": "Alex Caseworker", "email": "alex@rutland.gov.uk"},
                    "health_contact": {"name": "ICB lead", "email": "icb@nhs.example"},
                }
            )
            handle = await client.start_workflow(
                DisagreementWorkflow.run,
                StartCase(case=case, history_limit=history_limit),
                id=workflow_id(case.case_ref),
                task_queue=settings.task_queue,
            )

            async def event(**fields) -> EventReceipt:
                return await handle.execute_update(
                    DisagreementWorkflow.record_event,
                    parse_event(fields),
                    result_type=EventReceipt,
                )

            async def today():
                return london_date(await env.get_current_time())

            started = time.perf_counter()
            await event(kind="mediation_requested", date=d0, health_included=True)
            await env.sleep(timedelta(days=20))
            t = await today()
            await event(
                kind="mediation_held",
                date=t,
                outcome="partial_agreement",
                agreed_actions=[{"summary": "Speech therapy review"}],
            )
            await event(
                kind="mediation_certificate_issued", date=t, certificate_kind="mediation_completed"
            )
            await event(
                kind="appeal_registered",
                date=t,
                tribunal_ref="EH1/26/1",
                health_included=True,
                social_care_included=True,
            )
            await env.sleep(timedelta(days=60))
            t = await today()
            await event(
                kind="tribunal_decision",
                date=t,
                outcome="allowed",
                orders=["amend_provision", "amend_placement"],
                recommendations=[
                    {"addressed_to": "health", "summary": "Review"},
                    {"addressed_to": "social_care", "summary": "Respite"},
                ],
            )
            await env.sleep(timedelta(days=50))  # the responses are missed: escalations
            for n in range(events):
                if n % 10 == 0:
                    await env.sleep(timedelta(days=20))
                t = await today()
                await event(
                    kind="way_forward_meeting_scheduled",
                    date=t,
                    meeting_date=t + timedelta(days=5 + n),
                )
            elapsed = time.perf_counter() - started
            status = await handle.query(DisagreementWorkflow.status, result_type=CaseStatus)
            histories = []
            run_id = handle.result_run_id
            while run_id:  # follow the continue-as-new chain from the first run
                h = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
                raw = History(events=h.events)
                histories.append((run_id, len(h.events), raw.ByteSize(), payload_bytes(raw)))
                last = h.events[-1]
                attrs = last.workflow_execution_continued_as_new_event_attributes
                run_id = (
                    attrs.new_execution_run_id
                    if last.HasField("workflow_execution_continued_as_new_event_attributes")
                    else None
                )
            await handle.terminate("benchmark finished")
            return elapsed, status, histories


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--history-limit", type=int, default=10_000)
    args = parser.parse_args()
    keyring = Keyring("bench", {"bench": os.urandom(32)}, "benchmark")
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(keyring), test_server_existing_path=str(TEST_SERVER)
    )
    try:
        from tests.conftest import register_search_attributes

        await register_search_attributes(env)
        with tempfile.TemporaryDirectory() as outbox:
            elapsed, status, histories = await run_case(
                env, args.events, args.history_limit, Path(outbox)
            )
    finally:
        await env.shutdown()
    print(
        f"events recorded: {status.events}, reminders/escalations sent: "
        f"{len(status.reminders_sent)}, deadlines: {len(status.deadlines)}"
    )
    print(f"wall time driving the case: {elapsed:.1f} s")
    print(f"runs (continue-as-new): {len(histories)}")
    for run_id, n_events, size, payloads in histories:
        print(
            f"  run {run_id[:8]}: {n_events} history events, {size} bytes, {payloads} payload bytes"
        )
    print(
        f"total: {sum(h[1] for h in histories)} history events, "
        f"{sum(h[2] for h in histories)} bytes, {sum(h[3] for h in histories)} payload bytes"
    )


if __name__ == "__main__":
    asyncio.run(main())
