"""Scenarios for the paths that emit commands of their own: a refused email with its staff
alerts, a send batch whose local-activity retries back off on a timer, and an event whose
planning fails (PlanningFailed). Each needs a fault set up around the worker: `SETUP` gives,
per scenario, a context manager yielding the `harness(...)` keyword arguments."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from activities.names import PLAN_AND_RECORD_EVENT, PLAN_EVENT
from ehcp import timescales
from ehcp.calendar import WorkingDayCalendar
from tests.sendgrid_fake import TEST_API_KEY, Answer, FakeSendGrid
from tests.workflow.harness import Harness, make_case

CAL = WorkingDayCalendar()
#: an event with this note makes the planner fail (FailPlanning)
PLANNING_FAILS = "the planner fails for this event (test fault)"


class _FailPlanningInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        if activity.info().activity_type in (PLAN_EVENT, PLAN_AND_RECORD_EVENT):
            request = input.args[0]
            if request.event is not None and request.event.notes == PLANNING_FAILS:
                raise ApplicationError("planner unavailable (test fault)", non_retryable=True)
        return await super().execute_activity(input)


class FailPlanning(Interceptor):
    """Fails the event planner for events noted PLANNING_FAILS; everything else runs."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _FailPlanningInbound(next)


@contextmanager
def _sendgrid(*answers: Answer) -> Iterator[dict[str, Any]]:
    with FakeSendGrid() as fake:
        fake.script(*answers)
        yield {
            "sendgrid_api_key": TEST_API_KEY,
            "sendgrid_host": fake.url,
            "extras": {"sendgrid": fake},
        }


@contextmanager
def _failing_planner() -> Iterator[dict[str, Any]]:
    yield {"interceptors": [FailPlanning()]}


async def _appeal_case(h: Harness, ref: str) -> tuple[WorkflowHandle, int]:
    """A case whose only open deadline is the parent's appeal; returns it and the days from
    now to the morning after its 14-day reminder."""
    d0 = await h.today()
    handle = await h.start(make_case(ref, "refusal_to_assess", d0))
    await h.event(handle, "mediation_adviser_contacted", date=d0)
    due = timescales.appeal(d0, None, CAL).due
    return handle, (due - d0).days - 14 + 1


async def delivery_failures(h: Harness) -> WorkflowHandle:
    """SendGrid refuses the parent's reminder for good (400): the failure is recorded on the
    case and the caseworker and SEND manager are alerted through the outbox."""
    handle, days = await _appeal_case(h, "RUT-HIST-8")
    await h.skip(days)
    status = await h.status(handle)
    assert status.delivery_failures, "the 400 was not recorded"
    assert any(r.kind == "delivery_failure" for r in status.reminders_sent), "no staff alert"
    await h.event(handle, "case_closed", date=await h.today(), reason="resolved_by_agreement")
    await handle.result()
    return handle


async def send_retries_on_a_timer(h: Harness) -> WorkflowHandle:
    """SendGrid answers 500 three times: the batch's local activity retries, and once the
    back-off passes the local retry threshold it waits on a workflow timer."""
    handle, days = await _appeal_case(h, "RUT-HIST-9")
    await h.skip(days)
    status = await h.status(handle)
    assert status.reminders_sent and not status.delivery_failures
    assert len(h.extras["sendgrid"].received) >= 4
    await h.event(handle, "case_closed", date=await h.today(), reason="resolved_by_agreement")
    await handle.result()
    return handle


async def planning_failed(h: Harness) -> WorkflowHandle:
    """An event whose deadlines cannot be worked out fails its update (PlanningFailed); the
    case carries on and the next event is recorded."""
    d0 = await h.today()
    handle = await h.start(make_case("RUT-HIST-10", "plan_content", d0))
    try:
        await h.event(handle, "mediation_requested", date=d0, notes=PLANNING_FAILS)
    except WorkflowUpdateFailedError as error:
        assert getattr(error.cause, "type", None) == "PlanningFailed", error.cause
    else:
        raise AssertionError("planning did not fail")
    await h.event(handle, "mediation_requested", date=d0)
    await h.event(handle, "case_closed", date=d0, reason="resolved_by_agreement")
    await handle.result()
    return handle


FAULT_SCENARIOS = {
    "delivery_failures": delivery_failures,
    "send_retries_on_a_timer": send_retries_on_a_timer,
    "planning_failed": planning_failed,
}

SETUP: dict[str, Any] = {
    "delivery_failures": lambda: _sendgrid(
        Answer.error(400, "The to email does not contain a valid address.")
    ),
    "send_retries_on_a_timer": lambda: _sendgrid(*[Answer.error(500, "Internal error")] * 3),
    "planning_failed": _failing_planner,
}


def setup_for(name: str) -> AbstractContextManager[dict[str, Any]]:
    """The harness keyword arguments for scenario `name` (none for the ordinary ones)."""
    return SETUP[name]() if name in SETUP else _nothing()


@contextmanager
def _nothing() -> Iterator[dict[str, Any]]:
    yield {}
