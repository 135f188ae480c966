"""Every refusal of a case rule, compared whole, and the effects a mutation run showed
unguarded (issue 19). Complements test_case_state.py and test_case_state_exact.py."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.casebuilder import CaseBuilder, ev, make_case
from tests.unit.test_case_state_exact import TRIBUNAL_REF, refusal, statuses


def appeal(b: CaseBuilder, on: date = date(2026, 10, 20), **fields: object) -> None:
    b.add("appeal_registered", on, tribunal_ref=TRIBUNAL_REF, placement_only=True, **fields)


# ----- way forward meetings


def test_a_meeting_held_without_scheduling_is_refused() -> None:
    held = ev("way_forward_meeting_held", date(2026, 10, 9), outcome="resolved")
    assert refusal(CaseBuilder(), held) == (
        "no way forward meeting is scheduled: record way_forward_meeting_scheduled first"
    )


def test_a_meeting_held_after_its_day_passed_records_the_day_it_was_held() -> None:
    b = CaseBuilder()
    b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date="2026-10-09")
    b.refresh(date(2026, 10, 12))
    assert statuses(b)["way_forward_meeting"] == ("met", date(2026, 10, 9))
    b.add("way_forward_meeting_held", date(2026, 10, 12), outcome="not_resolved")
    assert statuses(b)["way_forward_meeting"] == ("met", date(2026, 10, 12))


# ----- mediation steps


def test_declining_after_a_withdrawal_is_accepted() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    b.add("mediation_withdrawn", date(2026, 10, 8))
    b.add("mediation_declined", date(2026, 10, 9))
    assert b.state.mediation_status() == "declined"


@pytest.mark.parametrize("status", ["requested", "held"])
def test_declining_a_mediation_under_way_is_refused(status: str) -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    if status == "held":
        b.add("mediation_held", date(2026, 10, 20), outcome="no_agreement")
    declined = ev("mediation_declined", date(2026, 10, 21))
    assert refusal(b, declined) == (
        f"mediation is already {status}; to leave a requested mediation record mediation_withdrawn"
    )


@pytest.mark.parametrize("status", ["requested", "held"])
def test_a_second_request_is_refused_until_the_first_is_withdrawn(status: str) -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    if status == "held":
        b.add("mediation_held", date(2026, 10, 20), outcome="no_agreement")
    again = ev("mediation_requested", date(2026, 10, 21))
    assert refusal(b, again) == (
        f"mediation was already {status}; a new request needs the earlier one to be withdrawn"
    )


def test_mediation_held_without_a_request_is_refused() -> None:
    held = ev("mediation_held", date(2026, 10, 20), outcome="no_agreement")
    assert refusal(CaseBuilder(), held) == (
        "no mediation is requested: record mediation_requested before mediation_held"
    )


@pytest.mark.parametrize("status", [None, "held", "declined"])
def test_only_a_requested_mediation_can_be_withdrawn(status: str | None) -> None:
    b = CaseBuilder()
    if status == "held":
        b.add("mediation_requested", date(2026, 10, 5))
        b.add("mediation_held", date(2026, 10, 20), outcome="no_agreement")
    elif status == "declined":
        b.add("mediation_declined", date(2026, 10, 5))
    withdrawn = ev("mediation_withdrawn", date(2026, 10, 21))
    assert refusal(b, withdrawn) == (
        f"only a requested mediation can be withdrawn; mediation is {status or 'not requested'}"
    )


# ----- disagreement resolution


def test_a_concluded_resolution_cannot_conclude_again() -> None:
    b = CaseBuilder()
    b.add("disagreement_resolution_started", date(2026, 10, 5))
    b.add("disagreement_resolution_concluded", date(2026, 10, 20), outcome="not_resolved")
    again = ev("disagreement_resolution_concluded", date(2026, 10, 21), outcome="resolved")
    assert refusal(b, again) == (
        "no disagreement resolution is under way: record disagreement_resolution_started first"
    )


# ----- recommendations


def test_a_response_on_a_case_without_recommendations() -> None:
    b = CaseBuilder()
    appeal(b)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed")
    response = ev("recommendation_response_sent", date(2027, 3, 8), recommendation=1, followed=True)
    assert refusal(b, response) == "there is no recommendation 1; this case has none"


def test_a_response_to_a_recommendation_past_the_last() -> None:
    b = CaseBuilder()
    appeal(b, health_included=True)
    recommendation = {"addressed_to": "health", "summary": "Review speech therapy"}
    b.add(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="allowed",
        recommendations=[recommendation, recommendation],
    )
    response = ev("recommendation_response_sent", date(2027, 3, 8), recommendation=3, followed=True)
    assert refusal(b, response) == (
        "there is no recommendation 3; this case has recommendations 1 to 2"
    )


# ----- what ends the hearing


@pytest.mark.parametrize(
    ("kind", "fields"),
    [("appeal_unopposed", {"concessions": ["amend_placement"]}), ("appeal_withdrawn", {})],
)
def test_a_conceded_or_withdrawn_appeal_cancels_the_hearing(kind: str, fields: dict) -> None:
    b = CaseBuilder()
    appeal(b)
    b.add("hearing_listed", date(2026, 11, 2), hearing_date="2027-03-01")
    b.add(kind, date(2026, 12, 10), **fields)
    assert statuses(b)["hearing"] == ("cancelled", date(2026, 12, 10))
    assert statuses(b)["appeal_response"] == ("cancelled", date(2026, 12, 10))


# ----- obligation_met and exception_recorded


def test_obligation_met_refusals_name_the_event_and_the_open_deadlines() -> None:
    b = CaseBuilder()
    appeal(b)
    wrong = ev("obligation_met", date(2026, 11, 20), deadline_key="appeal")
    assert refusal(b, wrong) == (
        "obligation_met does not apply to appeal; open deadlines it can apply to: appeal_response"
    )
    missing = ev("obligation_met", date(2026, 11, 20), deadline_key="order:1:draft_plan")
    assert refusal(b, missing) == (
        "there is no deadline order:1:draft_plan on this case; "
        "open deadlines it can apply to: appeal_response"
    )
    b.add("obligation_met", date(2026, 11, 20), deadline_key="appeal_response")
    again = ev("obligation_met", date(2026, 11, 21), deadline_key="appeal_response")
    assert refusal(b, again) == (
        "deadline appeal_response is already met (on 2026-11-20); "
        "open deadlines it can apply to: none"
    )


def test_exception_recorded_refusal_names_the_event() -> None:
    b = CaseBuilder()
    appeal(b)
    wrong = ev(
        "exception_recorded",
        date(2026, 11, 20),
        deadline_key="appeal_response",
        reason="away_from_area",
    )
    assert refusal(b, wrong) == (
        "exception_recorded does not apply to appeal_response; open deadlines it can apply to: none"
    )


def test_the_hint_lists_every_open_deadline_it_can_apply_to() -> None:
    b = CaseBuilder()
    appeal(b)
    b.add(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="allowed",
        orders=["amend_provision", "amend_placement"],
    )
    wrong = ev("obligation_met", date(2027, 3, 2), deadline_key="appeal")
    assert refusal(b, wrong) == (
        "obligation_met does not apply to appeal; open deadlines it can apply to: "
        "order:1:amended_plan, order:2:amended_plan"
    )


# ----- appeals and decisions


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("appeal_unopposed", {"concessions": ["amend_placement"]}),
        ("tribunal_decision", {"outcome": "allowed"}),
    ],
)
def test_no_second_appeal_after_a_concession_or_a_decision(kind: str, fields: dict) -> None:
    b = CaseBuilder()
    appeal(b)
    b.add(kind, date(2026, 12, 10), **fields)
    again = ev(
        "appeal_registered", date(2026, 12, 11), tribunal_ref="EH123/26/00043", placement_only=True
    )
    assert refusal(b, again) == (
        "an appeal is already registered on this case (or was conceded or decided)"
    )


def test_placement_only_on_a_refusal_to_assess_is_refused() -> None:
    b = CaseBuilder(make_case("refusal_to_assess"))
    placement = ev(
        "appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF, placement_only=True
    )
    assert refusal(b, placement) == (
        "placement_only applies only to appeals about a plan's content (amended_plan_content, "
        "plan_content, refusal_to_amend), not to refusal_to_assess"
    )


def test_an_appeal_beyond_the_placement_needs_a_certificate() -> None:
    registered = ev("appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF)
    assert refusal(CaseBuilder(), registered) == (
        "an appeal that is not only about the placement needs a mediation certificate: record "
        "mediation_certificate_issued first, or set placement_only if the appeal is only about "
        "the school or placement named in section I"
    )


def test_registering_an_appeal_ends_the_mediation_contact_duty_on_that_day() -> None:
    b = CaseBuilder()
    appeal(b)
    assert statuses(b)["mediation_contact"] == ("cancelled", date(2026, 10, 20))


def test_a_decision_without_an_appeal_is_refused() -> None:
    decision = ev("tribunal_decision", date(2027, 3, 1), outcome="allowed")
    assert refusal(CaseBuilder(), decision) == (
        "tribunal_decision needs a registered appeal that is not withdrawn or decided"
    )


def test_a_dismissed_appeal_with_orders_is_refused() -> None:
    b = CaseBuilder()
    appeal(b)
    decision = ev(
        "tribunal_decision", date(2027, 3, 1), outcome="dismissed", orders=["amend_provision"]
    )
    assert refusal(b, decision) == (
        "a dismissed appeal has no orders except cease_plan (dismissing an appeal against "
        "ceasing a plan)"
    )


def test_no_recommendations_on_a_refusal_to_assess_whole_message() -> None:
    b = CaseBuilder(make_case("refusal_to_assess"))
    b.add("mediation_adviser_contacted", date(2026, 10, 2))
    b.add("mediation_certificate_issued", date(2026, 10, 3), certificate_kind="information_only")
    b.add("appeal_registered", date(2026, 10, 20), tribunal_ref=TRIBUNAL_REF, health_included=True)
    recommendation = {"addressed_to": "health", "summary": "Review speech therapy"}
    decision = ev(
        "tribunal_decision", date(2027, 3, 1), outcome="allowed", recommendations=[recommendation]
    )
    assert refusal(b, decision) == (
        "the tribunal cannot make health or social care recommendations on an appeal against a "
        "refusal to assess: they need an appeal about the education parts of a plan "
        "(CFA s.51(2)(b)-(f))"
    )


def test_a_decision_after_the_hearing_day_records_the_decision_date() -> None:
    b = CaseBuilder()
    appeal(b)
    b.add("hearing_listed", date(2026, 11, 2), hearing_date="2027-03-01")
    b.refresh(date(2027, 3, 3))
    assert statuses(b)["hearing"] == ("met", date(2027, 3, 1))
    b.add("tribunal_decision", date(2027, 3, 5), outcome="allowed")
    assert statuses(b)["hearing"] == ("met", date(2027, 3, 5))


# ----- dates and closed cases


def test_a_closed_case_refuses_with_the_whole_message() -> None:
    b = CaseBuilder()
    b.add("case_closed", date(2026, 10, 5), reason="withdrawn")
    late = ev("mediation_adviser_contacted", date(2026, 10, 6))
    assert refusal(b, late) == (
        "case RUT-2026-0042 is closed (withdrawn); a closed case accepts no more events"
    )


def test_dates_outside_the_case_are_refused_with_the_whole_message() -> None:
    b = CaseBuilder()
    future = ev("mediation_adviser_contacted", date(2026, 10, 11))
    assert refusal(b, future, today=date(2026, 10, 10)) == (
        "date 2026-10-11 is in the future (today is 2026-10-10); "
        "record an event on or after the day it happens"
    )
    early = ev("mediation_adviser_contacted", date(2026, 9, 30))
    assert refusal(b, early, today=date(2026, 10, 10)) == (
        "date 2026-09-30 is before the council's decision of 2026-10-01; "
        "events on this case happen on or after that date"
    )


def test_a_response_date_on_the_registration_day_is_refused() -> None:
    registered = ev(
        "appeal_registered",
        date(2026, 10, 20),
        tribunal_ref=TRIBUNAL_REF,
        placement_only=True,
        response_due="2026-10-20",
    )
    assert refusal(CaseBuilder(), registered) == (
        "the council's response date (response_due) must be after the day the appeal "
        "was registered (date)"
    )


# ----- certificates


def test_a_certificate_without_contact_is_refused_with_the_whole_message() -> None:
    certificate = ev(
        "mediation_certificate_issued", date(2026, 10, 5), certificate_kind="information_only"
    )
    assert refusal(CaseBuilder(), certificate) == (
        "no contact with the mediation adviser is recorded: record "
        "mediation_adviser_contacted or mediation_declined before the certificate"
    )


def test_a_mediation_completed_certificate_needs_a_held_mediation() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    completed = ev(
        "mediation_certificate_issued", date(2026, 10, 6), certificate_kind="mediation_completed"
    )
    assert refusal(b, completed) == (
        "a mediation_completed certificate needs mediation_held first; "
        "use certificate_kind information_only otherwise"
    )
    b.add("mediation_held", date(2026, 10, 20), outcome="no_agreement")
    b.record(completed.model_copy(update={"date": date(2026, 10, 21)}))
    assert statuses(b)["mediation_certificate"] == ("met", date(2026, 10, 21))
