"""How DisagreementWorkflow has its deadlines dated: the planner runs in an activity (it reads
bank-holiday data, so its dates are recorded in history), and on runs started on
patches-2026-12-record-with-plan the same local activity writes the case record of the state
the plan leads to (activities/planned_records.py).

A mixin of the workflow class (workflow code: deterministic, no I/O of its own).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows import patches
from workflows.patches import Patches

with workflow.unsafe.imports_passed_through():
    from activities.names import (
        LOCAL_RETRY_THRESHOLD,
        PLAN_AND_RECORD_EVENT,
        PLAN_AND_RECORD_START,
        PLAN_CASE_START,
        PLAN_EVENT,
    )
    from ehcp.case_state import CaseState, new_case_state
    from ehcp.deadline import DeadlineSpec
    from ehcp.models import Case, Event
    from ehcp.payloads import CaseStart, EventToPlan, PlannedEvent, PlannedStart, StartToPlan
    from ehcp.planning import request_for

PLAN_TIMEOUT = timedelta(seconds=30)
PLAN_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
#: an event's client is waiting: a few tries, then the update fails and says why
EVENT_PLAN_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=10), maximum_attempts=4)


class Planning:
    """Plans the start and each event; on RECORD_WITH_PLAN, records with the plan."""

    _state: CaseState | None
    _patches: Patches

    async def _start_state(self, case: Case) -> tuple[CaseState, bool]:
        """The case's first state from the start's plan, made at the workflow's clock, and
        whether its record was written with the plan."""
        if not self._patches.record_with_plan:
            plan = await self._plan(PLAN_CASE_START, case, CaseStart, PLAN_RETRY)
            return new_case_state(case, plan.policy, plan.deadlines, self._now()), False
        now = self._now()  # the record written with the plan shows the state made at `now`
        request = StartToPlan(case=case, now=now)
        planned = await self._plan(PLAN_AND_RECORD_START, request, PlannedStart, PLAN_RETRY)
        state = new_case_state(case, planned.start.policy, planned.start.deadlines, now)
        return state, planned.recorded

    async def _event_plan(
        self, identity: Case, event: Event
    ) -> tuple[list[DeadlineSpec], datetime, bool]:
        """The event's deadlines, the instant (UTC) to apply it at, and whether the record of
        the case after it was written with the plan. Raises what the planner raised."""
        state = self._state
        if not self._patches.record_with_plan:
            request = request_for(state, event)
            specs = await self._plan(PLAN_EVENT, request, list[DeadlineSpec], EVENT_PLAN_RETRY)
            return specs, self._now(), False
        now = self._now()
        before = self._shown()
        request = EventToPlan(identity=identity, state=state, event=event, now=now)
        planned = await self._plan(PLAN_AND_RECORD_EVENT, request, PlannedEvent, EVENT_PLAN_RETRY)
        # A wake-up while the activity ran may have changed what the list shows (a deadline
        # missed): the record written from the earlier state is then not taken as written.
        return planned.deadlines, now, planned.recorded and self._shown() == before

    def _local(self) -> bool:
        if self._patches.local_activities is not None:
            return self._patches.local_activities
        return workflow.patched(patches.LOCAL_ACTIVITIES)

    async def _plan(self, name: str, arg: object, result_type: type, retry: RetryPolicy) -> Any:
        """Deadline dates, worked out by an activity so that they are recorded in history."""
        if not self._local():
            return await workflow.execute_activity(
                name,
                arg,
                result_type=result_type,
                start_to_close_timeout=PLAN_TIMEOUT,
                retry_policy=retry,
            )
        return await workflow.execute_local_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=PLAN_TIMEOUT,
            retry_policy=retry,
            local_retry_threshold=LOCAL_RETRY_THRESHOLD,
        )
