"""The rules for events and their effects (ehcp/case_state.py), driven the way the workflow
drives them: check_event, then plan (the activity), then apply_event; refresh_statuses as
the clock moves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ehcp.case_state import (
    ALLOWED_ORDERS,
    EXCEPTION_KEYS,
    OBLIGATION_KEYS,
    PLACEMENT_APPEALABLE,
    CaseState,
    EventRejected,
    check_event,
    is_overdue,
    next_due,
    refresh_statuses,
)
from ehcp.models import DEADLINE_KEY_PATTERN, EVENT_KINDS, Event
from ehcp.vocabulary import (
    CLOSED_STATUSES,
    DeadlineStatus,
    DecisionType,
    OrderType,
    Party,
    Stage,
)
from tests.unit.casebuilder import HEALTH, CaseBuilder, ev, make_case

DECISION = date(2026, 10, 1)  # Thursday; 2 months on is Tuesday 1 December 2026
TWO_MONTHS = date(2026, 12, 1)
TRIBUNAL_REF = "EH123/26/00042"


def rejected(b: CaseBuilder, event: Event, *words: str, today: date | None = None) -> str:
    """Assert check_event refuses `event`, the message holds `words`, the state is untouched."""
    before = b.state.model_dump(mode="json")
    with pytest.raises(EventRejected) as caught:
        check_event(b.state, event, today or event.date)
    assert b.state.model_dump(mode="json") == before
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


def certificate(b: CaseBuilder, on: date) -> None:
    """Contact the adviser, then an information-only certificate the day after."""
    b.add("mediation_adviser_contacted", on)
    b.add(
        "mediation_certificate_issued", on + timedelta(days=1), certificate_kind="information_only"
    )


def appeal(b: CaseBuilder, on: date = date(2026, 10, 20), **fields: Any) -> None:
    """A registered appeal, with a certificate first unless it is placement-only."""
    if not fields.get("placement_only"):
        certificate(b, on - timedelta(days=5))
    b.add("appeal_registered", on, tribunal_ref=TRIBUNAL_REF, **fields)


def statuses(b: CaseBuilder) -> dict[str, str]:
    return {key: d.status.value for key, d in b.state.deadlines.items()}


# ----- the start of a case -------------------------------------------------------------------


def test_a_new_case_has_the_two_parent_clocks() -> None:
    b = CaseBuilder()
    assert b.state.stage == Stage.decision
    assert statuses(b) == {"mediation_contact": "pending", "appeal": "pending"}
    assert b.due("mediation_contact") == b.due("appeal") == TWO_MONTHS
    assert {d.party for d in b.state.deadlines.values()} == {Party.parent}
    assert next_due(b.state) == TWO_MONTHS
    assert not is_overdue(b.state)


# ----- rejections ----------------------------------------------------------------------------


#: a valid payload for each kind, beyond kind and date
SAMPLE_FIELDS: dict[str, dict[str, Any]] = {
    "way_forward_meeting_requested": {},
    "way_forward_meeting_scheduled": {"meeting_date": None},  # the event's own date
    "way_forward_meeting_held": {"outcome": "resolved"},
    "mediation_adviser_contacted": {},
    "mediation_declined": {},
    "mediation_requested": {"health_included": True},
    "mediation_held": {"outcome": "agreement", "agreed_actions": [{"summary": "a"}]},
    "mediation_withdrawn": {},
    "mediation_certificate_issued": {"certificate_kind": "information_only"},
    "disagreement_resolution_started": {},
    "disagreement_resolution_concluded": {"outcome": "resolved"},
    "appeal_registered": {"tribunal_ref": "EH999/27/1", "placement_only": True},
    "appeal_unopposed": {"concessions": ["amend_provision"]},
    "hearing_listed": {"hearing_date": None},
    "appeal_withdrawn": {},
    "tribunal_decision": {"outcome": "allowed", "orders": ["amend_provision"]},
    "recommendation_response_sent": {"recommendation": 1, "followed": True},
    "obligation_met": {"deadline_key": "order:1:amended_plan"},
    "exception_recorded": {"deadline_key": "order:1:amended_plan", "reason": "away_from_area"},
    "case_closed": {"reason": "withdrawn"},
    "mediation_scheduled": {"mediation_date": None},
    "consent_order_made": {"orders": ["amend_provision"]},
    "written_reasons_sent": {},
    "set_aside_applied": {"by": "parent"},
    "set_aside_refused": {},
    "decision_set_aside": {},
    "permission_to_appeal_requested": {"by": "council"},
    "permission_to_appeal_decided": {"by": "council", "outcome": "refused"},
    "decision_suspended": {},
    "contact_updated": {
        "role": "parent",
        "contact": {"name": "Sam Parent", "email": "sam.new@example.org"},
    },
}


def sample_event(kind: str, on: date) -> Event:
    fields = {k: v if v is not None else on.isoformat() for k, v in SAMPLE_FIELDS[kind].items()}
    return ev(kind, on, **fields)


def test_sample_fields_cover_every_kind() -> None:
    assert set(SAMPLE_FIELDS) == set(EVENT_KINDS)


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_a_closed_case_refuses_every_event(kind: str) -> None:
    b = CaseBuilder()
    appeal(b)
    b.add("case_closed", date(2026, 10, 25), reason="withdrawn")
    assert b.state.closed
    event = sample_event(kind, date(2026, 10, 26))
    rejected(b, event, "RUT-2026-0042 is closed (withdrawn)", "accepts no more events")


def test_a_date_in_the_future_is_refused() -> None:
    b = CaseBuilder()
    event = ev("mediation_adviser_contacted", date(2026, 10, 11))
    rejected(
        b, event, "2026-10-11 is in the future", "today is 2026-10-10", today=date(2026, 10, 10)
    )
    check_event(b.state, event, date(2026, 10, 11))  # on the day itself it is fine


def test_a_date_before_the_decision_is_refused() -> None:
    b = CaseBuilder()
    event = ev("mediation_adviser_contacted", DECISION - timedelta(days=1))
    rejected(b, event, "before the council's decision of 2026-10-01", today=DECISION)
    check_event(b.state, ev("mediation_adviser_contacted", DECISION), DECISION)


def test_the_same_event_twice_is_refused_even_with_other_notes() -> None:
    b = CaseBuilder()
    b.add("way_forward_meeting_requested", date(2026, 10, 5))
    again = ev("way_forward_meeting_requested", date(2026, 10, 5), recorded_by="Someone", notes="x")
    rejected(b, again, "already recorded as event 1", "not recorded twice")
    # the same kind on another day is another event
    b.add("way_forward_meeting_requested", date(2026, 10, 6))
    assert [r.seq for r in b.state.timeline] == [1, 2]


def test_an_appeal_needs_a_certificate_unless_placement_only() -> None:
    b = CaseBuilder()
    b.add("mediation_adviser_contacted", date(2026, 10, 5))
    event = ev("appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF)
    rejected(b, event, "needs a mediation certificate", "placement_only")


@pytest.mark.parametrize("decision_type", sorted(PLACEMENT_APPEALABLE))
def test_a_placement_only_appeal_needs_no_certificate(decision_type: str) -> None:
    b = CaseBuilder(make_case(decision_type))
    b.add("appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF, placement_only=True)
    assert b.state.stage == Stage.appeal
    assert b.status("appeal") == "met"
    assert b.status("mediation_contact") == "cancelled"  # not needed before this appeal
    assert b.status("appeal_response") == "pending"


@pytest.mark.parametrize("decision_type", sorted(set(DecisionType) - PLACEMENT_APPEALABLE, key=str))
def test_placement_only_is_refused_where_there_is_no_placement(decision_type: str) -> None:
    b = CaseBuilder(make_case(decision_type))
    certificate(b, date(2026, 10, 5))  # even with a certificate
    event = ev(
        "appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF, placement_only=True
    )
    rejected(b, event, "placement_only applies only", f"not to {decision_type}")


def test_a_second_appeal_while_one_is_open_is_refused() -> None:
    b = CaseBuilder()
    appeal(b)
    event = ev("appeal_registered", date(2026, 10, 21), tribunal_ref="EH999/26/1")
    rejected(b, event, "already registered")


def test_a_response_date_before_registration_is_refused() -> None:
    b = CaseBuilder()
    certificate(b, date(2026, 10, 5))
    event = ev(
        "appeal_registered",
        date(2026, 10, 20),
        tribunal_ref=TRIBUNAL_REF,
        response_due="2026-10-20",
    )
    rejected(
        b,
        event,
        "the council's response date (response_due) must be after the day the appeal "
        "was registered (date)",
    )


def test_no_recommendations_on_an_appeal_against_a_refusal_to_assess() -> None:
    b = CaseBuilder(make_case("refusal_to_assess"))
    appeal(b, health_included=True, social_care_included=True)
    event = ev(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="allowed",
        orders=["assess"],
        recommendations=[{"addressed_to": "health", "summary": "Therapy review"}],
    )
    rejected(b, event, "cannot make health or social care recommendations", "refusal to assess")


@pytest.mark.parametrize("party", ["health", "social_care"])
def test_a_recommendation_needs_its_party_included_in_the_appeal(party: str) -> None:
    b = CaseBuilder()
    other = "social_care" if party == "health" else "health"
    appeal(b, **{f"{other}_included": True})
    event = ev(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="allowed",
        recommendations=[
            {"addressed_to": other, "summary": "fine"},
            {"addressed_to": party, "summary": "not included"},
        ],
    )
    rejected(b, event, f"recommendation 2 is addressed to {party}", f"without {party} included")


def test_a_response_to_a_recommendation_that_does_not_exist() -> None:
    b = CaseBuilder()
    event = ev("recommendation_response_sent", date(2026, 10, 5), recommendation=1, followed=True)
    rejected(b, event, "there is no recommendation 1", "this case has none")
    decided(b)
    event = ev("recommendation_response_sent", date(2027, 3, 5), recommendation=3, followed=True)
    rejected(b, event, "there is no recommendation 3", "recommendations 1 to 2")


def test_a_second_response_to_the_same_recommendation() -> None:
    b = CaseBuilder()
    decided(b)
    b.add("recommendation_response_sent", date(2027, 3, 10), recommendation=1, followed=True)
    event = ev(
        "recommendation_response_sent",
        date(2027, 3, 12),
        recommendation=1,
        followed=False,
        reasons="changed our mind",
    )
    rejected(b, event, "recommendation 1 already has a response", "2027-03-10")


def test_mediation_held_needs_a_request() -> None:
    b = CaseBuilder()
    rejected(
        b,
        ev("mediation_held", date(2026, 10, 20), outcome="agreement"),
        "no mediation is requested",
    )


def test_mediation_withdrawn_needs_a_request() -> None:
    b = CaseBuilder()
    rejected(
        b,
        ev("mediation_withdrawn", date(2026, 10, 5)),
        "only a requested mediation",
        "not requested",
    )
    b.add("mediation_declined", date(2026, 10, 5))
    rejected(b, ev("mediation_withdrawn", date(2026, 10, 6)), "mediation is declined")


def test_mediation_steps_out_of_order() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    rejected(
        b, ev("mediation_declined", date(2026, 10, 6)), "already requested", "mediation_withdrawn"
    )
    again = ev("mediation_requested", date(2026, 10, 6), health_included=True)
    rejected(b, again, "already requested")
    b.add("mediation_held", date(2026, 10, 20), outcome="no_agreement")
    rejected(
        b,
        ev("mediation_held", date(2026, 10, 21), outcome="agreement"),
        "no mediation is requested",
    )
    rejected(b, ev("mediation_withdrawn", date(2026, 10, 21)), "mediation is held")


def test_adviser_contact_is_recorded_once() -> None:
    b = CaseBuilder()
    b.add("mediation_adviser_contacted", date(2026, 10, 5))
    rejected(
        b, ev("mediation_adviser_contacted", date(2026, 10, 7)), "already recorded on 2026-10-05"
    )


def test_a_mediation_completed_certificate_needs_mediation_held() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    event = ev(
        "mediation_certificate_issued", date(2026, 10, 6), certificate_kind="mediation_completed"
    )
    rejected(b, event, "mediation_completed certificate needs mediation_held", "information_only")


def test_a_certificate_needs_contact_with_the_adviser() -> None:
    b = CaseBuilder()
    event = ev(
        "mediation_certificate_issued", date(2026, 10, 6), certificate_kind="information_only"
    )
    rejected(b, event, "no contact with the mediation adviser")


def test_tribunal_decision_needs_a_registered_appeal() -> None:
    b = CaseBuilder()
    event = ev("tribunal_decision", date(2026, 11, 1), outcome="dismissed")
    rejected(b, event, "tribunal_decision needs a registered appeal")


def test_tribunal_decision_after_withdrawal_is_refused() -> None:
    b = CaseBuilder()
    appeal(b)
    b.add("appeal_withdrawn", date(2026, 11, 1))
    event = ev("tribunal_decision", date(2026, 11, 2), outcome="allowed")
    rejected(b, event, "needs a registered appeal that is not withdrawn or decided")


def test_a_second_tribunal_decision_is_refused() -> None:
    b = CaseBuilder()
    decided(b)
    event = ev("tribunal_decision", date(2027, 3, 2), outcome="allowed", orders=["amend_placement"])
    rejected(b, event, "needs a registered appeal that is not withdrawn or decided")
    again = ev(
        "appeal_registered", date(2027, 3, 2), tribunal_ref="EH999/27/1", placement_only=True
    )
    rejected(b, again, "already registered on this case (or was conceded or decided)")


@pytest.mark.parametrize(
    ("decision_type", "order"),
    [
        ("refusal_to_assess", "make_plan"),
        ("refusal_to_issue_plan", "assess"),
        ("plan_content", "cease_plan"),
        ("cease_plan", "amend_provision"),
        ("amended_plan_content", "continue_plan"),
    ],
)
def test_orders_must_fit_the_decision_type(decision_type: str, order: str) -> None:
    b = CaseBuilder(make_case(decision_type))
    appeal(b)
    allowed = ", ".join(sorted(ALLOWED_ORDERS[DecisionType(decision_type)]))
    decision = ev("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=[order])
    rejected(b, decision, f"order 1 ({order}) does not fit", decision_type, f"allowed: {allowed}")
    conceded = ev("appeal_unopposed", date(2026, 11, 1), concessions=[order])
    rejected(b, conceded, f"concession 1 ({order}) does not fit", f"allowed: {allowed}")


@pytest.mark.parametrize("decision_type", list(DecisionType))
def test_every_allowed_order_is_accepted(decision_type: DecisionType) -> None:
    allowed = sorted(ALLOWED_ORDERS[decision_type])
    b = CaseBuilder(make_case(decision_type))
    appeal(b)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=allowed)
    assert b.state.orders_made == len(allowed)
    numbers = {key.split(":")[1] for key in b.state.deadlines if key.startswith("order:")}
    assert numbers == {str(n) for n in range(1, len(allowed) + 1)}


def test_a_dismissed_appeal_has_no_orders_except_cease_plan() -> None:
    b = CaseBuilder(make_case("cease_plan"))
    appeal(b)
    event = ev("tribunal_decision", date(2027, 3, 1), outcome="dismissed", orders=["continue_plan"])
    rejected(b, event, "a dismissed appeal has no orders except cease_plan")
    b.add("tribunal_decision", date(2027, 3, 1), outcome="dismissed", orders=["cease_plan"])
    assert b.due("order:1:cease") == date(2027, 3, 1)  # immediately


def test_obligation_met_on_an_unknown_key() -> None:
    b = CaseBuilder()
    decided(b)
    event = ev("obligation_met", date(2027, 3, 5), deadline_key="order:9:amended_plan")
    message = rejected(b, event, "there is no deadline order:9:amended_plan")
    assert "order:1:amended_plan" in message  # the hint lists what it could be


@pytest.mark.parametrize("key", ["appeal", "mediation_contact", "mediation_certificate", "hearing"])
def test_obligation_met_does_not_apply_to_deadlines_met_by_their_own_event(key: str) -> None:
    b = CaseBuilder()
    rejected(
        b, ev("obligation_met", date(2026, 10, 5), deadline_key=key), f"does not apply to {key}"
    )


def test_obligation_met_on_a_deadline_already_met() -> None:
    b = CaseBuilder()
    decided(b)
    b.add("obligation_met", date(2027, 3, 5), deadline_key="order:1:amended_plan")
    event = ev("obligation_met", date(2027, 3, 6), deadline_key="order:1:amended_plan")
    rejected(b, event, "deadline order:1:amended_plan is already met", "2027-03-05")


def test_obligation_met_on_a_cancelled_deadline() -> None:
    b = CaseBuilder()
    decided(b)
    assert b.status("appeal_response") == "cancelled"
    event = ev("obligation_met", date(2027, 3, 6), deadline_key="appeal_response")
    rejected(b, event, "appeal_response is already cancelled")


@pytest.mark.parametrize("key", ["appeal_response", "recommendation_response:1", "appeal"])
def test_exception_recorded_only_on_order_and_agreement_keys(key: str) -> None:
    b = CaseBuilder()
    decided(b)
    event = ev("exception_recorded", date(2027, 3, 5), deadline_key=key, reason="away_from_area")
    rejected(b, event, f"exception_recorded does not apply to {key}")


def test_exception_recorded_twice_is_refused() -> None:
    b = CaseBuilder()
    decided(b)
    key = "order:1:amended_plan"
    b.add("exception_recorded", date(2027, 3, 5), deadline_key=key, reason="away_from_area")
    event = ev(
        "exception_recorded", date(2027, 3, 6), deadline_key=key, reason="parent_representations"
    )
    rejected(b, event, f"deadline {key} is already excepted")


def test_closing_as_obligations_met_while_duties_are_open() -> None:
    b = CaseBuilder()
    decided(b)
    event = ev("case_closed", date(2027, 3, 5), reason="obligations_met")
    message = rejected(b, event, "obligations are still open: ")
    # the council's and health's duties; not the parent's, not the cancelled appeal response
    assert message.split(": ", 1)[1].split(", ") == [
        "order:1:amended_plan",
        "order:2:amended_plan",
        "recommendation_response:1",
        "recommendation_response:2",
    ]


def test_closing_as_obligations_met_once_everything_is_done() -> None:
    b = CaseBuilder()
    decided(b)
    on = date(2027, 3, 10)
    b.add("obligation_met", on, deadline_key="order:1:amended_plan")
    b.add("exception_recorded", on, deadline_key="order:2:amended_plan", reason="away_from_area")
    b.add("recommendation_response_sent", on, recommendation=1, followed=True)
    b.add("recommendation_response_sent", on, recommendation=2, followed=False, reasons="No budget")
    b.add("case_closed", on, reason="obligations_met")
    assert b.state.closed and b.state.closed_reason == "obligations_met"


def test_closing_reasons_that_need_facts() -> None:
    b = CaseBuilder()
    rejected(
        b, ev("case_closed", date(2026, 10, 5), reason="appeal_dismissed"), "outcome dismissed"
    )
    rejected(
        b,
        ev("case_closed", date(2026, 10, 5), reason="no_appeal"),
        "appeal deadline to have passed",
    )
    b.refresh(TWO_MONTHS + timedelta(days=1))
    assert b.status("appeal") == "missed"
    b.add("case_closed", TWO_MONTHS + timedelta(days=1), reason="no_appeal")
    assert b.state.closed_reason == "no_appeal"


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("appeal_unopposed", {"concessions": ["amend_provision"]}),
        ("hearing_listed", {"hearing_date": "2027-02-01"}),
        ("appeal_withdrawn", {}),
    ],
)
def test_appeal_steps_need_an_open_appeal(kind: str, fields: dict) -> None:
    b = CaseBuilder()
    rejected(b, ev(kind, date(2026, 11, 1), **fields), f"{kind} needs a registered appeal")
    appeal(b)
    b.add("appeal_withdrawn", date(2026, 10, 25))
    rejected(b, ev(kind, date(2026, 11, 1), **fields), f"{kind} needs a registered appeal")


def test_way_forward_meeting_held_needs_scheduling() -> None:
    b = CaseBuilder()
    b.add("way_forward_meeting_requested", date(2026, 10, 2))
    event = ev("way_forward_meeting_held", date(2026, 10, 10), outcome="resolved")
    rejected(b, event, "no way forward meeting is scheduled")
    b.add("way_forward_meeting_scheduled", date(2026, 10, 3), meeting_date="2026-10-10")
    b.record(event)
    again = ev("way_forward_meeting_held", date(2026, 10, 11), outcome="not_resolved")
    rejected(b, again, "no way forward meeting is scheduled")


def test_disagreement_resolution_must_start_before_it_concludes() -> None:
    b = CaseBuilder()
    concluded = ev("disagreement_resolution_concluded", date(2026, 10, 9), outcome="resolved")
    rejected(b, concluded, "no disagreement resolution is under way")
    b.add("disagreement_resolution_started", date(2026, 10, 5))
    rejected(b, ev("disagreement_resolution_started", date(2026, 10, 6)), "already under way")
    b.record(concluded)
    b.add("disagreement_resolution_started", date(2026, 10, 12))  # a second round is fine
    assert b.state.stage == Stage.decision  # tracked only: no stage of its own


# ----- effects -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("mediation_adviser_contacted", {}),
        ("mediation_declined", {}),
        ("mediation_requested", {}),
    ],
)
def test_mediation_contact_is_met_by_any_contact_with_the_adviser(kind: str, fields: dict) -> None:
    b = CaseBuilder()
    b.add(kind, date(2026, 11, 20), **fields)
    contact = b.state.deadlines["mediation_contact"]
    assert (contact.status, contact.closed_on) == (DeadlineStatus.met, date(2026, 11, 20))
    assert b.state.stage == Stage.mediation


def test_mediation_contact_after_the_due_date_is_met_late() -> None:
    b = CaseBuilder()
    b.refresh(TWO_MONTHS + timedelta(days=1))
    assert b.status("mediation_contact") == "missed"
    assert not is_overdue(b.state)  # a parent deadline is never "overdue"
    b.add("mediation_adviser_contacted", date(2026, 12, 5))
    contact = b.state.deadlines["mediation_contact"]
    assert (contact.status, contact.closed_on) == (DeadlineStatus.met_late, date(2026, 12, 5))


def test_contact_on_the_due_date_is_on_time() -> None:
    b = CaseBuilder()
    b.add("mediation_declined", TWO_MONTHS)
    assert b.status("mediation_contact") == "met"


def test_declining_mediation_starts_the_certificate_clock() -> None:
    b = CaseBuilder()
    b.add("mediation_declined", date(2026, 11, 24))  # Tuesday
    cert = b.state.deadlines["mediation_certificate"]
    assert cert.due == date(2026, 11, 27)  # 3 working days: Friday
    assert cert.party == Party.mediation_adviser
    assert "reg 34" in cert.basis


def test_ipsea_example_certificate_moves_the_appeal_deadline() -> None:
    # Decision 1 October, certificate 29 November: 1 month from the certificate is
    # 29 December, in 25 Dec-1 Jan, so the first working day after 1 January: Mon 4 Jan 2027.
    b = CaseBuilder()
    b.add("mediation_declined", date(2026, 11, 24))
    b.add("mediation_certificate_issued", date(2026, 11, 29), certificate_kind="information_only")
    appeal_deadline = b.state.deadlines["appeal"]
    assert appeal_deadline.due == date(2027, 1, 4)
    assert appeal_deadline.replaces == TWO_MONTHS
    assert appeal_deadline.status == DeadlineStatus.pending
    assert "r.20(1)(c)(ii)" in appeal_deadline.basis
    assert "r.12(3)(a)" in (appeal_deadline.note or "")
    # the certificate came after its 3 working days (Friday 27 November)
    assert b.status("mediation_certificate") == "met_late"


def test_an_early_certificate_does_not_move_the_appeal_deadline() -> None:
    b = CaseBuilder()
    certificate(b, date(2026, 10, 5))  # 1 month from 6 October is before 1 December
    appeal_deadline = b.state.deadlines["appeal"]
    assert appeal_deadline.due == TWO_MONTHS
    assert appeal_deadline.replaces is None
    assert "r.20(1)(c)(i)" in appeal_deadline.basis


def test_a_certificate_after_the_appeal_does_not_reopen_it() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20), placement_only=True)
    certificate(b, date(2026, 11, 25))
    appeal_deadline = b.state.deadlines["appeal"]
    assert appeal_deadline.status == DeadlineStatus.met
    assert appeal_deadline.closed_on == date(2026, 10, 20)


def test_a_certificate_revives_a_missed_appeal_deadline() -> None:
    # Appeal missed on 1 December, but a certificate on 20 December gives until 20 January.
    b = CaseBuilder()
    b.add("mediation_declined", date(2026, 11, 24))
    b.refresh(date(2026, 12, 2))
    assert b.status("appeal") == "missed"
    b.add("mediation_certificate_issued", date(2026, 12, 20), certificate_kind="information_only")
    assert (b.status("appeal"), b.due("appeal")) == ("pending", date(2027, 1, 20))


def test_a_late_appeal_is_flagged_but_accepted() -> None:
    b = CaseBuilder()
    certificate(b, date(2026, 10, 5))
    recorded = b.add("appeal_registered", date(2026, 12, 10), tribunal_ref=TRIBUNAL_REF)
    assert recorded.flags == ["late_appeal"]
    assert b.state.timeline[-1].flags == ["late_appeal"]
    assert b.status("appeal") == "met_late"
    assert b.status("appeal_response") == "pending"
    assert b.state.stage == Stage.appeal


def test_an_appeal_on_the_last_day_is_not_late() -> None:
    b = CaseBuilder()
    certificate(b, date(2026, 10, 5))
    recorded = b.add("appeal_registered", TWO_MONTHS, tribunal_ref=TRIBUNAL_REF)
    assert recorded.flags == []
    assert b.status("appeal") == "met"


def test_appeal_registered_starts_the_council_response_clock() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20))
    response = b.state.deadlines["appeal_response"]
    assert response.due == date(2026, 12, 1)  # 30 working days from Tuesday 20 October
    assert response.party == Party.council
    assert response.escalate_from == date(2026, 12, 2)
    assert "r.21" in response.basis


def test_the_tribunals_response_date_replaces_the_computed_one() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20), response_due="2026-11-28")  # a Saturday
    response = b.state.deadlines["appeal_response"]
    assert response.due == date(2026, 11, 30)
    assert "directed by the tribunal" in response.basis


def test_appeal_unopposed_starts_reg_45_clocks_and_ends_the_response_duty() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20))
    b.add("appeal_unopposed", date(2026, 11, 2), concessions=["amend_provision", "amend_placement"])
    assert b.state.stage == Stage.compliance
    assert b.state.orders_made == 2
    assert b.status("appeal_response") == "cancelled"
    first, second = (
        b.state.deadlines["order:1:amended_plan"],
        b.state.deadlines["order:2:amended_plan"],
    )
    assert first.due == date(2026, 12, 7)  # 5 weeks from Monday 2 November
    assert second.due == date(2026, 11, 16)  # 2 weeks
    for order in (first, second):
        assert "reg 45" in order.basis
        assert order.party == Party.council and order.status == DeadlineStatus.pending


def test_a_concession_reg_45_does_not_list_is_marked_unconfirmed() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20))
    b.add("appeal_unopposed", date(2026, 11, 2), concessions=["reconsider"])
    order = b.state.deadlines["order:1:reconsider"]
    assert not order.confirmed
    assert "reg 45" in order.basis and "unconfirmed" in order.basis


def decided(b: CaseBuilder, on: date = date(2027, 3, 1)) -> None:
    """An appeal with health and social care, decided with two orders and two recommendations."""
    appeal(b, health_included=True, social_care_included=True)
    b.add(
        "tribunal_decision",
        on,
        outcome="allowed",
        orders=["amend_provision", "amend_placement"],
        recommendations=[
            {"addressed_to": "health", "summary": "Review speech therapy"},
            {"addressed_to": "social_care", "summary": "Short breaks assessment"},
        ],
    )


def test_tribunal_decision_starts_order_and_recommendation_clocks() -> None:
    b = CaseBuilder(make_case(health_contact=HEALTH))
    decided(b, date(2027, 3, 1))  # Monday
    assert b.state.stage == Stage.compliance
    five_weeks = date(2027, 4, 5)
    assert b.due("order:1:amended_plan") == five_weeks
    assert b.due("order:2:amended_plan") == date(2027, 3, 15)
    assert b.due("recommendation_response:1") == five_weeks
    assert b.due("recommendation_response:2") == five_weeks
    assert b.state.deadlines["recommendation_response:1"].party == Party.health
    assert b.state.deadlines["recommendation_response:2"].party == Party.social_care
    assert b.status("appeal_response") == "cancelled"
    assert (b.state.orders_made, len(b.state.recommendations)) == (2, 2)
    assert all(DEADLINE_KEY_PATTERN.match(key) for key in b.state.deadlines)


def test_concessions_are_numbered_and_end_the_appeal() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20), health_included=True)
    b.add("appeal_unopposed", date(2026, 11, 2), concessions=["amend_placement", "reconsider"])
    orders = sorted(key for key in b.state.deadlines if key.startswith("order:"))
    assert orders == ["order:1:amended_plan", "order:2:reconsider"]
    assert "reg 45" in b.state.deadlines["order:1:amended_plan"].basis
    assert b.state.orders_made == 2
    # reg 45: an unopposed appeal is determined; there is no hearing or decision after it
    decision = ev("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=["assess"])
    rejected(b, decision, "needs a registered appeal")


def test_a_recommendation_keeps_its_named_contact() -> None:
    b = CaseBuilder(make_case(health_contact=HEALTH))
    appeal(b, health_included=True)
    named = {"name": "Nia Named", "email": "nia.named@icb.example.nhs.uk"}
    b.add(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="allowed",
        recommendations=[
            {"addressed_to": "health", "summary": "a"},
            {"addressed_to": "health", "summary": "b", "contact": named},
        ],
    )
    assert b.state.deadlines["recommendation_response:1"].contact is None
    assert b.state.deadlines["recommendation_response:2"].contact.email == named["email"]


@pytest.mark.parametrize(
    ("sent", "status"), [(date(2027, 4, 5), "met"), (date(2027, 4, 6), "met_late")]
)
def test_recommendation_response_sent_meets_its_clock(sent: date, status: str) -> None:
    b = CaseBuilder()
    decided(b)
    b.add("recommendation_response_sent", sent, recommendation=2, followed=True)
    assert b.status("recommendation_response:2") == status
    assert b.state.deadlines["recommendation_response:2"].closed_on == sent
    assert b.status("recommendation_response:1") == "pending"


@pytest.mark.parametrize(
    ("met_on", "status"), [(date(2027, 3, 15), "met"), (date(2027, 3, 16), "met_late")]
)
def test_obligation_met_on_time_and_late(met_on: date, status: str) -> None:
    b = CaseBuilder()
    decided(b)
    b.refresh(met_on)
    b.add("obligation_met", met_on, deadline_key="order:2:amended_plan")
    assert b.status("order:2:amended_plan") == status
    assert not is_overdue(b.state)


def test_obligation_met_on_the_icb_notice_and_appeal_response() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    assert b.due("icb_mediation_notice") == date(2026, 10, 8)  # 3 working days from Monday
    b.add("obligation_met", date(2026, 10, 7), deadline_key="icb_mediation_notice")
    assert b.status("icb_mediation_notice") == "met"
    b.add("mediation_withdrawn", date(2026, 10, 9))
    b.add("mediation_certificate_issued", date(2026, 10, 12), certificate_kind="information_only")
    b.add("appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF)
    b.add("obligation_met", date(2026, 11, 20), deadline_key="appeal_response")
    assert b.status("appeal_response") == "met"


def test_exception_recorded_suspends_the_limit_visibly() -> None:
    b = CaseBuilder()
    decided(b)
    b.refresh(date(2027, 3, 20))
    assert b.status("order:2:amended_plan") == "missed"
    assert is_overdue(b.state)
    b.add(
        "exception_recorded",
        date(2027, 3, 20),
        deadline_key="order:2:amended_plan",
        reason="exceptional_personal_circumstances",
    )
    deadline = b.state.deadlines["order:2:amended_plan"]
    assert deadline.status == DeadlineStatus.excepted
    assert deadline.exception == "exceptional_personal_circumstances"
    assert deadline.closed_on == date(2027, 3, 20)
    assert deadline.due == date(2027, 3, 15)  # never silently moved
    assert not is_overdue(b.state)
    # met after all: judged by its date
    b.add("obligation_met", date(2027, 3, 25), deadline_key="order:2:amended_plan")
    assert b.status("order:2:amended_plan") == "met_late"


def test_mediation_agreement_actions() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    assert b.due("mediation_session") == date(2026, 11, 4)  # 30 calendar days
    b.add(
        "mediation_held",
        date(2026, 10, 20),
        outcome="agreement",
        agreed_actions=[
            {"summary": "Make a plan", "order": "make_plan"},
            {"summary": "OT visit", "by": "health"},
            {"summary": "Transport", "agreed_due": "2026-12-24"},
        ],
    )
    assert b.status("mediation_session") == "met"
    assert b.due("mediation_certificate") == date(2026, 10, 23)  # reg 39: 3 working days
    assert b.state.actions_agreed == 3
    assert b.due("agreement_action:1:draft_plan") == date(2026, 11, 24)  # 5 weeks
    assert b.due("agreement_action:1:final_plan") == date(2027, 1, 5)  # 11 weeks
    assert b.state.deadlines["agreement_action:2"].party == Party.health
    assert b.due("agreement_action:2") == date(2026, 11, 3)  # 2 weeks
    assert b.due("agreement_action:3") == date(2026, 12, 24)
    b.add(
        "exception_recorded",
        date(2026, 11, 1),
        deadline_key="agreement_action:1:draft_plan",
        reason="parent_representations",
    )
    assert b.status("agreement_action:1:draft_plan") == "excepted"
    b.add("obligation_met", date(2026, 11, 2), deadline_key="agreement_action:2")
    assert b.status("agreement_action:2") == "met"


def test_an_appealable_agreement_recorded_as_healths_falls_to_the_council() -> None:
    # reg 42(2): the council acts on agreements about appealable matters
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    b.add(
        "mediation_held",
        date(2026, 10, 20),
        outcome="agreement",
        agreed_actions=[{"summary": "Amend placement", "by": "health", "order": "amend_placement"}],
    )
    action = b.state.deadlines["agreement_action:1"]
    assert (action.party, action.due) == (Party.council, date(2026, 11, 3))


def test_mediation_withdrawn_cancels_the_session_and_starts_a_certificate() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    b.add("mediation_withdrawn", date(2026, 10, 9))
    assert b.status("mediation_session") == "cancelled"
    assert b.status("icb_mediation_notice") == "cancelled"
    cert = b.state.deadlines["mediation_certificate"]
    assert (cert.status, cert.due, cert.confirmed) == (
        DeadlineStatus.pending,
        date(2026, 10, 14),
        False,
    )


def test_a_new_request_after_withdrawal_restarts_the_mediation_clocks() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    b.add("mediation_withdrawn", date(2026, 10, 9))
    b.add("mediation_requested", date(2026, 10, 20), health_included=True)
    session = b.state.deadlines["mediation_session"]
    assert (session.status, session.due) == (DeadlineStatus.pending, date(2026, 11, 19))
    assert session.replaces == date(2026, 11, 4)
    assert (b.status("icb_mediation_notice"), b.due("icb_mediation_notice")) == (
        "pending",
        date(2026, 10, 23),
    )


def test_a_new_appeal_after_withdrawal_gets_its_own_response_clock() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20))
    b.add("appeal_withdrawn", date(2026, 10, 26))
    assert b.status("appeal_response") == "cancelled"
    b.add("appeal_registered", date(2026, 11, 2), tribunal_ref="EH123/26/00099")
    response = b.state.deadlines["appeal_response"]
    assert response.status == DeadlineStatus.pending
    assert response.due > date(2026, 12, 1)


def test_a_withdrawn_appeal_ends_a_missed_response_duty() -> None:
    # The route ended: nobody should be chased for a response to a withdrawn appeal.
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20))
    b.refresh(date(2026, 12, 3))
    assert b.status("appeal_response") == "missed" and is_overdue(b.state)
    b.add("appeal_withdrawn", date(2026, 12, 3))
    assert b.status("appeal_response") == "cancelled"
    assert b.state.deadlines["appeal_response"].closed_on == date(2026, 12, 3)
    assert not is_overdue(b.state)


def test_a_decision_ends_a_missed_response_duty() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20))
    b.refresh(date(2026, 12, 3))
    b.add("tribunal_decision", date(2027, 3, 1), outcome="dismissed")
    assert b.status("appeal_response") == "cancelled"
    assert not is_overdue(b.state)


def test_meetings_are_met_when_held_or_when_their_day_passes() -> None:
    b = CaseBuilder()
    b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date="2026-10-09")
    meeting = b.state.deadlines["way_forward_meeting"]
    assert (meeting.party, meeting.escalate_from) == (Party.everyone, None)
    assert not b.refresh(date(2026, 10, 9))  # the day itself: still pending
    b.add("way_forward_meeting_held", date(2026, 10, 9), outcome="not_resolved")
    assert b.status("way_forward_meeting") == "met"
    # a second meeting replaces the first one's deadline
    b.add("way_forward_meeting_scheduled", date(2026, 10, 12), meeting_date="2026-10-20")
    assert (b.status("way_forward_meeting"), b.due("way_forward_meeting")) == (
        "pending",
        date(2026, 10, 20),
    )
    assert b.refresh(date(2026, 10, 21))
    meeting = b.state.deadlines["way_forward_meeting"]
    assert (meeting.status, meeting.closed_on) == (DeadlineStatus.met, date(2026, 10, 20))
    assert not is_overdue(b.state)


def test_the_hearing_is_met_by_the_decision() -> None:
    b = CaseBuilder()
    appeal(b, date(2026, 10, 20))
    b.add("hearing_listed", date(2026, 11, 2), hearing_date="2027-03-01")
    assert (b.status("hearing"), b.due("hearing")) == ("pending", date(2027, 3, 1))
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=["amend_provision"])
    assert b.status("hearing") == "met"


def test_refresh_statuses_moves_only_past_due_pending_deadlines() -> None:
    b = CaseBuilder()
    decided(b)
    b.add("obligation_met", date(2027, 3, 10), deadline_key="order:2:amended_plan")
    # the council's rights to challenge end on 30 March (28 days; 29 March is Easter Monday)
    b.add("set_aside_applied", date(2027, 3, 10), by="council")
    b.add("permission_to_appeal_requested", date(2027, 3, 10), by="council")
    assert not b.refresh(date(2027, 4, 5))  # due today: not yet missed
    assert b.refresh(date(2027, 4, 6))
    assert statuses(b) == {
        "mediation_contact": "met",
        "appeal": "met",
        "appeal_response": "cancelled",
        "order:1:amended_plan": "missed",
        "order:2:amended_plan": "met",
        "recommendation_response:1": "missed",
        "recommendation_response:2": "missed",
        "set_aside_application:council": "met",
        "permission_to_appeal:council": "met",
    }
    assert b.state.deadlines["order:1:amended_plan"].closed_on is None
    assert not b.refresh(date(2027, 4, 7))  # nothing left to move


def test_is_overdue_ignores_parent_deadlines() -> None:
    b = CaseBuilder()
    b.refresh(date(2027, 1, 1))
    assert statuses(b) == {"mediation_contact": "missed", "appeal": "missed"}
    assert not is_overdue(b.state)


def test_is_overdue_counts_the_mediation_advisers_duty() -> None:
    b = CaseBuilder()
    b.add("mediation_declined", date(2026, 10, 5))
    b.refresh(date(2026, 10, 9))
    assert b.status("mediation_certificate") == "missed"
    assert is_overdue(b.state)


@pytest.mark.parametrize(("missed", "party"), [(1, Party.health), (2, Party.social_care)])
def test_is_overdue_counts_health_and_social_care(missed: int, party: Party) -> None:
    b = CaseBuilder()
    decided(b)
    on = date(2027, 3, 10)
    b.add("obligation_met", on, deadline_key="order:1:amended_plan")
    b.add("obligation_met", on, deadline_key="order:2:amended_plan")
    b.add("recommendation_response_sent", on, recommendation=3 - missed, followed=True)
    b.refresh(date(2027, 4, 1))  # the council's unused rights to challenge lapse
    assert not is_overdue(b.state)  # an unused right is not a missed duty
    assert not b.refresh(date(2027, 4, 5))
    assert not is_overdue(b.state)
    b.refresh(date(2027, 4, 6))
    key = f"recommendation_response:{missed}"
    assert (b.state.deadlines[key].party, b.status(key)) == (party, "missed")
    assert is_overdue(b.state)


def test_is_overdue_counts_council_duties() -> None:
    b = CaseBuilder()
    appeal(b)
    b.refresh(date(2026, 12, 1))
    assert not is_overdue(b.state)
    b.refresh(date(2026, 12, 2))
    assert b.status("appeal_response") == "missed"
    assert is_overdue(b.state)


def test_case_closed_cancels_what_is_pending_and_keeps_the_rest() -> None:
    b = CaseBuilder()
    decided(b)
    b.add("obligation_met", date(2027, 3, 10), deadline_key="order:2:amended_plan")
    b.add("case_closed", date(2027, 3, 12), reason="resolved_by_agreement")
    assert b.state.stage == Stage.closed
    assert b.state.closed_reason == "resolved_by_agreement"
    assert b.status("order:2:amended_plan") == "met"
    assert b.status("appeal") == "met"
    for key in ("order:1:amended_plan", "recommendation_response:1", "recommendation_response:2"):
        assert b.status(key) == "cancelled"
        assert b.state.deadlines[key].closed_on == date(2027, 3, 12)
    assert next_due(b.state) is None
    rejected(
        b, ev("obligation_met", date(2027, 3, 13), deadline_key="order:1:amended_plan"), "is closed"
    )
    assert len(b.state.timeline) == 6


def test_stages_progress_and_never_go_back() -> None:
    b = CaseBuilder()
    seen = [b.state.stage]
    b.add("way_forward_meeting_requested", date(2026, 10, 2))
    seen.append(b.state.stage)
    b.add("mediation_adviser_contacted", date(2026, 10, 5))
    seen.append(b.state.stage)
    b.add("way_forward_meeting_scheduled", date(2026, 10, 6), meeting_date="2026-10-20")
    seen.append(b.state.stage)  # an earlier route does not pull the stage back
    b.add("mediation_certificate_issued", date(2026, 10, 7), certificate_kind="information_only")
    b.add("appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF)
    seen.append(b.state.stage)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=["amend_placement"])
    seen.append(b.state.stage)
    b.add("obligation_met", date(2027, 3, 5), deadline_key="order:1:amended_plan")
    b.add("case_closed", date(2027, 3, 5), reason="obligations_met")
    seen.append(b.state.stage)
    assert seen == [
        Stage.decision,
        Stage.way_forward,
        Stage.mediation,
        Stage.mediation,
        Stage.appeal,
        Stage.compliance,
        Stage.closed,
    ]


def test_timeline_numbers_events_and_records_when() -> None:
    b = CaseBuilder()
    first = b.add("mediation_adviser_contacted", date(2026, 10, 5))
    second = b.add("way_forward_meeting_requested", date(2026, 10, 6))
    assert (first.seq, second.seq) == (1, 2)
    assert b.state.timeline[0].recorded_at.isoformat() == "2026-10-05T11:00:00+00:00"
    assert b.state.last("mediation_adviser_contacted") is b.state.timeline[0]


def test_next_due_is_the_earliest_pending_date() -> None:
    b = CaseBuilder()
    b.add("mediation_declined", date(2026, 10, 5))
    assert next_due(b.state) == date(2026, 10, 8)  # the certificate, before 1 December
    b.add("mediation_certificate_issued", date(2026, 10, 8), certificate_kind="information_only")
    assert next_due(b.state) == TWO_MONTHS


# ----- properties over random event sequences ------------------------------------------------

ORDERS = list(OrderType)


def sensible_kinds(state: CaseState) -> list[str]:
    """What would usually come next, so that random runs reach the later stages."""
    if state.stage in (Stage.decision, Stage.way_forward):
        return ["mediation_adviser_contacted", "mediation_requested", "mediation_declined"]
    if state.stage == Stage.mediation:
        return ["mediation_certificate_issued", "appeal_registered", "appeal_registered"]
    if state.stage == Stage.appeal:
        return [
            "tribunal_decision",
            "appeal_unopposed",
            "consent_order_made",
            "hearing_listed",
            "appeal_withdrawn",
        ]
    return [
        "obligation_met",
        "exception_recorded",
        "recommendation_response_sent",
        "case_closed",
        "set_aside_applied",
        "decision_set_aside",
        "permission_to_appeal_requested",
        "written_reasons_sent",
    ]


@st.composite
def some_event(draw: st.DrawFn, state: CaseState, on: date) -> Event:
    """An event from a small alphabet: often what would come next, sometimes anything."""
    likely = sensible_kinds(state)
    kind = draw(st.sampled_from(likely) | st.sampled_from(EVENT_KINDS))
    fields: dict[str, Any] = {}
    fitting = sorted(ALLOWED_ORDERS[state.case.decision_type])
    orders = st.sampled_from(fitting) | st.sampled_from(ORDERS)
    later = (on + timedelta(days=draw(st.integers(0, 40)))).isoformat()
    prefixes = EXCEPTION_KEYS if kind == "exception_recorded" else OBLIGATION_KEYS
    owed = [k for k, d in state.deadlines.items() if k.startswith(prefixes)]
    keys = st.sampled_from(owed or ["appeal"]) | st.sampled_from(
        [*state.deadlines, "order:1:amended_plan", "appeal_response", "agreement_action:1"]
    )
    match kind:
        case "way_forward_meeting_scheduled":
            fields["meeting_date"] = later
        case "way_forward_meeting_held" | "disagreement_resolution_concluded":
            fields["outcome"] = draw(st.sampled_from(["resolved", "not_resolved"]))
        case "mediation_requested":
            fields["health_included"] = draw(st.booleans())
        case "mediation_held":
            fields["outcome"] = draw(st.sampled_from(["agreement", "no_agreement"]))
            if fields["outcome"] == "agreement":
                fields["agreed_actions"] = draw(
                    st.lists(
                        st.fixed_dictionaries(
                            {"summary": st.just("action")},
                            optional={
                                "by": st.sampled_from(["council", "health"]),
                                "order": orders,
                                "agreed_due": st.just(later),
                            },
                        ),
                        max_size=3,
                    )
                )
        case "mediation_certificate_issued":
            fields["certificate_kind"] = draw(
                st.sampled_from(["information_only", "information_only", "mediation_completed"])
            )
        case "appeal_registered":
            fields["tribunal_ref"] = f"EH{draw(st.integers(100, 999))}/26/1"
            fields["placement_only"] = draw(st.sampled_from([False, False, True]))
            fields["health_included"] = draw(st.booleans())
            fields["social_care_included"] = draw(st.booleans())
        case "appeal_unopposed":
            fields["concessions"] = draw(st.lists(orders, min_size=1, max_size=2))
        case "consent_order_made":
            fields["orders"] = draw(st.lists(orders, min_size=1, max_size=2))
        case "mediation_scheduled":
            fields["mediation_date"] = later
        case "set_aside_applied" | "permission_to_appeal_requested":
            fields["by"] = draw(st.sampled_from(["parent", "council"]))
        case "permission_to_appeal_decided":
            fields["by"] = draw(st.sampled_from(["parent", "council"]))
            fields["outcome"] = draw(st.sampled_from(["granted", "refused"]))
        case "hearing_listed":
            fields["hearing_date"] = later
        case "contact_updated":
            fields["role"] = draw(st.sampled_from(["parent", "second_contact", "caseworker"]))
            fields["contact"] = {"name": "New Name", "email": "new@example.org"}
        case "tribunal_decision":
            fields["outcome"] = draw(st.sampled_from(["allowed", "partly_allowed", "dismissed"]))
            fields["orders"] = draw(
                st.lists(st.sampled_from(fitting), max_size=2) | st.lists(orders, max_size=2)
            )
            fields["recommendations"] = draw(
                st.lists(
                    st.builds(
                        lambda to: {"addressed_to": to, "summary": "r"},
                        st.sampled_from(["health", "social_care"]),
                    ),
                    max_size=2,
                )
            )
        case "recommendation_response_sent":
            fields["recommendation"] = draw(st.integers(1, len(state.recommendations) + 1))
            fields["followed"] = True
        case "obligation_met":
            fields["deadline_key"] = draw(keys)
        case "exception_recorded":
            fields["deadline_key"] = draw(keys)
            fields["reason"] = "away_from_area"
        case "case_closed":
            fields["reason"] = draw(
                st.sampled_from(["withdrawn", "obligations_met", "appeal_dismissed", "no_appeal"])
            )
    return ev(kind, on, **fields)


STATUS_VALUES = set(DeadlineStatus)
STAGES = list(Stage)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(decision_type=st.sampled_from(list(DecisionType)), data=st.data())
def test_random_event_sequences_keep_the_case_consistent(
    decision_type: DecisionType, data: st.DataObject
) -> None:
    b = CaseBuilder(make_case(decision_type))
    on = b.case.decision_date
    for _ in range(data.draw(st.integers(1, 30), label="length")):
        if b.state.closed:
            break
        on += timedelta(days=data.draw(st.integers(0, 30), label="gap"))
        refresh_statuses(b.state, on)  # the workflow refreshes as its clock moves
        event = data.draw(some_event(b.state, on), label="event")
        before = b.state.model_dump(mode="json")
        stage_before, events_before = b.state.stage, len(b.state.timeline)
        try:
            # planning runs only for accepted events, and must then never fail
            recorded = b.record(event)
        except EventRejected:
            assert b.state.model_dump(mode="json") == before
            continue
        assert recorded.seq == events_before + 1 == len(b.state.timeline)
        assert STAGES.index(b.state.stage) >= STAGES.index(stage_before)
        for key, deadline in b.state.deadlines.items():
            assert deadline.key == key
            assert DEADLINE_KEY_PATTERN.match(key), key
            assert deadline.status in STATUS_VALUES
            assert (deadline.closed_on is not None) == (deadline.status in CLOSED_STATUSES), key
            assert deadline.closed_on is None or deadline.closed_on <= on, key
            if deadline.status == DeadlineStatus.missed:
                assert deadline.due < on and deadline.party != Party.everyone, key
    if b.state.closed:
        for kind in EVENT_KINDS:
            event = sample_event(kind, on)
            with pytest.raises(EventRejected, match="is closed"):
                check_event(b.state, event, on)
