"""A one-line detail of each recorded event for the timeline (issue 10, friction)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cli.tables import timeline_rows
from ehcp.case_state import RecordedEvent
from ehcp.describe import describe_event
from ehcp.models import parse_event
from tests.unit.test_models import GOOD_EVENTS

#: kinds whose name says everything
PLAIN = {
    "way_forward_meeting_requested",
    "mediation_adviser_contacted",
    "mediation_declined",
    "mediation_withdrawn",
    "disagreement_resolution_started",
    "appeal_withdrawn",
    "written_reasons_sent",
    "set_aside_refused",
    "decision_set_aside",
    "decision_suspended",
}


@pytest.mark.parametrize("data", GOOD_EVENTS, ids=lambda d: d["kind"])
def test_every_kind_has_a_one_line_detail(data) -> None:
    detail = describe_event(parse_event(data))
    assert "\n" not in detail
    assert bool(detail) == (data["kind"] not in PLAIN)


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        ({"kind": "obligation_met", "deadline_key": "order:1:draft_plan"},
         "met order:1:draft_plan"),
        ({"kind": "recommendation_response_sent", "recommendation": 2, "followed": False,
          "reasons": "No places\nthis term"},
         "recommendation 2: not followed (No places this term)"),
        ({"kind": "recommendation_response_sent", "recommendation": 1, "followed": True},
         "recommendation 1: followed"),
        ({"kind": "tribunal_decision", "outcome": "partly_allowed", "orders": ["make_plan"],
          "recommendations": [{"addressed_to": "health", "summary": "x"}]},
         "partly allowed; orders: make_plan; 1 recommendation (health)"),
        ({"kind": "exception_recorded", "deadline_key": "order:1:final_plan",
          "reason": "away_from_area"}, "order:1:final_plan excepted: away from area"),
        ({"kind": "hearing_listed", "hearing_date": "2027-03-01"},
         "hearing on Monday 1 March 2027"),
        ({"kind": "mediation_scheduled", "mediation_date": "2026-11-20"},
         "mediation on Friday 20 November 2026"),
        ({"kind": "consent_order_made", "orders": ["make_plan"]}, "orders: make_plan"),
        ({"kind": "set_aside_applied", "by": "parent"}, "by the parent"),
        ({"kind": "permission_to_appeal_decided", "by": "council", "outcome": "refused"},
         "refused; asked by the council"),
        ({"kind": "mediation_held", "outcome": "no_agreement", "council_party": False},
         "outcome: no agreement; council not a party"),
    ],
)  # fmt: skip
def test_the_detail_names_what_the_event_was_about(data, detail) -> None:
    assert describe_event(parse_event({"date": "2026-11-02", **data})) == detail


def test_the_timeline_table_shows_the_detail() -> None:
    event = parse_event({"kind": "obligation_met", "date": "2026-11-02",
                         "deadline_key": "appeal_response"})  # fmt: skip
    recorded = RecordedEvent(seq=3, event=event, recorded_at=datetime(2026, 11, 2, tzinfo=UTC))
    header, row = timeline_rows([recorded])
    assert header[3] == "detail" and row[3] == "met appeal_response"
