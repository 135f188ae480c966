"""Many back-office clients at once: nothing lost, nothing recorded twice.

Each test runs on the time-skipping test server (the Java emulation the other workflow tests
use) and on the real server (`temporal server start-dev` from the venv), because the
semantics under test (update admission, in-flight limits, update-id de-duplication) are the
server's. What these tests establish is written up in docs/concurrency.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RetryConfig
from temporalio.testing import WorkflowEnvironment

from ehcp.models import parse_event
from ehcp.payloads import EventReceipt, event_digest
from tests.conftest import SERVER_STARTUP, TEMPORAL
from tests.workflow.harness import Harness, harness, make_case
from workflows.disagreement import DisagreementWorkflow
from workflows.search_attributes import ALL_KEYS

ALREADY = "already recorded"


@pytest.fixture(scope="module")
async def dev_env(time_env) -> AsyncIterator[WorkflowEnvironment]:
    assert TEMPORAL.exists(), f"{TEMPORAL} missing: run `make test` to install dev extras"
    env = await WorkflowEnvironment.start_local(
        data_converter=time_env.client.data_converter,  # the same (encrypting) converter
        dev_server_existing_path=str(TEMPORAL),
        dev_server_startup_timeout=SERVER_STARTUP,
        search_attributes=ALL_KEYS,
        dev_server_log_level="error",
        # the server admits 10 updates per case at once and answers the rest "resource
        # exhausted"; the SDK retries them (same update id), but by default for 10 s at most,
        # which a loaded `make test` outlasted. A back office retrying a 429 waits longer too.
        retry_config=RetryConfig(
            max_retries=100, max_elapsed_time_millis=120_000, max_interval_millis=2_000
        ),
    )
    yield env
    await env.shutdown()


@pytest.fixture(params=["time_skipping", pytest.param("dev_server", marks=pytest.mark.integration)])
def env(request) -> WorkflowEnvironment:
    return request.getfixturevalue("time_env" if request.param == "time_skipping" else "dev_env")


# -- helpers ----------------------------------------------------------------------------------


async def record(
    handle: WorkflowHandle, kind: str, update_id: str | None = None, **fields
) -> EventReceipt | WorkflowUpdateFailedError:
    """The receipt, or the refusal (any other error fails the test)."""
    event = parse_event({"kind": kind, **fields})
    try:
        return await handle.execute_update(
            DisagreementWorkflow.record_event, event, id=update_id, result_type=EventReceipt
        )
    except WorkflowUpdateFailedError as refused:
        return refused


def accepted(results: list) -> list[EventReceipt]:
    return [r for r in results if isinstance(r, EventReceipt)]


def refusals(results: list) -> list[str]:
    return [str(r.cause) for r in results if isinstance(r, WorkflowUpdateFailedError)]


async def assert_sound(h: Harness, handle: WorkflowHandle, receipts: list[EventReceipt]) -> None:
    """Every accepted event is in the timeline exactly once, under the seq its receipt gave;
    seqs run 1..N with no gap; no workflow task failed."""
    timeline = (await h.timeline(handle)).events
    assert [e.seq for e in timeline] == list(range(1, len(timeline) + 1))
    by_seq = {e.seq: e for e in timeline}
    assert len({r.seq for r in receipts}) == len(receipts), "two receipts with one seq"
    for receipt in receipts:
        assert by_seq[receipt.seq].event.kind == receipt.kind
    status = await h.status(handle)
    assert status.events == len(timeline)
    history = await handle.fetch_history()
    types = [e.event_type for e in history.events]
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in types
    completed = types.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
    assert completed >= len(receipts)


async def start(h: Harness, ref: str, **kwargs) -> tuple[WorkflowHandle, date]:
    today = await h.today()
    handle = await h.start(make_case(ref, "plan_content", today - timedelta(days=40)), **kwargs)
    return handle, today


# -- tests ------------------------------------------------------------------------------------


async def test_thirty_concurrent_events_on_one_case_are_each_recorded_once(env, tmp_path):
    async with harness(env, tmp_path) as h:
        handle, today = await start(h, "RUT-CONC-1")
        meetings = [today + timedelta(days=n) for n in range(1, 31)]
        results = await asyncio.gather(
            *(
                record(handle, "way_forward_meeting_scheduled", date=today, meeting_date=m)
                for m in meetings
            )
        )
        receipts = accepted(results)
        assert len(receipts) == 30, refusals(results)
        assert sorted(r.seq for r in receipts) == list(range(1, 31))
        await assert_sound(h, handle, receipts)
        timeline = (await h.timeline(handle)).events
        assert sorted(e.event.meeting_date for e in timeline) == meetings  # each once
        # each receipt names the meeting its own event scheduled
        for receipt in receipts:
            (spec,) = receipt.deadlines
            assert spec.due == timeline[receipt.seq - 1].event.meeting_date


async def test_twenty_cases_five_events_each_all_at_once(env, tmp_path):
    async with harness(env, tmp_path) as h:
        cases = [await start(h, f"RUT-MANY-{n}") for n in range(1, 21)]

        def five(today: date) -> list[dict]:
            return [
                {"kind": "mediation_adviser_contacted", "date": today},
                {"kind": "way_forward_meeting_requested", "date": today},
                {"kind": "disagreement_resolution_started", "date": today},
                {
                    "kind": "way_forward_meeting_scheduled",
                    "date": today,
                    "meeting_date": today + timedelta(days=10),
                },
                {
                    "kind": "way_forward_meeting_scheduled",
                    "date": today,
                    "meeting_date": today + timedelta(days=11),
                },
            ]

        calls = [(handle, fields) for handle, today in cases for fields in five(today)]
        started = time.monotonic()
        results = await asyncio.gather(*(record(handle, **fields) for handle, fields in calls))
        elapsed = time.monotonic() - started
        assert len(accepted(results)) == 100, refusals(results)
        for handle, _ in cases:
            receipts = [r for (hd, _), r in zip(calls, results, strict=True) if hd is handle]
            assert sorted(r.seq for r in receipts) == [1, 2, 3, 4, 5]
            await assert_sound(h, handle, receipts)
            kinds = sorted(e.event.kind for e in (await h.timeline(handle)).events)
            assert kinds == sorted(f["kind"] for f in five(cases[0][1]))
        print(f"100 events on 20 cases in {elapsed:.2f} s")


async def test_identical_events_sent_at_once_are_recorded_once(env, tmp_path):
    async with harness(env, tmp_path) as h:
        handle, today = await start(h, "RUT-DUP-1")
        results = await asyncio.gather(
            *(record(handle, "mediation_adviser_contacted", date=today) for _ in range(10))
        )
        receipts = accepted(results)
        assert len(receipts) == 1
        assert receipts[0].seq == 1
        messages = refusals(results)
        assert len(messages) == 9
        assert all(ALREADY in m for m in messages), messages
        await assert_sound(h, handle, receipts)
        assert len((await h.timeline(handle)).events) == 1


async def test_duplicates_mixed_with_distinct_events(env, tmp_path):
    async with harness(env, tmp_path) as h:
        handle, today = await start(h, "RUT-DUP-2")
        calls = [record(handle, "mediation_declined", date=today) for _ in range(10)]
        calls += [
            record(
                handle,
                "way_forward_meeting_scheduled",
                date=today,
                meeting_date=today + timedelta(days=n),
            )
            for n in range(1, 11)
        ]
        results = await asyncio.gather(*calls)
        receipts = accepted(results)
        assert len(receipts) == 11
        assert [r.kind for r in receipts].count("mediation_declined") == 1
        assert all(ALREADY in m for m in refusals(results))
        assert sorted(r.seq for r in receipts) == list(range(1, 12))
        await assert_sound(h, handle, receipts)


async def test_the_same_update_id_is_applied_once(env, tmp_path):
    async with harness(env, tmp_path) as h:
        handle, today = await start(h, "RUT-UID-1")
        first = await record(handle, "way_forward_meeting_requested", "bo-1001", date=today)
        again = await record(handle, "way_forward_meeting_requested", "bo-1001", date=today)
        # Temporal de-duplicates by update id: the retry gets the first receipt back
        assert isinstance(again, EventReceipt)
        assert again == first

        # sent five times at once with one id: one event, five identical receipts
        results = await asyncio.gather(
            *(
                record(handle, "disagreement_resolution_started", "bo-1002", date=today)
                for _ in range(5)
            )
        )
        assert len(accepted(results)) == 5
        assert {r.seq for r in accepted(results)} == {2}

        # a reused id with a DIFFERENT event: the server answers with the first event's
        # receipt and the new event is silently not recorded (ids must never be reused)
        other = await record(handle, "mediation_adviser_contacted", "bo-1001", date=today)
        assert isinstance(other, EventReceipt)
        assert other == first
        kinds = [e.event.kind for e in (await h.timeline(handle)).events]
        assert kinds == ["way_forward_meeting_requested", "disagreement_resolution_started"]

        # a refused update leaves no trace: the same id is checked afresh each time
        for _ in range(2):
            refused = await record(
                handle, "mediation_held", "bo-1003", date=today, outcome="no_agreement"
            )
            assert isinstance(refused, WorkflowUpdateFailedError)
            assert "no mediation is requested" in str(refused.cause)
        await record(handle, "mediation_requested", "bo-1004", date=today)
        held = await record(handle, "mediation_held", "bo-1003", date=today, outcome="no_agreement")
        assert isinstance(held, EventReceipt) and held.seq == 4
        await assert_sound(h, handle, [first, accepted(results)[0], held])


async def test_update_ids_are_remembered_across_continue_as_new(env, tmp_path):
    async with harness(env, tmp_path) as h:
        handle, today = await start(h, "RUT-UID-2", history_limit=30)
        first = await record(handle, "way_forward_meeting_requested", "bo-2001", date=today)
        assert isinstance(first, EventReceipt)
        sent = parse_event({"kind": "way_forward_meeting_requested", "date": today})
        assert first.digest == event_digest(sent)
        first_run = (await handle.describe()).run_id
        for n in range(1, 8):
            await h.event(
                handle,
                "way_forward_meeting_scheduled",
                date=today,
                meeting_date=today + timedelta(days=n),
            )
        deadline = time.monotonic() + 20
        while (await handle.describe()).run_id == first_run:
            assert time.monotonic() < deadline, "the case never continued as new"
            await asyncio.sleep(0.1)
        # The new run carries the receipts of the old one: the retry gets the first receipt
        # back, as it would have within one run, and nothing is applied again.
        retry = await record(handle, "way_forward_meeting_requested", "bo-2001", date=today)
        assert retry == first
        # A different event under a taken id: the first receipt, whose digest is not that of
        # the event sent (the client compares them and reports the clash).
        other = await record(handle, "mediation_adviser_contacted", "bo-2001", date=today)
        assert other == first
        clash = parse_event({"kind": "mediation_adviser_contacted", "date": today})
        assert other.digest != event_digest(clash)
        timeline = (await h.timeline(handle)).events
        assert [e.event.kind for e in timeline].count("way_forward_meeting_requested") == 1
        assert "mediation_adviser_contacted" not in [e.event.kind for e in timeline]
        assert [e.seq for e in timeline] == list(range(1, 9))
