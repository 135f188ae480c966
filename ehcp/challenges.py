"""Event rules for the later routes: a consent order, challenging the tribunal's decision, the
mediation booking. Pure and deterministic, like `ehcp.case_state`, which registers these
checks and effects for the new event kinds (old histories never hold them, so adding them
needs no patch).

`check_concession_timing` is the one rule that tightens an existing event
(`appeal_unopposed`): the workflow applies it only to runs started on the
`reg45-before-response` patch (docs/workflow-changes.md).

This module imports `ehcp.case_state` lazily, inside functions: case_state imports this one.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ehcp.later_clocks import ChallengeContext, parties_for
from ehcp.models import (
    AppealUnopposed,
    ConsentOrderMade,
    DecisionSetAside,
    DecisionSuspended,
    Event,
    MediationScheduled,
    PermissionToAppealDecided,
    PermissionToAppealRequested,
    SetAsideApplied,
    SetAsideRefused,
    WrittenReasonsSent,
)
from ehcp.vocabulary import CLOSED_STATUSES, DeadlineStatus, Stage

if TYPE_CHECKING:
    from ehcp.case_state import CaseState, RecordedEvent

#: An event cannot be dated before the latest event it follows from (see case_state._FOLLOWS).
FOLLOWS = {
    "mediation_scheduled": ("mediation_requested",),
    "consent_order_made": ("appeal_registered",),
    "written_reasons_sent": ("tribunal_decision",),
    "set_aside_applied": ("tribunal_decision",),
    "set_aside_refused": ("set_aside_applied",),
    "decision_set_aside": ("tribunal_decision",),
    "permission_to_appeal_requested": ("tribunal_decision",),
    "permission_to_appeal_decided": ("permission_to_appeal_requested",),
    "decision_suspended": ("tribunal_decision",),
}

STAGES = {
    "mediation_scheduled": Stage.mediation,
    "consent_order_made": Stage.compliance,
}


def _reject(message: str) -> None:
    from ehcp.case_state import EventRejected

    raise EventRejected(message)


def _require(condition: bool, message: str) -> None:
    if not condition:
        _reject(message)


def current_decision(state: CaseState) -> RecordedEvent | None:
    """The tribunal's decision now in force: the latest one, unless it was set aside since."""
    last = state.last("tribunal_decision", "decision_set_aside")
    return last if last and last.event.kind == "tribunal_decision" else None


def _since(state: CaseState, recorded: RecordedEvent, *kinds: str) -> list[RecordedEvent]:
    return [r for r in state.timeline[recorded.seq :] if r.event.kind in kinds]


def _need_decision(state: CaseState, kind: str) -> RecordedEvent:
    decision = current_decision(state)
    _require(
        decision is not None,
        f"{kind} needs a tribunal_decision that has not been set aside; "
        "record the tribunal's decision first",
    )
    assert decision is not None
    return decision


# -- checks -------------------------------------------------------------------------------


def check_concession_timing(state: CaseState, event: Event) -> None:
    """SEND Regs reg 45(1): the reg 45 route is for a council that says it will not oppose the
    appeal before it submits its response. After the response (recorded as `obligation_met`
    for `appeal_response`) a concession ends in a consent order (HESC Rules r.29)."""
    if not isinstance(event, AppealUnopposed):
        return
    response = state.deadlines.get("appeal_response")
    sent = response is not None and response.status in (
        DeadlineStatus.met,
        DeadlineStatus.met_late,
    )
    if sent and response.closed_on is not None and response.closed_on < event.date:
        _reject(
            f"the council sent its response to the appeal on {response.closed_on}, before "
            f"this concession ({event.date}); reg 45 covers only a concession before the "
            "response. A later concession ends in a consent order: record consent_order_made "
            "with the date of the order and its orders"
        )


def _check_mediation_scheduled(state: CaseState, event: MediationScheduled) -> None:
    _require(
        state.mediation_status() == "requested",
        "no mediation is requested: record mediation_requested before mediation_scheduled",
    )


def _check_consent_order(state: CaseState, event: ConsentOrderMade) -> None:
    from ehcp.case_state import _check_open_appeal, _check_orders

    _check_open_appeal(state, "consent_order_made")
    _check_orders(state, event.orders, "order")


def _check_reasons(state: CaseState, event: WrittenReasonsSent) -> None:
    _need_decision(state, "written_reasons_sent")


def _check_set_aside_applied(state: CaseState, event: SetAsideApplied) -> None:
    decision = _need_decision(state, "set_aside_applied")
    pending = _open_set_aside(state, decision)
    _require(
        pending is None,
        f"a set-aside application is already waiting (event {pending and pending.seq}); "
        "record set_aside_refused or decision_set_aside first",
    )


def _open_set_aside(state: CaseState, decision: RecordedEvent) -> RecordedEvent | None:
    steps = _since(state, decision, "set_aside_applied", "set_aside_refused")
    return steps[-1] if steps and steps[-1].event.kind == "set_aside_applied" else None


def _check_set_aside_refused(state: CaseState, event: SetAsideRefused) -> None:
    decision = _need_decision(state, "set_aside_refused")
    _require(
        _open_set_aside(state, decision) is not None,
        "no set-aside application is waiting: record set_aside_applied first",
    )


def _check_set_aside(state: CaseState, event: DecisionSetAside) -> None:
    # The tribunal may also set aside on its own initiative: no application needed.
    _need_decision(state, "decision_set_aside")


def _check_permission_requested(state: CaseState, event: PermissionToAppealRequested) -> None:
    decision = _need_decision(state, "permission_to_appeal_requested")
    earlier = [
        r
        for r in _since(state, decision, "permission_to_appeal_requested")
        if r.event.by == event.by  # type: ignore[union-attr]
    ]
    _require(
        not earlier,
        f"the {event.by} already asked for permission to appeal this decision "
        f"(event {earlier and earlier[-1].seq})",
    )


def _check_permission_decided(state: CaseState, event: PermissionToAppealDecided) -> None:
    decision = _need_decision(state, "permission_to_appeal_decided")
    asked = [
        r
        for r in _since(state, decision, "permission_to_appeal_requested")
        if r.event.by == event.by  # type: ignore[union-attr]
    ]
    _require(
        bool(asked),
        f"the {event.by} has not asked for permission to appeal: record "
        "permission_to_appeal_requested first",
    )
    decided = [
        r
        for r in _since(state, decision, "permission_to_appeal_decided")
        if r.event.by == event.by  # type: ignore[union-attr]
    ]
    _require(not decided, f"the {event.by}'s request was already decided (event "
             f"{decided and decided[-1].seq})")  # fmt: skip


def _check_suspended(state: CaseState, event: DecisionSuspended) -> None:
    decision = _need_decision(state, "decision_suspended")
    _require(
        not _since(state, decision, "decision_suspended"),
        "the decision is already recorded as suspended",
    )


CHECKS = {
    MediationScheduled: _check_mediation_scheduled,
    ConsentOrderMade: _check_consent_order,
    WrittenReasonsSent: _check_reasons,
    SetAsideApplied: _check_set_aside_applied,
    SetAsideRefused: _check_set_aside_refused,
    DecisionSetAside: _check_set_aside,
    PermissionToAppealRequested: _check_permission_requested,
    PermissionToAppealDecided: _check_permission_decided,
    DecisionSuspended: _check_suspended,
}


# -- effects ------------------------------------------------------------------------------


def _open_keys(state: CaseState, *prefixes: str) -> list[str]:
    return [
        key
        for key, d in state.deadlines.items()
        if key.startswith(prefixes) and d.status not in CLOSED_STATUSES
    ]


def _on_consent_order(state: CaseState, event: ConsentOrderMade, recorded: RecordedEvent):
    from ehcp.case_state import _cancel

    _cancel(state, ["appeal_response", "hearing"], event.date)
    state.orders_made += len(event.orders)


def _on_set_aside_applied(state: CaseState, event: SetAsideApplied, recorded: RecordedEvent):
    _use_right(state, f"set_aside_application:{event.by}", event, recorded)


def _on_permission_requested(
    state: CaseState, event: PermissionToAppealRequested, recorded: RecordedEvent
):
    _use_right(state, f"permission_to_appeal:{event.by}", event, recorded)


def _use_right(state: CaseState, key: str, event: Event, recorded: RecordedEvent) -> None:
    from ehcp.case_state import _settle

    deadline = state.deadlines.get(key)
    if deadline is not None and event.date > deadline.due:
        # The tribunal can still extend the time (r.5(3)(a)): flag it, do not refuse it.
        recorded.flags.append("late_application")
    _settle(state, key, event.date)  # a met right stays met (a second application after a refusal)


def _on_set_aside(state: CaseState, event: DecisionSetAside, recorded: RecordedEvent):
    from ehcp.case_state import _cancel

    # The decision no longer stands: its orders, recommendations and challenge clocks end;
    # a fresh tribunal_decision starts new ones.
    keys = _open_keys(
        state, "order:", "recommendation_response:", "set_aside_application:",
        "permission_to_appeal:",
    )  # fmt: skip
    _cancel(state, keys, event.date)


def _on_suspended(state: CaseState, event: DecisionSuspended, recorded: RecordedEvent):
    for key in _open_keys(state, "order:"):
        deadline = state.deadlines[key]
        deadline.status = DeadlineStatus.excepted
        deadline.exception = "decision_suspended"
        deadline.closed_on = event.date


EFFECTS = {
    ConsentOrderMade: _on_consent_order,
    SetAsideApplied: _on_set_aside_applied,
    PermissionToAppealRequested: _on_permission_requested,
    DecisionSetAside: _on_set_aside,
    DecisionSuspended: _on_suspended,
}


# -- what the planner needs ---------------------------------------------------------------


def challenge_context(state: CaseState) -> ChallengeContext | None:
    """Dates of the decision in force, for planning `written_reasons_sent` and
    `set_aside_refused` (r.46(2): the latest date counts; r.46(3): a refused set-aside
    counts only if the application was in time)."""
    decision = current_decision(state)
    if decision is None:
        return None
    start: date = decision.event.date
    in_time = False  # the latest set-aside application was made in time
    kinds = ("written_reasons_sent", "set_aside_applied", "set_aside_refused")
    for r in _since(state, decision, *kinds):
        if r.event.kind == "set_aside_applied":
            in_time = "late_application" not in r.flags
        elif r.event.kind == "written_reasons_sent" or in_time:
            start = max(start, r.event.date)
    return ChallengeContext(
        decision_date=decision.event.date,
        parties=parties_for(decision.event.outcome),  # type: ignore[union-attr]
        permission_from=start,
        set_aside_in_time=in_time,
    )
