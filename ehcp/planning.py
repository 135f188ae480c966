"""Which deadlines an event puts on a case, with their dates.

This reads bank-holiday data, so it runs in an activity, never in workflow code: the dates
it returns are recorded in history and a running case replays the same after an upgrade.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ehcp import later_clocks, timescales
from ehcp.calendar import WorkingDayCalendar
from ehcp.case_state import CaseState
from ehcp.challenges import challenge_context
from ehcp.deadline import DeadlineSpec
from ehcp.later_clocks import ChallengeContext
from ehcp.models import (
    AppealRegistered,
    AppealUnopposed,
    Case,
    ConsentOrderMade,
    Event,
    HearingListed,
    MediationCertificateIssued,
    MediationDeclined,
    MediationHeld,
    MediationRequested,
    MediationScheduled,
    MediationWithdrawn,
    SetAsideRefused,
    TribunalDecision,
    WayForwardMeetingScheduled,
    WrittenReasonsSent,
)
from ehcp.timescales import CertificateTrigger
from ehcp.vocabulary import Party


class PlanRequest(BaseModel):
    """What the planner needs to know about the case to date an event's deadlines."""

    case: Case
    event: Event | None = None  # None: the decision letter that starts the case
    first_order: int = 1
    first_recommendation: int = 1
    first_action: int = 1
    #: the tribunal decision in force, for events that challenge it (None otherwise)
    challenge: ChallengeContext | None = None


def request_for(state: CaseState, event: Event) -> PlanRequest:
    """What to ask the planner for `event`: orders, recommendations and agreed actions are
    numbered on from those already on the case."""
    return PlanRequest(
        case=state.case,
        event=event,
        first_order=state.orders_made + 1,
        first_recommendation=len(state.recommendations) + 1,
        first_action=state.actions_agreed + 1,
        challenge=challenge_context(state)
        if isinstance(event, WrittenReasonsSent | SetAsideRefused)
        else None,
    )


def plan(request: PlanRequest, cal: WorkingDayCalendar) -> list[DeadlineSpec]:
    case, event = request.case, request.event
    if event is None:
        return [
            timescales.mediation_contact(case.decision_date, cal),
            timescales.appeal(case.decision_date, None, cal),
        ]
    match event:
        case WayForwardMeetingScheduled():
            return [_meeting("way_forward_meeting", event.meeting_date)]
        case MediationDeclined() | MediationWithdrawn():
            trigger = (
                CertificateTrigger.declined
                if isinstance(event, MediationDeclined)
                else CertificateTrigger.withdrawn
            )
            return [timescales.mediation_certificate(event.date, trigger, cal)]
        case MediationRequested():
            specs = [timescales.mediation_session(event.date, cal)]
            if event.health_included:
                specs.append(timescales.icb_mediation_notice(event.date, cal))
            return specs
        case MediationHeld():
            return _mediation_held(request, event, cal)
        case MediationCertificateIssued():
            return [timescales.appeal(case.decision_date, event.date, cal)]
        case AppealRegistered():
            return [timescales.appeal_response(event.date, cal, event.response_due)]
        case AppealUnopposed():
            return _orders(request.first_order, event.concessions, event.date, cal, True)
        case HearingListed():
            return [_meeting("hearing", event.hearing_date)]
        case TribunalDecision():
            return _decision(request, event, cal)
        case ConsentOrderMade():
            return later_clocks.consent_order(request.first_order, event.orders, event.date, cal)
        case MediationScheduled():
            return [later_clocks.mediation_date_notice(event.date, event.mediation_date, cal)]
        case WrittenReasonsSent() | SetAsideRefused():
            return _permission(request, event, cal)
    return []


def _permission(
    request: PlanRequest, event: WrittenReasonsSent | SetAsideRefused, cal: WorkingDayCalendar
) -> list[DeadlineSpec]:
    """r.46(2): the latest of the dates counts; a refused set-aside only if it was asked for
    in time (r.46(3))."""
    ctx = request.challenge
    if ctx is None:
        return []
    start, why = ctx.permission_from, None
    if isinstance(event, WrittenReasonsSent) or ctx.set_aside_in_time:
        start = max(start, event.date)
    if start == event.date:
        why = (
            "Counted from the day written reasons were sent."
            if isinstance(event, WrittenReasonsSent)
            else "Counted from the day the tribunal sent notice that setting aside was refused."
        )
    return later_clocks.permission_to_appeal(start, ctx.parties, cal, why=why)


def _meeting(key: str, when: date) -> DeadlineSpec:
    titles = {
        "way_forward_meeting": "SEND way forward meeting",
        "hearing": "Tribunal hearing",
    }
    return timescales.meeting(key, when, titles[key])


def _mediation_held(
    request: PlanRequest, event: MediationHeld, cal: WorkingDayCalendar
) -> list[DeadlineSpec]:
    specs = [timescales.mediation_certificate(event.date, CertificateTrigger.concluded, cal)]
    for n, action in enumerate(event.agreed_actions, start=request.first_action):
        specs += timescales.agreement_action(
            n,
            event.date,
            cal,
            by=Party(action.by),
            order=action.order,
            agreed_due=action.agreed_due,
        )
    if not event.council_party and event.outcome != "no_agreement":
        specs.append(later_clocks.agreement_health_notice(event.date, cal))
    return specs


def _orders(first: int, orders, when: date, cal: WorkingDayCalendar, unopposed: bool):
    specs: list[DeadlineSpec] = []
    for n, order in enumerate(orders, start=first):
        specs += timescales.order_steps(order, n, when, cal, unopposed=unopposed)
    return specs


def _decision(
    request: PlanRequest, event: TribunalDecision, cal: WorkingDayCalendar
) -> list[DeadlineSpec]:
    specs = _orders(request.first_order, event.orders, event.date, cal, False)
    for n, rec in enumerate(event.recommendations, start=request.first_recommendation):
        specs.append(
            timescales.recommendation_response(event.date, n, Party(rec.addressed_to), cal)
        )
    parties = later_clocks.parties_for(event.outcome)
    return specs + later_clocks.challenge_deadlines(event.date, parties, cal)
