"""What the event pages offer and read, against case states built as the workflow builds them
(tests/unit/casebuilder.py): the offered kinds are the ones the domain's rules accept."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.datastructures import MultiDict

from ehcp.case_state import EventRejected, check_event
from ehcp.models import EVENT_KINDS, parse_event
from ehcp.payloads import CaseStatus, CaseTimeline
from ehcp.vocabulary import DecisionType
from service.errors import BadInput
from service.inputs import check_event as check_input
from tests.unit.casebuilder import CaseBuilder, make_case
from web.eventforms import TITLES, questions, read_answers
from web.forms import FormErrors
from web.offer import accepted_kinds
from web.record import bad_input_errors

TODAY = date(2026, 11, 30)


def status_of(b: CaseBuilder) -> tuple[CaseStatus, CaseTimeline]:
    """The two queries' answers, as the workflow gives them."""
    s = b.state
    status = CaseStatus(
        case_ref=s.case.case_ref,
        council=s.case.council,
        decision_type=s.case.decision_type,
        decision_date=s.case.decision_date,
        stage=s.stage,
        closed_reason=s.closed_reason,
        overdue=False,
        next_due=None,
        deadlines=list(s.deadlines.values()),
        reminders_sent=s.notices,
        delivery_failures=s.delivery_failures,
        events=len(s.timeline),
    )
    return status, CaseTimeline(case_ref=s.case.case_ref, events=s.timeline)


def test_every_kind_has_a_title_and_a_form() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    status, _ = status_of(b)
    for kind in EVENT_KINDS:
        assert kind in TITLES
        assert questions(kind, status)[0].name == "date"


def test_a_new_case_is_not_offered_an_appeal_without_a_certificate() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    offered = accepted_kinds(*status_of(b), TODAY)
    assert "mediation_adviser_contacted" in offered
    assert "appeal_registered" not in offered
    assert "mediation_certificate_issued" not in offered  # nobody contacted the adviser yet


def test_after_a_certificate_the_appeal_is_offered() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    b.add("mediation_declined", date(2026, 10, 5))
    b.add("mediation_certificate_issued", date(2026, 10, 8), certificate_kind="information_only")
    offered = accepted_kinds(*status_of(b), TODAY)
    assert "appeal_registered" in offered
    assert "mediation_declined" not in offered  # already declined
    assert "hearing_listed" not in offered  # no appeal yet


def test_offered_kinds_agree_with_the_rules_for_the_obvious_event() -> None:
    """Each offered kind has at least one event the rules accept (the page's promise)."""
    b = CaseBuilder(make_case("plan_content", date(2026, 10, 1)))
    b.add("mediation_adviser_contacted", date(2026, 10, 2))
    b.add("mediation_certificate_issued", date(2026, 10, 3), certificate_kind="information_only")
    b.add("appeal_registered", date(2026, 10, 20), tribunal_ref="EH857/26/00042")
    b.add("tribunal_decision", date(2026, 11, 20), outcome="allowed", orders=["amend_provision"])
    offered = accepted_kinds(*status_of(b), TODAY)
    assert "obligation_met" in offered and "exception_recorded" in offered
    assert "appeal_registered" not in offered
    with pytest.raises(EventRejected):
        check_event(b.state, parse_event({"kind": "hearing_listed", "date": "2026-11-25",
                                          "hearing_date": "2026-12-25"}), TODAY)  # fmt: skip


def test_a_closed_case_offers_nothing() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    b.add("case_closed", date(2026, 10, 2), reason="resolved_by_agreement")
    assert accepted_kinds(*status_of(b), TODAY) == []


def test_the_form_reads_into_the_event_the_operations_layer_checks() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    status, _ = status_of(b)
    qs = questions("appeal_registered", status)
    form = MultiDict(
        [("date-day", "20"), ("date-month", "10"), ("date-year", "2026"),
         ("tribunal_ref", "EH857/26/00042"), ("health_included", "true")]
    )  # fmt: skip
    errors = FormErrors()
    data = read_answers(qs, form, form.getlist, errors)
    assert not errors
    event = check_input({**data, "kind": "appeal_registered"}, TODAY, recorded_by="Alex")
    assert event.health_included and not event.placement_only
    assert event.recorded_by == "Alex"


def test_missing_answers_and_bad_fields_land_on_their_fields() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    status, _ = status_of(b)
    qs = questions("appeal_registered", status)
    errors = FormErrors()
    read_answers(qs, MultiDict(), MultiDict().getlist, errors)
    assert list(errors.by_field) == ["date-day", "tribunal_ref"]
    errors = FormErrors()
    with pytest.raises(BadInput) as bad:
        check_input({"kind": "appeal_registered", "date": "2026-10-20", "tribunal_ref": "?"},
                    TODAY)  # fmt: skip
    bad_input_errors(bad.value, qs, errors)
    assert list(errors.by_field) == ["tribunal_ref"]


@pytest.mark.parametrize(
    ("kind", "field", "words"),
    [
        ("mediation_scheduled", "mediation_date", "The mediation date must be on or after the "
         "day it was booked"),
        ("hearing_listed", "hearing_date", "The hearing date must be on or after the day it "
         "was listed"),
        ("way_forward_meeting_scheduled", "meeting_date", "The meeting date must be on or after "
         "the day it was scheduled"),
    ],
)  # fmt: skip
def test_a_date_before_the_event_is_said_in_words_on_its_own_field(kind, field, words) -> None:
    """Found by a fresh user: `Mediation_date must be on or after date (...)` on "When did it
    happen?"; the CLI said `input: hearing_date ...`."""
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    qs = questions(kind, status_of(b)[0])
    data = {"kind": kind, "date": "2026-11-02", field: "2026-11-01"}
    if kind == "hearing_listed":
        data["tribunal_ref"] = "EH857/26/00042"
    errors = FormErrors()
    with pytest.raises(BadInput) as bad:
        check_input({k: v for k, v in data.items() if k != "tribunal_ref" or
                     any(q.name == "tribunal_ref" for q in qs)}, TODAY)  # fmt: skip
    assert [e.pointer for e in bad.value.errors] == [f"/{field}"]
    bad_input_errors(bad.value, qs, errors)
    assert errors.by_field == {f"{field}-day": words}


def test_a_future_date_in_a_refusal_of_bad_input_is_written_in_full() -> None:
    b = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
    qs = questions("mediation_adviser_contacted", status_of(b)[0])
    errors = FormErrors()
    with pytest.raises(BadInput) as bad:
        check_input({"kind": "mediation_adviser_contacted", "date": "2099-11-02"}, TODAY)
    bad_input_errors(bad.value, qs, errors)
    assert "2099-11-02" not in errors.by_field["date-day"]
    assert "2 November 2099 is in the future" in errors.by_field["date-day"]


def test_orders_offered_are_those_the_decision_allows() -> None:
    b = CaseBuilder(make_case(DecisionType.refusal_to_assess.value, date(2026, 10, 1)))
    status, _ = status_of(b)
    (orders,) = [q for q in questions("tribunal_decision", status) if q.name == "orders"]
    assert {value for value, _ in orders.options} == {"assess", "reconsider"}


def test_every_kind_is_offered_when_a_case_would_accept_it() -> None:
    """Each kind's probe is a valid event: before, kinds with a required field the probe
    left out (a contact, a mediation date, who applied) were never offered on the case page."""
    from pydantic import ValidationError

    from web.offer import _probes

    b = CaseBuilder(make_case("plan_content", date(2026, 10, 1)))
    status, _ = status_of(b)
    needs_deadlines = {"obligation_met", "exception_recorded"}  # probed per open deadline
    for kind in EVENT_KINDS:
        valid = []
        for probe in _probes(kind, status, TODAY):
            try:
                valid.append(parse_event(probe))
            except ValidationError:
                continue
        assert valid or kind in needs_deadlines, kind
    offered = accepted_kinds(*status_of(b), TODAY)
    assert "contact_updated" in offered


def test_challenges_are_offered_after_a_decision() -> None:
    b = CaseBuilder(make_case("plan_content", date(2026, 9, 1)))
    b.add("mediation_adviser_contacted", date(2026, 9, 2))
    b.add("mediation_certificate_issued", date(2026, 9, 3), certificate_kind="information_only")
    b.add("appeal_registered", date(2026, 9, 20), tribunal_ref="EH857/26/00042")
    offered = accepted_kinds(*status_of(b), TODAY)
    assert "consent_order_made" in offered
    b.add("tribunal_decision", date(2026, 11, 20), outcome="allowed", orders=["amend_provision"])
    offered = accepted_kinds(*status_of(b), TODAY)
    assert {"set_aside_applied", "permission_to_appeal_requested"} <= set(offered)
