"""Payload validation (ehcp/models.py): each bad input gives a clear error that names the field
and says what is allowed; every good event survives a JSON round trip."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ehcp.models import (
    EVENT_KINDS,
    AgreedAction,
    AppealRegistered,
    Case,
    Contact,
    MediationHeld,
    ObligationMet,
    RecommendationResponseSent,
    TribunalDecision,
    describe_validation_error,
    parse_event,
)
from ehcp.vocabulary import DecisionType, OrderType

D = date(2026, 10, 5)


def case_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "case_ref": "RUT-2026-0042",
        "decision_type": "plan_content",
        "decision_date": "2026-10-01",
        "parent": {"name": "Alex Parent", "email": "alex.parent@example.com"},
        "caseworker": {"name": "Casey Worker", "email": "casey.worker@rutland.gov.uk"},
    }
    data.update(changes)
    return data


def event_data(kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "date": D.isoformat(), **fields}


def case_error(**changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        Case.model_validate(case_data(**changes))
    return describe_validation_error(caught.value)


def event_error(data: object) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_event(data)
    return describe_validation_error(caught.value)


# ----- the case -----------------------------------------------------------------------------


def test_a_good_case_validates_with_rutland_as_default_council() -> None:
    case = Case.model_validate(case_data())
    assert case.council == "rutland"
    assert case.decision_type is DecisionType.plan_content
    assert case.decision_date == date(2026, 10, 1)
    assert case.second_contact is None and case.health_contact is None


def test_bad_email_names_the_field() -> None:
    message = case_error(parent={"name": "Alex", "email": "not-an-email"})
    assert message.startswith("parent.email: ")
    assert "'not-an-email' is not an email address: it must have an @-sign" in message


def test_bad_email_in_a_nested_optional_contact() -> None:
    message = case_error(second_contact={"name": "Sam", "email": "sam@"})
    assert message.startswith("second_contact.email: ")


def test_unknown_decision_type_lists_the_allowed_ones() -> None:
    message = case_error(decision_type="refusal")
    assert message.startswith("decision_type: ")
    for allowed in DecisionType:
        assert f"'{allowed}'" in message


@pytest.mark.parametrize(
    "ref",
    [
        "rut-2026-0042",  # lower case
        "RUT20260042",  # no hyphen-joined groups
        "2026-RUT-1",  # starts with a digit
        "RUT--1",  # empty group
        "RUT-2026-0042-",  # trailing hyphen
        "RUT 2026 0042",  # spaces
        "RUT-ABCDEFGHIJKL-ABCDEFGHIJKL-ABCDEFGHIJKL",  # matches the pattern, but 41 chars
    ],
)
def test_malformed_case_reference_is_refused_with_the_rule(ref: str) -> None:
    message = case_error(case_ref=ref)
    assert message.startswith("case_ref: ")
    assert "is not a case reference" in message
    assert "e.g. RUT-2026-0042" in message


@pytest.mark.parametrize("ref", ["RUT-2026-0042", "AB-1", "RUT-ABCDEFGHIJKL-ABCDEFGHIJK"])
def test_well_formed_case_references_pass(ref: str) -> None:
    assert Case.model_validate(case_data(case_ref=ref)).case_ref == ref


def test_a_huge_case_reference_is_not_echoed_in_full() -> None:
    message = case_error(case_ref="A" * 100_000)
    assert message.startswith("case_ref: ")
    assert len(message) < 400


def test_extra_field_on_the_case_is_an_error() -> None:
    assert case_error(colour="red").startswith(
        "colour: not a field here: remove it (allowed fields: case_ref, council, decision_type,"
    )


def test_extra_field_on_a_contact_is_an_error() -> None:
    message = case_error(parent={"name": "A", "email": "a@example.com", "phone": "0"})
    assert message.startswith("parent.phone: not a field here: remove it (allowed fields: name,")


def test_wrong_type_for_the_decision_date() -> None:
    message = case_error(decision_date="yesterday")
    assert message.startswith("decision_date: ")
    assert "is not a date (allowed: YYYY-MM-DD, e.g. 2026-10-01)" in message


def test_overlong_name_says_the_limit() -> None:
    message = case_error(parent={"name": "A" * 101, "email": "a@example.com"})
    assert message == "parent.name: too long (allowed: at most 100 characters)"


def test_blank_name_is_refused_after_stripping() -> None:
    message = case_error(caseworker={"name": "   ", "email": "c@rutland.gov.uk"})
    assert message.startswith("caseworker.name: ")
    assert "at least 1 character" in message


def test_every_bad_field_is_named_in_one_line() -> None:
    message = case_error(decision_type="nope", case_ref="bad", colour="red")
    assert "\n" not in message
    for field in ("decision_type: ", "case_ref: ", "colour: "):
        assert field in message
    assert message.count("; ") == 2


def test_council_code_is_checked() -> None:
    message = case_error(council="Rutland County")
    assert message.startswith("council: ")


def test_contact_names_are_stripped() -> None:
    contact = Contact.model_validate({"name": "  Alex  ", "email": "a@example.com"})
    assert contact.name == "Alex"


# ----- events: the discriminator -------------------------------------------------------------


def test_unknown_event_kind_names_kind_and_lists_every_allowed_kind() -> None:
    message = event_error(event_data("mediation_party"))
    assert message.startswith("kind: ")
    assert "'mediation_party'" in message
    for kind in EVENT_KINDS:
        assert f"'{kind}'" in message


def test_missing_kind_names_kind() -> None:
    message = event_error({"date": D.isoformat()})
    assert message.startswith("kind: ")


def test_event_that_is_not_an_object() -> None:
    assert event_error("hello").startswith("input: ")


def test_event_kinds_are_the_stable_names_of_process_md() -> None:
    assert len(EVENT_KINDS) == len(set(EVENT_KINDS)) == 30
    assert set(EVENT_KINDS) >= {
        "mediation_adviser_contacted",
        "appeal_registered",
        "tribunal_decision",
        "recommendation_response_sent",
        "obligation_met",
        "exception_recorded",
        "case_closed",
    }


# ----- events: fields ------------------------------------------------------------------------


def test_extra_field_on_an_event_names_it_under_the_kind() -> None:
    message = event_error(event_data("mediation_declined", colour="red"))
    assert message == (
        "mediation_declined.colour: not a field here: remove it "
        "(allowed fields: date, recorded_by, notes)"
    )


def test_wrong_type_on_an_event_field() -> None:
    message = event_error(event_data("mediation_requested", health_included="perhaps"))
    assert message.startswith("mediation_requested.health_included: ")
    assert "'perhaps' is not true or false (allowed: true, false)" in message


def test_missing_date_is_named() -> None:
    message = event_error({"kind": "mediation_declined"})
    assert message == "mediation_declined.date: required, but missing (give a value)"


def test_meeting_date_before_the_scheduling_date() -> None:
    message = event_error(
        event_data(
            "way_forward_meeting_scheduled", meeting_date=(D - timedelta(days=1)).isoformat()
        )
    )
    assert message == (
        "way_forward_meeting_scheduled.meeting_date: the meeting date must be on or after the "
        "day it was scheduled"
    )


def test_meeting_on_the_day_it_is_scheduled_is_fine() -> None:
    event = parse_event(event_data("way_forward_meeting_scheduled", meeting_date=D.isoformat()))
    assert event.meeting_date == D  # type: ignore[union-attr]


def test_hearing_date_before_the_listing_date() -> None:
    message = event_error(
        event_data("hearing_listed", hearing_date=(D - timedelta(days=3)).isoformat())
    )
    assert message == (
        "hearing_listed.hearing_date: the hearing date must be on or after the day it was listed"
    )


@pytest.mark.parametrize("reasons", [None, "", "    "])
def test_recommendation_not_followed_needs_reasons(reasons: str | None) -> None:
    data = event_data("recommendation_response_sent", recommendation=1, followed=False)
    if reasons is not None:
        data["reasons"] = reasons
    message = event_error(data)
    assert "reasons are required when the recommendation is not followed" in message


def test_recommendation_followed_needs_no_reasons() -> None:
    event = parse_event(event_data("recommendation_response_sent", recommendation=2, followed=True))
    assert isinstance(event, RecommendationResponseSent)
    assert event.reasons is None


def test_recommendation_number_starts_at_one() -> None:
    message = event_error(
        event_data("recommendation_response_sent", recommendation=0, followed=True)
    )
    assert message.startswith("recommendation_response_sent.recommendation: ")
    assert "0 is too small (allowed: 1 or more)" in message


def test_agreed_actions_with_no_agreement() -> None:
    message = event_error(
        event_data("mediation_held", outcome="no_agreement", agreed_actions=[{"summary": "x"}])
    )
    assert "agreed_actions must be empty when outcome is no_agreement" in message


def test_agreed_actions_with_partial_agreement_are_fine() -> None:
    event = parse_event(
        event_data(
            "mediation_held",
            outcome="partial_agreement",
            agreed_actions=[{"summary": "Speech therapy review", "by": "health"}],
        )
    )
    assert isinstance(event, MediationHeld)
    assert event.agreed_actions[0].by == "health"


def test_agreed_action_defaults_to_the_council() -> None:
    action = AgreedAction(summary="Assess", order=OrderType.assess)
    assert (action.by, action.order, action.agreed_due) == ("council", "assess", None)


def test_agreed_action_cannot_fall_to_the_parent() -> None:
    message = event_error(
        event_data(
            "mediation_held", outcome="agreement", agreed_actions=[{"summary": "x", "by": "parent"}]
        )
    )
    assert message.startswith("mediation_held.agreed_actions.0.by: ")
    assert "'council'" in message and "'health'" in message


def test_unknown_order_type_lists_the_allowed_orders() -> None:
    message = event_error(event_data("tribunal_decision", outcome="allowed", orders=["fly"]))
    assert message.startswith("tribunal_decision.orders.0: ")
    for order in OrderType:
        assert f"'{order}'" in message


def test_unknown_outcome_lists_the_allowed_outcomes() -> None:
    message = event_error(event_data("tribunal_decision", outcome="won"))
    assert message.startswith("tribunal_decision.outcome: ")
    assert "'allowed'" in message and "'dismissed'" in message


def test_recommendation_cannot_be_addressed_to_the_council() -> None:
    message = event_error(
        event_data(
            "tribunal_decision",
            outcome="allowed",
            recommendations=[{"addressed_to": "council", "summary": "x"}],
        )
    )
    assert message.startswith("tribunal_decision.recommendations.0.addressed_to: ")
    assert "'health'" in message and "'social_care'" in message


def test_unopposed_needs_at_least_one_concession() -> None:
    message = event_error(event_data("appeal_unopposed", concessions=[]))
    assert message.startswith("appeal_unopposed.concessions: ")
    assert "at least 1" in message


@pytest.mark.parametrize(
    ("kind", "field", "limit", "extra"),
    [
        ("mediation_declined", "notes", 2000, {}),
        ("mediation_declined", "recorded_by", 100, {}),
        (
            "recommendation_response_sent",
            "reasons",
            2000,
            {"recommendation": 1, "followed": False},
        ),
    ],
)
def test_huge_strings_are_refused_with_the_limit(
    kind: str, field: str, limit: int, extra: dict
) -> None:
    message = event_error(event_data(kind, **extra, **{field: "x" * 1_000_000}))
    assert message == f"{kind}.{field}: too long (allowed: at most {limit} characters)"


def test_huge_summary_in_a_nested_list() -> None:
    message = event_error(
        event_data(
            "tribunal_decision",
            outcome="allowed",
            recommendations=[{"addressed_to": "health", "summary": "x" * 501}],
        )
    )
    assert message == (
        "tribunal_decision.recommendations.0.summary: too long (allowed: at most 500 characters)"
    )


def test_too_many_agreed_actions() -> None:
    actions = [{"summary": f"action {n}"} for n in range(31)]
    message = event_error(event_data("mediation_held", outcome="agreement", agreed_actions=actions))
    assert message.startswith("mediation_held.agreed_actions: ")
    assert "at most 30" in message


@pytest.mark.parametrize(
    "key",
    ["Order 1", "order:1:draft-plan", "appeal:", "ab", "order:1:draft_plan:x", "APPEAL", "x" * 60],
)
def test_bad_deadline_key_shows_examples(key: str) -> None:
    message = event_error(event_data("obligation_met", deadline_key=key))
    assert message.startswith("obligation_met.deadline_key: ")
    assert "is not a deadline key" in message
    assert "order:1:draft_plan" in message


@pytest.mark.parametrize(
    "key",
    ["appeal_response", "icb_mediation_notice", "order:1:draft_plan", "agreement_action:12"],
)
def test_good_deadline_keys(key: str) -> None:
    event = parse_event(event_data("obligation_met", deadline_key=key))
    assert isinstance(event, ObligationMet)
    assert event.deadline_key == key


def test_huge_deadline_key_is_not_echoed_in_full() -> None:
    message = event_error(event_data("obligation_met", deadline_key="Z" * 100_000))
    assert len(message) < 400


def test_unknown_exception_reason_lists_reg_44_3_reasons() -> None:
    message = event_error(
        event_data("exception_recorded", deadline_key="order:1:final_plan", reason="busy")
    )
    assert message.startswith("exception_recorded.reason: ")
    for reason in (
        "exceptional_personal_circumstances",
        "away_from_area",
        "parent_representations",
    ):
        assert reason in message


def test_bad_tribunal_reference() -> None:
    message = event_error(event_data("appeal_registered", tribunal_ref="x"))
    assert message.startswith("appeal_registered.tribunal_ref: ")


def test_defaults_of_an_appeal() -> None:
    event = parse_event(event_data("appeal_registered", tribunal_ref="EH123/45/678"))
    assert isinstance(event, AppealRegistered)
    assert (event.placement_only, event.health_included, event.social_care_included) == (
        False,
        False,
        False,
    )
    assert event.response_due is None
    assert event.recorded_by == "back-office"


# ----- round trips ---------------------------------------------------------------------------

GOOD_EVENTS: list[dict[str, Any]] = [
    event_data("way_forward_meeting_requested"),
    event_data("way_forward_meeting_scheduled", meeting_date="2026-10-20"),
    event_data("way_forward_meeting_held", outcome="not_resolved"),
    event_data("mediation_adviser_contacted", recorded_by="Casey", notes="phoned"),
    event_data("mediation_declined"),
    event_data("mediation_requested", health_included=True, social_care_included=True),
    event_data(
        "mediation_held",
        outcome="agreement",
        agreed_actions=[
            {"summary": "Assess", "order": "assess"},
            {"summary": "OT visit", "by": "health", "agreed_due": "2026-11-01"},
        ],
    ),
    event_data("mediation_withdrawn"),
    event_data("mediation_certificate_issued", certificate_kind="mediation_completed"),
    event_data("disagreement_resolution_started"),
    event_data("disagreement_resolution_concluded", outcome="resolved"),
    event_data(
        "appeal_registered",
        tribunal_ref="EH123/45/678",
        placement_only=True,
        health_included=True,
        response_due="2026-11-30",
    ),
    event_data("appeal_unopposed", concessions=["amend_provision", "amend_placement"]),
    event_data("hearing_listed", hearing_date="2027-02-01"),
    event_data("appeal_withdrawn"),
    event_data(
        "tribunal_decision",
        outcome="partly_allowed",
        orders=["amend_provision"],
        recommendations=[
            {
                "addressed_to": "health",
                "summary": "Review therapy",
                "contact": {"name": "Hana", "email": "hana@icb.example.nhs.uk"},
            },
            {"addressed_to": "social_care", "summary": "Short breaks"},
        ],
    ),
    event_data("recommendation_response_sent", recommendation=1, followed=False, reasons="No"),
    event_data("obligation_met", deadline_key="order:1:amended_plan"),
    event_data("exception_recorded", deadline_key="order:1:amended_plan", reason="away_from_area"),
    event_data("case_closed", reason="obligations_met"),
    event_data("mediation_scheduled", mediation_date="2026-10-20"),
    event_data("consent_order_made", orders=["amend_provision", "amend_placement"]),
    event_data("written_reasons_sent"),
    event_data("set_aside_applied", by="parent"),
    event_data("set_aside_refused"),
    event_data("decision_set_aside"),
    event_data("permission_to_appeal_requested", by="council"),
    event_data("permission_to_appeal_decided", by="council", outcome="granted"),
    event_data("decision_suspended"),
    event_data(
        "contact_updated",
        role="parent",
        contact={
            "name": "Sam Parent",
            "email": "sam.new@example.org",
            "mobile": "+447400123456",
            "contact_preference": "both",
        },
    ),
]


def test_the_round_trip_examples_cover_every_kind() -> None:
    assert {e["kind"] for e in GOOD_EVENTS} == set(EVENT_KINDS)


@pytest.mark.parametrize("data", GOOD_EVENTS, ids=lambda d: d["kind"])
def test_valid_events_round_trip_through_json(data: dict[str, Any]) -> None:
    event = parse_event(data)
    assert event.kind == data["kind"]
    dumped = event.model_dump(mode="json")
    again = parse_event(json.loads(json.dumps(dumped)))
    assert again == event
    assert type(again) is type(event)
    assert again.model_dump(mode="json") == dumped


def test_case_round_trips_through_json() -> None:
    case = Case.model_validate(
        case_data(
            second_contact={"name": "Sam", "email": "sam@example.com"},
            health_contact={"name": "Hana", "email": "hana@icb.example.nhs.uk"},
        )
    )
    assert Case.model_validate_json(case.model_dump_json()) == case


NAMES = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "S"), max_codepoint=0x2FF),
    min_size=1,
    max_size=100,
)


#: any notes the models accept: every character but control ones, with line feeds and tabs
NOTES = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
    | st.sampled_from(["\n", "\t"]),
    max_size=300,
)


@settings(max_examples=60, deadline=None)
@given(
    on=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    orders=st.lists(st.sampled_from(list(OrderType)), max_size=10),
    outcome=st.sampled_from(["allowed", "partly_allowed", "dismissed"]),
    summaries=st.lists(NAMES, max_size=5),
    recorded_by=NAMES,
    notes=st.none() | NOTES,
)
def test_any_valid_decision_round_trips(
    on: date,
    orders: list[OrderType],
    outcome: str,
    summaries: list[str],
    recorded_by: str,
    notes: str | None,
) -> None:
    event = TribunalDecision(
        date=on,
        outcome=outcome,
        orders=orders,
        recommendations=[{"addressed_to": "health", "summary": s} for s in summaries],
        recorded_by=recorded_by,
        notes=notes,
    )
    assert parse_event(json.loads(json.dumps(event.model_dump(mode="json")))) == event
