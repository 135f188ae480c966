"""Planning and the case record's write in one local activity (runs started on
patches-2026-12-record-with-plan): the planner dates the deadlines, and the record of the state
the workflow will hold once it applies them is written in the same call. One local activity per
event and at start instead of two: one marker less in history and one round trip less before an
event's update completes (docs/performance.md).

The record is best effort here: a database that cannot take it never fails the plan. The
activity then says `recorded=False` and the workflow writes the record itself on its next pass
round the loop, right after the event, with the retries it gives every other write
(workflows/visibility.py).
"""

from __future__ import annotations

from temporalio import activity

from activities.names import PLAN_AND_RECORD_EVENT, PLAN_AND_RECORD_START
from activities.planning import PlanningActivities
from activities.records import RecordActivities
from ehcp.case_state import accept_event, new_case_state
from ehcp.payloads import EventToPlan, PlannedEvent, PlannedStart, StartToPlan
from ehcp.planning import request_for
from ehcp.records import CaseRecord, record_of


class PlannedRecordActivities:
    """The two plan-and-record activities, over the worker's planner and record store."""

    def __init__(self, planning: PlanningActivities, records: RecordActivities) -> None:
        self._planning = planning
        self._records = records

    @activity.defn(name=PLAN_AND_RECORD_START)
    def plan_and_record_start(self, request: StartToPlan) -> PlannedStart:
        """The start's plan (`plan_case_start`); then the record of the first state, made at
        `request.now` exactly as the workflow makes it (`new_case_state`)."""
        start = self._planning.plan_case_start(request.case)
        state = new_case_state(request.case, start.policy, start.deadlines, request.now)
        return PlannedStart(
            start=start, recorded=self._write(record_of(request.case, state, request.now))
        )

    @activity.defn(name=PLAN_AND_RECORD_EVENT)
    def plan_and_record_event(self, request: EventToPlan) -> PlannedEvent:
        """The event's deadlines (`plan_event_deadlines`); then the record of the state after
        the event, applied at `request.now` as the workflow applies it (`accept_event`).
        Planning errors are raised as before (the update fails, nothing recorded)."""
        state = request.state
        specs = self._planning.plan_event_deadlines(request_for(state, request.event))
        try:
            accept_event(state, request.event, specs, request.now)
            record = record_of(request.identity, state, request.now)
        except Exception:
            activity.logger.warning("case record not made with the plan", exc_info=True)
            return PlannedEvent(deadlines=specs, recorded=False)
        return PlannedEvent(deadlines=specs, recorded=self._write(record))

    def _write(self, record: CaseRecord) -> bool:
        """True when the record is stored (or a newer one already is); False, logged, when the
        database or the keys cannot take it now."""
        try:
            self._records.write_case_record(record)
        except Exception:
            activity.logger.warning("case record not written with the plan", exc_info=True)
            return False
        return True
