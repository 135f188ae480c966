"""Deadline dates, computed outside workflow code and so recorded in history."""

from __future__ import annotations

from temporalio import activity

from activities.names import PLAN_CASE_START, PLAN_EVENT
from ehcp import planning
from ehcp.calendar import WorkingDayCalendar
from ehcp.case_state import ReminderPolicy
from ehcp.deadline import DeadlineSpec
from ehcp.models import Case, Contact
from ehcp.payloads import CaseStart
from ehcp.settings import Settings


class PlanningActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._calendar = WorkingDayCalendar.from_settings(settings)

    @activity.defn(name=PLAN_CASE_START)
    def plan_case_start(self, case: Case) -> CaseStart:
        s = self._settings
        policy = ReminderPolicy(
            at=s.reminder_time,
            offsets=s.reminder_offsets,
            spread_s=s.reminder_spread_s,
            text_offsets=s.text_offsets,
            undelivered_flag_hours=s.undelivered_flag_hours,
            resend_after_minutes=s.temporary_failure_retry_minutes,
            send_manager=Contact(name=s.send_manager_name, email=s.send_manager_email),
        )
        specs = planning.plan(planning.PlanRequest(case=case), self._calendar)
        return CaseStart(policy=policy, deadlines=specs)

    @activity.defn(name=PLAN_EVENT)
    def plan_event_deadlines(self, request: planning.PlanRequest) -> list[DeadlineSpec]:
        return planning.plan(request, self._calendar)
