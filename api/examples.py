"""Request examples for the OpenAPI document: one per event kind, and a case to start.
tests/api check that each example is accepted by the models."""

from __future__ import annotations

from typing import Any

DATE = "2026-11-20"

EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "way_forward_meeting_requested": {},
    "way_forward_meeting_scheduled": {"meeting_date": "2026-11-27"},
    "way_forward_meeting_held": {"outcome": "not_resolved"},
    "mediation_adviser_contacted": {},
    "mediation_declined": {},
    "mediation_requested": {"health_included": True},
    "mediation_held": {
        "outcome": "partial_agreement",
        "agreed_actions": [{"summary": "Add speech and language therapy to section F"}],
    },
    "mediation_scheduled": {"mediation_date": "2026-12-04"},
    "mediation_withdrawn": {},
    "mediation_certificate_issued": {"certificate_kind": "mediation_completed"},
    "disagreement_resolution_started": {},
    "disagreement_resolution_concluded": {"outcome": "not_resolved"},
    "appeal_registered": {"tribunal_ref": "EH857/26/00042", "health_included": True},
    "appeal_unopposed": {"concessions": ["assess"]},
    "hearing_listed": {"hearing_date": "2027-03-02"},
    "appeal_withdrawn": {},
    "tribunal_decision": {
        "outcome": "allowed",
        "orders": ["amend_provision"],
        "recommendations": [{"addressed_to": "health", "summary": "Provide an OT assessment"}],
    },
    "consent_order_made": {"orders": ["amend_provision"]},
    "written_reasons_sent": {},
    "set_aside_applied": {"by": "parent"},
    "set_aside_refused": {},
    "decision_set_aside": {},
    "permission_to_appeal_requested": {"by": "council"},
    "permission_to_appeal_decided": {"by": "council", "outcome": "refused"},
    "decision_suspended": {},
    "recommendation_response_sent": {
        "recommendation": 1,
        "followed": False,
        "reasons": "An OT assessment was completed in September",
    },
    "obligation_met": {"deadline_key": "order:1:amend_provision"},
    "exception_recorded": {"deadline_key": "appeal_response", "reason": "away_from_area"},
    "case_closed": {"reason": "obligations_met"},
}


def event_examples() -> dict[str, dict[str, Any]]:
    """OpenAPI `examples` for the event body: one per kind."""
    return {
        kind: {
            "summary": kind.replace("_", " "),
            "value": {"kind": kind, "date": DATE, **fields},
        }
        for kind, fields in EVENT_EXAMPLES.items()
    }


CASE_EXAMPLE: dict[str, Any] = {
    "case_ref": "RUT-2026-0042",
    "decision_type": "refusal_to_assess",
    "decision_date": "2026-11-20",
    "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
    "caseworker": {"name": "Alex Caseworker", "email": "alex.caseworker@rutland.gov.uk"},
}
