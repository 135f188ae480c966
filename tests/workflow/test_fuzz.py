"""Random event sequences against the real workflow on the time-skipping server.

A hypothesis state machine records random events (valid and not: any kind, dates around the
case, random orders, recommendations and deadline keys, malformed payloads), moves the clock
and reads the case, checking after every step that:

- no workflow task ever failed (a failed task stalls a case silently);
- a refused event changes nothing (status and timeline identical before and after);
- an accepted event is appended to the timeline under the next seq, and only then;
- an event that is already recorded, dated in the future or before the decision, or sent to
  a closed case is always refused;
- deadline statuses agree with their dates and with what happened: met/met late/excepted/
  cancelled deadlines have a closed_on date; met means on time, met late means late;
  cancelled stays cancelled and met stays met unless an event re-created the deadline;
  once the clock has run nothing is pending whose due date has passed; `overdue` and
  `next_due` agree with the deadlines; no reminder key was sent twice.

The machine runs on its own event loop in a thread, with its own test server and worker,
because hypothesis drives rules synchronously while pytest-asyncio's loop is in use.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import threading
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.converter import DataConverter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from ehcp.case_state import ALLOWED_ORDERS
from ehcp.later_clocks import RIGHT_KEYS
from ehcp.models import Event, parse_event
from ehcp.payloads import CaseStatus, CaseTimeline, EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date
from ehcp.vocabulary import DeadlineStatus, OrderType, Party
from tests.conftest import SERVER_STARTUP, TEST_SERVER, register_search_attributes
from tests.workflow.harness import make_case
from worker import build_worker
from workflows.disagreement import DisagreementWorkflow

T = TypeVar("T")
S = DeadlineStatus

#: sequences and steps per sequence; EHCP_FUZZ_EXAMPLES=200 for a longer run, and
#: EHCP_FUZZ_SHRINK=1 to have hypothesis shrink a failure (slow when a case is stuck)
MAX_EXAMPLES = int(os.environ.get("EHCP_FUZZ_EXAMPLES", "20"))
STEPS = int(os.environ.get("EHCP_FUZZ_STEPS", "20"))
SHRINK = os.environ.get("EHCP_FUZZ_SHRINK") == "1"
#: an update or query taking longer than this means the case is stuck
ANSWER_TIMEOUT_S = 20

#: status changes allowed while a deadline keeps its identity (same created_at); an event
#: that re-creates a key (a second mediation, a rescheduled meeting) may set any status
ALLOWED = {
    S.pending: set(S),
    S.missed: {S.missed, S.met, S.met_late, S.excepted, S.cancelled},
    S.met: {S.met},
    S.met_late: {S.met_late},
    S.excepted: {S.excepted, S.met, S.met_late},
    S.cancelled: {S.cancelled},
}
CLOSED = {S.met, S.met_late, S.excepted, S.cancelled}
#: keys to try in obligation_met / exception_recorded besides those on the case
OBLIGATION_PREFIXES = ("icb_mediation_notice", "appeal_response", "order:", "agreement_action:")
SOME_KEYS = [
    "appeal",
    "mediation_contact",
    "appeal_response",
    "icb_mediation_notice",
    "order:1:draft_plan",
    "order:1:final_plan",
    "order:2:amended_plan",
    "order:9:final_plan",
    "agreement_action:1",
    "recommendation_response:1",
    "hearing",
]
HISTORY_QUIET_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
}
WFT_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
}
ACTIVITY_DONE = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
}


# -- a dedicated loop, server and worker ------------------------------------------------------


class LoopThread:
    """An event loop running in a daemon thread; `run` blocks until a coroutine is done."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@dataclass
class Fuzz:
    runner: LoopThread
    env: WorkflowEnvironment
    worker: Worker
    settings: Settings
    sequences: int = 0
    steps: int = 0
    events_sent: int = 0
    accepted: int = 0
    kinds_accepted: set[str] = field(default_factory=set)
    closed_cases: int = 0

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return self.runner.run(coro, timeout)


async def start_fuzz(runner: LoopThread, converter: DataConverter, outbox: Path) -> Fuzz:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=converter,
        test_server_existing_path=str(TEST_SERVER),
        test_server_startup_timeout=SERVER_STARTUP,
    )
    await register_search_attributes(env)
    settings_ = Settings(task_queue=f"fuzz-{uuid.uuid4()}", outbox_dir=outbox)
    executor = ThreadPoolExecutor(max_workers=4)
    worker = build_worker(env.client, settings_, executor)
    fuzz = Fuzz(runner=runner, env=env, worker=worker, settings=settings_)
    fuzz._executor = executor  # type: ignore[attr-defined]
    fuzz._worker_task = asyncio.create_task(worker.run())  # type: ignore[attr-defined]
    return fuzz


async def stop_fuzz(fuzz: Fuzz) -> None:
    await fuzz.worker.shutdown()
    with contextlib.suppress(Exception):
        await fuzz._worker_task  # type: ignore[attr-defined]
    fuzz._executor.shutdown()  # type: ignore[attr-defined]
    await fuzz.env.shutdown()


# -- reading the case -------------------------------------------------------------------------


def failed_tasks(history: WorkflowHistory) -> list[str]:
    return [
        e.workflow_task_failed_event_attributes.failure.message
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]


def quiet(history: WorkflowHistory) -> bool:
    """No activity outstanding and the last workflow task completed (or the run ended)."""
    open_activities: set[int] = set()
    last_task = None
    for e in history.events:
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            open_activities.add(e.event_id)
        elif e.event_type in ACTIVITY_DONE:
            attrs = getattr(e, ACTIVITY_DONE[e.event_type])
            open_activities.discard(attrs.scheduled_event_id)
        if e.event_type in WFT_EVENTS or e.event_type in HISTORY_QUIET_EVENTS:
            last_task = e.event_type
    return not open_activities and last_task in HISTORY_QUIET_EVENTS


async def settle(handle: WorkflowHandle) -> None:
    """Wait until the case has finished reacting (to a timer, an event)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while True:
        history = await handle.fetch_history()
        failures = failed_tasks(history)
        assert not failures, f"workflow task failed: {failures}"
        if quiet(history):
            return
        assert time.monotonic() < deadline, "the case never settled: stuck?"
        await asyncio.sleep(0.02)


async def snapshot(handle: WorkflowHandle) -> tuple[CaseStatus, CaseTimeline]:
    await settle(handle)
    status = await handle.query(DisagreementWorkflow.status, result_type=CaseStatus)
    timeline = await handle.query(DisagreementWorkflow.timeline, result_type=CaseTimeline)
    return status, timeline


async def send(handle: WorkflowHandle, event: Any) -> EventReceipt | Exception:
    """The receipt, or the refusal; a timeout means the case is stuck (fails the test)."""
    update = handle.execute_update(
        DisagreementWorkflow.record_event, event, result_type=EventReceipt
    )
    try:
        return await asyncio.wait_for(update, ANSWER_TIMEOUT_S)
    except (WorkflowUpdateFailedError, RPCError) as refused:
        return refused
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        history = await handle.fetch_history()
        raise AssertionError(
            f"no answer to {event!r} within {ANSWER_TIMEOUT_S} s: the case is stuck "
            f"(failed workflow tasks: {failed_tasks(history)})"
        ) from None


def refusal_text(error: Exception) -> str:
    return str(getattr(error, "cause", None) or error)


# -- random events ----------------------------------------------------------------------------
#
# Each rule draws one seed and builds its event from the case as it stands with
# random.Random(seed): what hypothesis draws must not depend on the server's answers (the
# clock and the case differ from one run of a sequence to the next), or it reports
# "inconsistent data generation".

SEEDS = st.integers(0, 2**32 - 1)
KINDS = [
    "way_forward_meeting_requested",
    "way_forward_meeting_scheduled",
    "way_forward_meeting_held",
    "mediation_adviser_contacted",
    "mediation_declined",
    "mediation_requested",
    "mediation_held",
    "mediation_withdrawn",
    "mediation_certificate_issued",
    "disagreement_resolution_started",
    "disagreement_resolution_concluded",
    "appeal_registered",
    "appeal_unopposed",
    "hearing_listed",
    "appeal_withdrawn",
    "tribunal_decision",
    "recommendation_response_sent",
    "obligation_met",
    "exception_recorded",
    "case_closed",
]
EXCEPTION_REASONS = [
    "exceptional_personal_circumstances",
    "away_from_area",
    "parent_representations",
]
CLOSE_REASONS = [
    "resolved_by_agreement",
    "withdrawn",
    "obligations_met",
    "appeal_dismissed",
    "no_appeal",
]
RECOMMENDATION = {"summary": "a recommendation"}


def random_day(rng: random.Random, today: date) -> date:
    """Mostly today or a few days back, sometimes in the future, rarely long before."""
    n = rng.randrange(20)
    if n == 0:
        return today - timedelta(days=400)  # before the decision
    if n <= 2:
        return today + timedelta(days=n)  # the future
    return today - timedelta(days=max(0, n - 14))  # 0..5 days back, mostly today


def after(rng: random.Random, start: date, most: int = 60) -> date:
    return start + timedelta(days=rng.randint(0, most))


def recommendations(rng: random.Random, least: int) -> list[dict]:
    return [
        {**RECOMMENDATION, "addressed_to": rng.choice(["health", "social_care"])}
        for _ in range(rng.randint(least, 2))
    ]


def random_event(rng: random.Random, today: date, keys: list[str]) -> dict[str, Any]:
    """Any kind, random details: mostly refused, sometimes accepted."""
    d = random_day(rng, today)
    kind = rng.choice(KINDS)
    data: dict[str, Any] = {"kind": kind, "date": d, "recorded_by": "fuzz"}
    orders = list(OrderType)
    match kind:
        case "way_forward_meeting_scheduled":
            data["meeting_date"] = after(rng, d)
        case "way_forward_meeting_held" | "disagreement_resolution_concluded":
            data["outcome"] = rng.choice(["resolved", "not_resolved"])
        case "mediation_requested":
            data["health_included"] = rng.random() < 0.5
            data["social_care_included"] = rng.random() < 0.5
        case "mediation_held":
            data["outcome"] = rng.choice(["agreement", "partial_agreement", "no_agreement"])
            if data["outcome"] != "no_agreement":
                actions = []
                for _ in range(rng.randint(0, 2)):
                    action: dict[str, Any] = {"summary": "an agreed action"}
                    if rng.random() < 0.5:
                        action["by"] = rng.choice(["council", "health"])
                    if rng.random() < 0.5:
                        action["order"] = rng.choice(orders)
                    if rng.random() < 0.5:
                        action["agreed_due"] = after(rng, d)
                    actions.append(action)
                data["agreed_actions"] = actions
        case "mediation_certificate_issued":
            data["certificate_kind"] = rng.choice(["information_only", "mediation_completed"])
        case "appeal_registered":
            data["tribunal_ref"] = f"EH{rng.randint(1, 999)}/26/1"
            data["placement_only"] = rng.random() < 0.5
            data["health_included"] = rng.random() < 0.5
            data["social_care_included"] = rng.random() < 0.5
            if rng.random() < 0.5:
                data["response_due"] = d + timedelta(days=rng.randint(-1, 60))
        case "appeal_unopposed":
            data["concessions"] = rng.sample(orders, rng.randint(1, 2))
        case "hearing_listed":
            data["hearing_date"] = after(rng, d)
        case "tribunal_decision":
            data["outcome"] = rng.choice(["allowed", "partly_allowed", "dismissed"])
            data["orders"] = rng.sample(orders, rng.randint(0, 2))
            data["recommendations"] = recommendations(rng, 0)
        case "recommendation_response_sent":
            data["recommendation"] = rng.randint(1, 3)
            data["followed"] = rng.random() < 0.5
            if not data["followed"]:
                data["reasons"] = "not followed, because"
        case "obligation_met":
            data["deadline_key"] = rng.choice(sorted(set(keys) | set(SOME_KEYS)))
        case "exception_recorded":
            data["deadline_key"] = rng.choice(sorted(set(keys) | set(SOME_KEYS)))
            data["reason"] = rng.choice(EXCEPTION_REASONS)
        case "case_closed":
            data["reason"] = rng.choice(CLOSE_REASONS)
    return data


#: routes through the process, followed step by step by `record_a_plausible_event` so that
#: sequences reach appeals, decisions and compliance, not only refusals
ROUTES = {
    "appeal": [
        "mediation_declined",
        "mediation_certificate_issued",
        "appeal_registered",
        "hearing_listed",
        "tribunal_decision",
        "recommendation_response_sent",
        "case_closed",
    ],
    "mediation": [
        "mediation_requested",
        "mediation_held",
        "mediation_certificate_issued",
        "appeal_registered",
        "appeal_unopposed",
        "case_closed",
    ],
    "way_forward": [
        "way_forward_meeting_requested",
        "way_forward_meeting_scheduled",
        "way_forward_meeting_held",
        "disagreement_resolution_started",
        "disagreement_resolution_concluded",
        "case_closed",
    ],
}


def plausible_event(
    rng: random.Random, route: str, status: CaseStatus, timeline: CaseTimeline, today: date
) -> dict[str, Any] | None:
    """The route's next step, with random details; None when the route is done."""
    done = {e.event.kind for e in timeline.events}
    kind = next((k for k in ROUTES[route] if k not in done), None)
    if kind is None:
        return None
    latest = max((e.event.date for e in timeline.events), default=today)
    d = rng.choice([latest, today])
    data: dict[str, Any] = {"kind": kind, "date": d, "recorded_by": "fuzz"}
    allowed = sorted(ALLOWED_ORDERS[status.decision_type])
    match kind:
        case "mediation_certificate_issued":
            held = "mediation_held" in done
            data["certificate_kind"] = "mediation_completed" if held else "information_only"
        case "mediation_requested":
            data["health_included"] = rng.random() < 0.5
        case "mediation_held":
            data["outcome"] = "agreement"
            data["agreed_actions"] = [
                {"summary": "an agreed action", "agreed_due": after(rng, d, 20)}
            ]
        case "appeal_registered":
            data["tribunal_ref"] = "EH7/26/7"
            data["health_included"] = data["social_care_included"] = True
        case "hearing_listed":
            data["hearing_date"] = after(rng, d, 20)
        case "appeal_unopposed":
            data["concessions"] = rng.sample(allowed, rng.randint(1, 2))
        case "tribunal_decision":
            data["outcome"] = "allowed"
            data["orders"] = rng.sample(allowed, rng.randint(0, 2))
            if status.decision_type != "refusal_to_assess":
                data["recommendations"] = recommendations(rng, 1)
        case "recommendation_response_sent":
            data["recommendation"] = 1
            data["followed"] = True
        case "way_forward_meeting_scheduled":
            data["meeting_date"] = after(rng, d, 20)
        case "way_forward_meeting_held" | "disagreement_resolution_concluded":
            data["outcome"] = rng.choice(["resolved", "not_resolved"])
        case "case_closed":
            data["reason"] = rng.choice(["obligations_met", "resolved_by_agreement", "withdrawn"])
    return data


def duty_event(
    rng: random.Random, status: CaseStatus, timeline: CaseTimeline, today: date
) -> dict[str, Any] | None:
    """obligation_met (or an exception) for one of the case's open duties, if any."""
    open_keys = sorted(
        d.key
        for d in status.deadlines
        if d.status in (S.pending, S.missed) and d.key.startswith(OBLIGATION_PREFIXES)
    )
    if not open_keys:
        return None
    key = rng.choice(open_keys)
    latest = max((e.event.date for e in timeline.events), default=today)
    data: dict[str, Any] = {"date": rng.choice([latest, today]), "deadline_key": key}
    if key.startswith(("order:", "agreement_action:")) and rng.random() < 0.3:
        return {**data, "kind": "exception_recorded", "reason": rng.choice(EXCEPTION_REASONS)}
    return {**data, "kind": "obligation_met"}


MALFORMED = st.sampled_from(
    [
        {"kind": "no_such_kind", "date": "2026-01-01"},
        {"kind": "mediation_declined"},
        {"kind": "mediation_declined", "date": "2026-01-01", "unknown_field": 1},
        {"kind": "hearing_listed", "date": "2026-01-01", "hearing_date": "not a date"},
        "a string",
        12345,
        None,
    ]
)


# -- the machine ------------------------------------------------------------------------------


class CaseMachine(RuleBasedStateMachine):
    fuzz: Fuzz  # set by the test

    def __init__(self) -> None:
        super().__init__()
        f = self.fuzz
        f.sequences += 1
        self.handle, self.decision_date = f.run(self._start())
        self.closed = False
        self.last_accepted: Event | None = None
        self.status, self.timeline = f.run(snapshot(self.handle))
        self.seen: dict[str, tuple[DeadlineStatus, datetime]] = {}
        self.check(self.status, self.timeline, clock_ran=True)

    async def _start(self) -> tuple[WorkflowHandle, date]:
        f = self.fuzz
        today = london_date(await f.env.get_current_time())
        decision = today - timedelta(days=10)
        ref = f"RUT-FUZZ-{f.sequences}-{uuid.uuid4().hex[:6].upper()}"
        case = make_case(ref, "plan_content" if f.sequences % 2 else "refusal_to_assess", decision)
        handle = await f.env.client.start_workflow(
            DisagreementWorkflow.run,
            StartCase(case=case),
            id=workflow_id(ref),
            task_queue=f.settings.task_queue,
        )
        return handle, decision

    async def _today(self) -> date:
        return london_date(await self.fuzz.env.get_current_time())

    def teardown(self) -> None:
        async def finish() -> None:
            history = await self.handle.fetch_history()
            assert not failed_tasks(history), failed_tasks(history)
            with contextlib.suppress(RPCError):
                await self.handle.terminate("fuzz sequence finished")

        self.fuzz.run(finish())

    # -- rules ------------------------------------------------------------------------------

    @rule(seed=SEEDS)
    def record_event(self, seed: int) -> None:
        today = self.fuzz.run(self._today())
        keys = [d.key for d in self.status.deadlines]
        self._send(parse_event(random_event(random.Random(seed), today, keys)), today)

    @rule(seed=SEEDS)
    def record_a_plausible_event(self, seed: int) -> None:
        today = self.fuzz.run(self._today())
        route = list(ROUTES)[self.fuzz.sequences % len(ROUTES)]
        data = plausible_event(random.Random(seed), route, self.status, self.timeline, today)
        if data is not None:
            self._send(parse_event(data), today)

    @rule(seed=SEEDS)
    def meet_or_except_an_open_duty(self, seed: int) -> None:
        today = self.fuzz.run(self._today())
        data = duty_event(random.Random(seed), self.status, self.timeline, today)
        if data is not None:
            self._send(parse_event(data), today)

    @rule()
    def resend_the_last_accepted_event(self) -> None:
        if self.last_accepted is not None:
            today = self.fuzz.run(self._today())
            self._send(self.last_accepted, today, must_refuse="already recorded")

    @rule(raw=MALFORMED)
    def record_a_malformed_payload(self, raw: Any) -> None:
        self._send(raw, None, must_refuse="")

    @rule(days=st.sampled_from([0.3, 1, 2, 5, 8, 15, 30, 45]))
    def advance_the_clock(self, days: float) -> None:
        self.fuzz.steps += 1
        self.fuzz.run(self.fuzz.env.sleep(timedelta(days=days)))
        self._refresh(clock_ran=True)

    @rule()
    def read_the_case(self) -> None:
        self.fuzz.steps += 1
        self._refresh(clock_ran=False)

    # -- checks -----------------------------------------------------------------------------

    def _refresh(self, clock_ran: bool) -> None:
        status, timeline = self.fuzz.run(snapshot(self.handle))
        assert timeline.events == self.timeline.events, "the timeline changed by itself"
        self.check(status, timeline, clock_ran)
        self.status, self.timeline = status, timeline

    def _send(self, event: Any, today: date | None, must_refuse: str | None = None) -> None:
        f = self.fuzz
        f.steps += 1
        f.events_sent += 1
        before_status, before_timeline = self.status, self.timeline
        result = f.run(send(self.handle, event))
        status, timeline = f.run(snapshot(self.handle))
        kind = getattr(event, "kind", repr(event))
        if isinstance(result, EventReceipt):
            assert not self.closed, f"a closed case accepted {kind}"
            assert must_refuse is None, f"{kind} accepted; expected a refusal ({must_refuse})"
            assert today is not None and isinstance(event, Event.__origin__)  # type: ignore[attr-defined]
            assert event.date <= today, f"{kind} dated in the future was accepted"
            assert event.date >= self.decision_date, f"{kind} before the decision accepted"
            n = len(before_timeline.events)
            assert result.seq == n + 1
            assert result.kind == event.kind
            assert timeline.events[:n] == before_timeline.events
            assert len(timeline.events) == n + 1
            assert timeline.events[-1].event == event
            f.accepted += 1
            f.kinds_accepted.add(event.kind)
            self.last_accepted = event
            if event.kind == "case_closed":
                self.closed = True
                f.closed_cases += 1
                assert status.stage == "closed"
                assert status.closed_reason == event.reason
            elif event.kind == "appeal_withdrawn":
                # the process ends there when nothing else is left pending: the case closes
                # by itself as "withdrawn" (ehcp.case_state.closes_the_case); else it stays
                # open with something still pending
                if status.stage == "closed":
                    self.closed = True
                    f.closed_cases += 1
                    assert status.closed_reason == "withdrawn"
                else:
                    assert not status.nothing_pending, "nothing pending, yet not closed"
        else:
            message = refusal_text(result)
            if must_refuse:
                assert self.closed or must_refuse in message, message
            if today is not None and not self.closed:
                if event.date > today:
                    assert "in the future" in message, message
                elif event.date < self.decision_date:
                    assert "before the council's decision" in message, message
            # a refused event changes nothing at all
            assert timeline == before_timeline, f"refused {kind} changed the timeline"
            assert status == before_status, f"refused {kind} changed the status: {message}"
        self.check(status, timeline, clock_ran=False)
        self.status, self.timeline = status, timeline

    def check(self, status: CaseStatus, timeline: CaseTimeline, clock_ran: bool) -> None:
        today = self.fuzz.run(self._today())
        seqs = [e.seq for e in timeline.events]
        assert seqs == list(range(1, len(seqs) + 1))
        assert status.events == len(seqs)
        assert (status.stage == "closed") == (status.closed_reason is not None) == self.closed
        keys = [n.key for n in status.reminders_sent]
        assert len(keys) == len(set(keys)), "a message was sent twice"
        pending = []
        for d in status.deadlines:
            where = f"{d.key} ({d.status}, due {d.due}, closed_on {d.closed_on})"
            if d.status in CLOSED:
                assert d.closed_on is not None, where
            if d.status == S.pending:
                assert d.closed_on is None, where
                pending.append(d.due)
                if clock_ran and not self.closed:
                    assert d.due >= today, f"{where} still pending on {today}"
            if d.status == S.met and d.party != Party.everyone:
                assert d.closed_on <= d.due, where
            if d.status == S.met_late:
                assert d.closed_on > d.due, where
            if d.status == S.missed:
                assert d.due < today, where
            if d.status == S.excepted:
                assert d.exception, where
            earlier = self.seen.get(d.key)
            if earlier and earlier[1] == d.created_at:
                assert d.status in ALLOWED[earlier[0]], f"{d.key}: {earlier[0]} -> {d.status}"
            self.seen[d.key] = (d.status, d.created_at)
        assert set(self.seen) == {d.key for d in status.deadlines}, "a deadline disappeared"
        assert status.next_due == min(pending, default=None)
        owed = any(
            d.status == S.missed
            and d.party not in (Party.parent, Party.everyone)
            and not d.key.startswith(RIGHT_KEYS)  # an unused right to challenge is not late
            for d in status.deadlines
        )
        assert status.overdue == (owed and not self.closed)


def test_random_event_sequences_keep_every_case_consistent(time_env, tmp_path, capsys):
    runner = LoopThread()
    converter = time_env.client.data_converter  # the same converter as the other tests
    fuzz = runner.run(start_fuzz(runner, converter, tmp_path / "outbox"))
    CaseMachine.fuzz = fuzz
    started = time.monotonic()
    try:
        run_state_machine_as_test(
            CaseMachine,
            settings=settings(
                max_examples=MAX_EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])],
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        runner.run(stop_fuzz(fuzz))
        runner.close()
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nfuzz: {fuzz.sequences} random event sequences, {fuzz.steps} steps, "
            f"{fuzz.events_sent} events sent ({fuzz.accepted} accepted, "
            f"{len(fuzz.kinds_accepted)} kinds), {fuzz.closed_cases} cases closed, "
            f"in {elapsed:.1f} s"
        )
    assert fuzz.sequences >= MAX_EXAMPLES
