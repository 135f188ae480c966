"""The service's delivery counters (observability/metrics.py lists every series), through the
SDK's activity metric meter: served on the worker's Prometheus endpoint when one is set, a
no-op otherwise. Labels are fixed vocabularies only: never a case reference, name or address.
"""

from __future__ import annotations

from temporalio import activity

from ehcp.notices import NoticeKind, Notification, Role
from observability.metrics import DEADLINES_MISSED, EMAILS_FAILED, EMAILS_SENT, ESCALATIONS

REFUSED = "refused"  # a permanent 4xx
GAVE_UP = "gave_up"  # retries ran out
NOT_ATTEMPTED = "not_attempted"  # the last attempt's time ran out first


def _deadline_type(n: Notification) -> str:
    return n.deadline.key.split(":")[0] if n.deadline is not None else "none"


def sent(n: Notification, transport: str) -> None:
    """One message newly accepted (SendGrid) or written (outbox)."""
    if not activity.in_activity():
        return
    meter = activity.metric_meter()
    meter.create_counter(EMAILS_SENT, "messages delivered to the provider").add(
        1, {"kind": str(n.kind), "role": str(n.role), "transport": transport}
    )
    # An escalation goes to the caseworker and the SEND manager: count the caseworker's copy.
    if n.kind == NoticeKind.escalation and n.role == Role.caseworker:
        labels = {"deadline": _deadline_type(n)}
        meter.create_counter(ESCALATIONS, "escalations of a missed duty").add(1, labels)
        if n.escalation == 1:
            meter.create_counter(
                DEADLINES_MISSED, "duties found missed (at their first escalation)"
            ).add(1, labels)


def failed(n: Notification, reason: str, status_code: int | None) -> None:
    """One message given up on, with why (`refused`, `gave_up`, `not_attempted`)."""
    if not activity.in_activity():
        return
    labels = {
        "kind": str(n.kind),
        "role": str(n.role),
        "reason": reason,
        "status_code": str(status_code) if status_code is not None else "none",
    }
    activity.metric_meter().create_counter(EMAILS_FAILED, "messages not delivered, by reason").add(
        1, labels
    )
