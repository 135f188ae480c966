"""One line of human detail for each recorded event: which deadline was met, which
recommendation was answered, what the tribunal decided. Used by the CLI's timeline table."""

from __future__ import annotations

from ehcp.dates_text import format_long_date
from ehcp.models import Event

#: reasons are free text: the timeline shows their start only
MAX_REASONS = 60


def _words(value: object) -> str:
    return str(value).replace("_", " ")


def _included(event: Event) -> list[str]:
    parts = []
    if getattr(event, "health_included", False):
        parts.append("health included")
    if getattr(event, "social_care_included", False):
        parts.append("social care included")
    return parts


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_REASONS else line[: MAX_REASONS - 3].rstrip() + "..."


def describe_event(event: Event) -> str:
    """A one-line plain-English detail of `event` (no notes, no names; "" when its kind says
    everything), e.g. "met order:1:draft_plan" or "recommendation 2: not followed (No
    places this term)". Dates are UK dates in full."""
    match event.kind:
        case "way_forward_meeting_scheduled":
            return f"meeting on {format_long_date(event.meeting_date)}"
        case "way_forward_meeting_held" | "disagreement_resolution_concluded":
            return f"outcome: {_words(event.outcome)}"
        case "mediation_requested":
            return "; ".join(_included(event)) or "education only"
        case "mediation_held":
            actions = len(event.agreed_actions)
            agreed = f"; {actions} agreed action{'s' if actions != 1 else ''}" if actions else ""
            council = "" if event.council_party else "; council not a party"
            return f"outcome: {_words(event.outcome)}{agreed}{council}"
        case "mediation_certificate_issued":
            return f"certificate: {_words(event.certificate_kind)}"
        case "appeal_registered":
            parts = [f"tribunal ref {event.tribunal_ref}"]
            if event.placement_only:
                parts.append("placement only")
            parts += _included(event)
            if event.response_due:
                parts.append(f"response due {format_long_date(event.response_due)}")
            return "; ".join(parts)
        case "appeal_unopposed":
            return f"concedes: {', '.join(event.concessions)}"
        case "hearing_listed":
            return f"hearing on {format_long_date(event.hearing_date)}"
        case "tribunal_decision":
            parts = [_words(event.outcome)]
            if event.orders:
                parts.append(f"orders: {', '.join(event.orders)}")
            if event.recommendations:
                to = ", ".join(_words(r.addressed_to) for r in event.recommendations)
                count = len(event.recommendations)
                parts.append(f"{count} recommendation{'s' if count != 1 else ''} ({to})")
            return "; ".join(parts)
        case "recommendation_response_sent":
            if event.followed:
                return f"recommendation {event.recommendation}: followed"
            reasons = f" ({_short(event.reasons)})" if event.reasons else ""
            return f"recommendation {event.recommendation}: not followed{reasons}"
        case "obligation_met":
            return f"met {event.deadline_key}"
        case "exception_recorded":
            return f"{event.deadline_key} excepted: {_words(event.reason)}"
        case "mediation_scheduled":
            return f"mediation on {format_long_date(event.mediation_date)}"
        case "consent_order_made":
            return f"orders: {', '.join(event.orders)}"
        case "set_aside_applied" | "permission_to_appeal_requested":
            return f"by the {_words(event.by)}"
        case "permission_to_appeal_decided":
            return f"{event.outcome}; asked by the {_words(event.by)}"
        case "case_closed":
            return f"reason: {_words(event.reason)}"
    return ""
