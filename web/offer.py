"""Which event kinds a case accepts now: the domain's own rules (ehcp.case_state.check_event)
asked with a plausible event of each kind, on the case as its status and timeline show it.

Only to choose what a page offers: the workflow re-checks every event it is sent, and its
refusal is what the person sees if the case moved on meanwhile. No rule is written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import ValidationError

from ehcp.case_state import (
    EXCEPTION_KEYS,
    OBLIGATION_KEYS,
    CaseState,
    EventRejected,
    ReminderPolicy,
    check_event,
)
from ehcp.models import EVENT_KINDS, Case, Contact, parse_event
from ehcp.payloads import CaseStatus, CaseTimeline
from ehcp.vocabulary import CLOSED_STATUSES, OrderType

#: stands in for the people, whom no rule about which events come next looks at
_NOBODY = Contact(name="-", email="nobody@example.org")


def case_state(status: CaseStatus, timeline: CaseTimeline) -> CaseState:
    """The case's state as far as the event rules need it."""
    case = Case(
        case_ref=status.case_ref,
        council=status.council,
        decision_type=status.decision_type,
        decision_date=status.decision_date,
        parent=_NOBODY,
        caseworker=_NOBODY,
    )
    recommendations = [
        rec
        for recorded in timeline.events
        if recorded.event.kind == "tribunal_decision"
        for rec in recorded.event.recommendations  # type: ignore[union-attr]
    ]
    return CaseState(
        case=case,
        policy=ReminderPolicy(send_manager=_NOBODY),
        stage=status.stage,
        deadlines={d.key: d for d in status.deadlines},
        timeline=timeline.events,
        recommendations=recommendations,
        closed_reason=status.closed_reason,
    )


def open_deadline_keys(status: CaseStatus, prefixes: tuple[str, ...]) -> list[str]:
    """Keys of the case's deadlines starting with one of `prefixes` that are still open."""
    return [
        d.key
        for d in status.deadlines
        if d.key.startswith(prefixes) and d.status not in CLOSED_STATUSES
    ]


def _probes(kind: str, status: CaseStatus, today: date) -> Iterator[dict[str, Any]]:
    """Events of `kind` that could be true today; the kind is offered if one is accepted."""
    base: dict[str, Any] = {"kind": kind, "date": today.isoformat()}
    order = next(iter(OrderType))
    if kind == "way_forward_meeting_scheduled":
        yield {**base, "meeting_date": today.isoformat()}
    elif kind in ("way_forward_meeting_held", "disagreement_resolution_concluded"):
        yield {**base, "outcome": "not_resolved"}
    elif kind == "mediation_held":
        yield {**base, "outcome": "no_agreement"}
    elif kind == "mediation_certificate_issued":
        yield {**base, "certificate_kind": "information_only"}
        yield {**base, "certificate_kind": "mediation_completed"}
    elif kind == "appeal_registered":
        yield {**base, "tribunal_ref": "EH000/00/00000"}
        yield {**base, "tribunal_ref": "EH000/00/00000", "placement_only": True}
    elif kind == "appeal_unopposed":
        for order in OrderType:
            yield {**base, "concessions": [order]}
    elif kind == "hearing_listed":
        yield {**base, "hearing_date": today.isoformat()}
    elif kind == "tribunal_decision":
        yield {**base, "outcome": "dismissed"}
        yield {**base, "outcome": "allowed", "orders": [order]}
    elif kind == "recommendation_response_sent":
        for n in range(1, len(open_deadline_keys(status, ("recommendation_response:",))) + 20):
            yield {**base, "recommendation": n, "followed": True}
    elif kind == "obligation_met":
        for key in open_deadline_keys(status, OBLIGATION_KEYS):
            yield {**base, "deadline_key": key}
    elif kind == "exception_recorded":
        for key in open_deadline_keys(status, EXCEPTION_KEYS):
            yield {**base, "deadline_key": key, "reason": "away_from_area"}
    elif kind == "mediation_scheduled":
        yield {**base, "mediation_date": today.isoformat()}
    elif kind == "consent_order_made":
        for order in OrderType:
            yield {**base, "orders": [order]}
    elif kind in ("set_aside_applied", "permission_to_appeal_requested"):
        yield {**base, "by": "council"}
        yield {**base, "by": "parent"}
    elif kind == "permission_to_appeal_decided":
        for by in ("council", "parent"):
            yield {**base, "by": by, "outcome": "refused"}
    elif kind == "contact_updated":
        yield {**base, "role": "parent", "contact": {"name": "A", "email": "a@example.org"}}
    elif kind == "case_closed":
        for reason in ("resolved_by_agreement", "withdrawn", "obligations_met"):
            yield {**base, "reason": reason}
    else:
        yield base


def accepted_kinds(status: CaseStatus, timeline: CaseTimeline, today: date) -> list[str]:
    """The event kinds, in the process's order, that the case would accept today."""
    if status.closed_reason is not None or status.starting:
        return []
    state = case_state(status, timeline)
    offered = []
    for kind in EVENT_KINDS:
        for probe in _probes(kind, status, today):
            try:
                check_event(state, parse_event(probe), today)
            except (EventRejected, ValidationError, KeyError):
                continue
            offered.append(kind)
            break
    return offered
