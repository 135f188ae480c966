"""Dates near the end of the calendar must be refused, never stall a case (found by fuzzing).

Before the event models bounded planned dates (MAX_YEARS_AHEAD in ehcp/models.py), any
`meeting_date`, `hearing_date`, `response_due` or `agreed_due` up to 9999-12-31 was accepted:

- `way_forward_meeting_scheduled` / `hearing_listed` with 9999-12-31 passed the validator and
  the planning activity, then the run loop's `ehcp.notices.next_wakeup` computed
  `due + 1 day` -> OverflowError: every workflow task failed from then on, the update never
  completed, no reminder was ever sent again;
- `appeal_registered` with `response_due` 9999-12-31, or `mediation_held` with an action's
  `agreed_due` 9999-12-31: the planning activity raised OverflowError and was retried for
  ever; the update held the workflow's lock, so every later event waited behind it.

The payloads here are sent raw, as any client could send them (not through the client-side
models), so the worker's own checks are what is tested. Each case runs on a server of its
own: a stuck case must not disturb the tests that share `time_env`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.testing import WorkflowEnvironment

from ehcp.payloads import EventReceipt
from tests.conftest import SERVER_STARTUP, TEST_SERVER, register_search_attributes
from tests.workflow.harness import Harness, harness, make_case

END = "9999-12-31"
#: an answer (accepted or refused) must come within this; planning retries included
ANSWER_S = 15

PROBES = {
    "meeting": ("way_forward_meeting_scheduled", {"meeting_date": END}, []),
    "hearing": (
        "hearing_listed",
        {"hearing_date": END},
        [("appeal_registered", {"tribunal_ref": "EH1/26/1", "placement_only": True})],
    ),
    "response_due": (
        "appeal_registered",
        {"tribunal_ref": "EH1/26/1", "placement_only": True, "response_due": END},
        [],
    ),
    "agreed_due": (
        "mediation_held",
        {"outcome": "agreement", "agreed_actions": [{"summary": "x", "agreed_due": END}]},
        [("mediation_requested", {})],
    ),
}


@pytest.fixture
async def own_env(time_env):
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=time_env.client.data_converter,
        test_server_existing_path=str(TEST_SERVER),
        test_server_startup_timeout=SERVER_STARTUP,
    )
    await register_search_attributes(env)
    yield env
    await env.shutdown()


async def probe(h: Harness, n: int, kind: str, fields: dict, before: list) -> list[str]:
    """What went wrong (nothing when the event is refused or handled, and the case works)."""
    d0 = await h.today()
    handle: WorkflowHandle = await h.start(make_case(f"RUT-FAR-{n}", "plan_content", d0))
    for earlier_kind, earlier in before:
        await h.event(handle, earlier_kind, date=d0, **earlier)
    raw = {"kind": kind, "date": d0.isoformat(), **fields}
    problems = []
    try:
        await asyncio.wait_for(
            handle.execute_update("record_event", raw, result_type=EventReceipt), ANSWER_S
        )
    except WorkflowUpdateFailedError:
        pass  # refused: the right answer
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        problems.append(f"{kind}: no answer within {ANSWER_S} s")
    try:  # the case still takes an ordinary event
        await asyncio.wait_for(h.event(handle, "mediation_adviser_contacted", date=d0), 5)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        problems.append(f"{kind}: the next ordinary event got no answer")
    history = await handle.fetch_history()
    failed = [
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]
    if failed:
        problems.append(f"{kind}: {len(failed)} workflow task(s) failed")
    return problems


async def test_dates_at_the_end_of_the_calendar_never_stall_a_case(own_env, tmp_path):
    started = time.monotonic()
    async with harness(own_env, tmp_path) as h:
        found = await asyncio.gather(
            *(
                probe(h, n, kind, fields, before)
                for n, (kind, fields, before) in enumerate(PROBES.values())
            )
        )
    problems = [p for ps in found for p in ps]
    assert not problems, problems
    assert time.monotonic() - started < 2 * ANSWER_S


async def test_dates_a_few_years_ahead_are_handled(time_env, tmp_path):
    """Far, but within the bound: accepted, and the case carries on."""
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-FAR-OK", "plan_content", d0))
        await h.event(
            handle,
            "way_forward_meeting_scheduled",
            date=d0,
            meeting_date=d0 + timedelta(days=4 * 366),
        )
        await h.skip(3)
        await h.event(handle, "mediation_adviser_contacted", date=await h.today())
        history = await handle.fetch_history()
        assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in [
            e.event_type for e in history.events
        ]
