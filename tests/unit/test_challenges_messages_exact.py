"""The later routes' checks and what the planner is told, with whole messages and exact
dates (ehcp/challenges.py; issue 19): each check names its own event, a decision set aside is
no decision in force, a consent order numbers its orders after the decision's, and
`challenge_context` counts r.46(2) from the right date."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp.challenges import challenge_context, check_concession_timing
from ehcp.later_clocks import ChallengeContext
from ehcp.vocabulary import DeadlineStatus, Party
from tests.unit.casebuilder import CaseBuilder, ev, refusal
from tests.unit.test_later_law import appealed

DECIDED = date(2027, 3, 1)

NEEDS_DECISION = [
    ("written_reasons_sent", {}),
    ("set_aside_applied", {"by": "parent"}),
    ("set_aside_refused", {}),
    ("decision_set_aside", {}),
    ("permission_to_appeal_requested", {"by": "parent"}),
    ("permission_to_appeal_decided", {"by": "parent", "outcome": "granted"}),
    ("decision_suspended", {}),
]


def _refusal(b: CaseBuilder, kind: str, on: date, **fields) -> str:
    return refusal(b, ev(kind, on, **fields))


def _appealed() -> CaseBuilder:
    b = CaseBuilder()
    appealed(b)
    return b


def _decided(outcome: str = "partly_allowed", orders: tuple[str, ...] = ()) -> CaseBuilder:
    b = _appealed()
    b.add("tribunal_decision", DECIDED, outcome=outcome, orders=list(orders))
    return b


@pytest.mark.parametrize(("kind", "fields"), NEEDS_DECISION)
def test_each_challenge_before_any_decision_is_refused_by_its_own_name(kind, fields) -> None:
    assert _refusal(_appealed(), kind, date(2026, 11, 2), **fields) == (
        f"{kind} needs a tribunal_decision that has not been set aside; "
        "record the tribunal's decision first"
    )


@pytest.mark.parametrize(("kind", "fields"), NEEDS_DECISION)
def test_a_decision_set_aside_is_no_decision_in_force(kind, fields) -> None:
    b = _decided()
    b.add("decision_set_aside", date(2027, 3, 10))
    assert _refusal(b, kind, date(2027, 3, 11), **fields) == (
        f"{kind} needs a tribunal_decision that has not been set aside; "
        "record the tribunal's decision first"
    )
    # a fresh decision is in force again
    b.add("tribunal_decision", date(2027, 5, 3), outcome="dismissed", orders=[])
    b.add("written_reasons_sent", date(2027, 5, 4))


def test_a_second_set_aside_application_waits_for_the_first_to_be_decided() -> None:
    b = _decided()
    first = b.add("set_aside_applied", date(2027, 3, 5), by="council")
    assert _refusal(b, "set_aside_applied", date(2027, 3, 6), by="parent") == (
        f"a set-aside application is already waiting (event {first.seq}); "
        "record set_aside_refused or decision_set_aside first"
    )
    b.add("set_aside_refused", date(2027, 3, 20))
    assert _refusal(b, "set_aside_refused", date(2027, 3, 21)) == (
        "no set-aside application is waiting: record set_aside_applied first"
    )
    b.add("set_aside_applied", date(2027, 3, 22), by="parent")


def test_an_application_before_the_decision_set_aside_is_not_waiting_on_the_new_one() -> None:
    # The set-aside steps counted are those since the decision in force.
    b = _decided()
    b.add("set_aside_applied", date(2027, 3, 5), by="council")
    b.add("decision_set_aside", date(2027, 3, 10))
    b.add("tribunal_decision", date(2027, 5, 3), outcome="allowed", orders=[])
    assert _refusal(b, "set_aside_refused", date(2027, 5, 4)) == (
        "no set-aside application is waiting: record set_aside_applied first"
    )
    b.add("set_aside_applied", date(2027, 5, 4), by="council")
    b.add("permission_to_appeal_requested", date(2027, 5, 5), by="council")
    b.add("decision_suspended", date(2027, 5, 6))


def test_mediation_scheduled_needs_a_mediation_requested_and_still_open() -> None:
    message = "no mediation is requested: record mediation_requested before mediation_scheduled"
    b = CaseBuilder()
    assert _refusal(b, "mediation_scheduled", date(2026, 10, 5), mediation_date="2026-10-30") == (
        message
    )
    b.add("mediation_requested", date(2026, 10, 5))
    b.add("mediation_scheduled", date(2026, 10, 6), mediation_date="2026-10-30")
    b.add("mediation_withdrawn", date(2026, 10, 7))
    assert _refusal(b, "mediation_scheduled", date(2026, 10, 8), mediation_date="2026-10-30") == (
        message
    )


def test_a_consent_order_needs_an_open_appeal_and_orders_that_fit() -> None:
    b = CaseBuilder()
    assert _refusal(b, "consent_order_made", date(2026, 10, 5), orders=["assess"]) == (
        "consent_order_made needs a registered appeal that is not withdrawn or decided"
    )
    appealed(b)
    assert _refusal(b, "consent_order_made", date(2026, 11, 1), orders=["make_plan"]) == (
        "order 1 (make_plan) does not fit an appeal against plan_content; "
        "allowed: amend_placement, amend_provision, reconsider"
    )


def test_a_consent_order_after_a_decision_set_aside_numbers_its_orders_after_the_decisions() -> (
    None
):
    b = _decided(orders=("amend_placement",))
    b.add("decision_set_aside", date(2027, 3, 10))
    b.add("consent_order_made", date(2027, 3, 20), orders=["amend_provision", "amend_placement"])
    assert b.state.orders_made == 3
    assert {k: d.status for k, d in b.state.deadlines.items() if k.startswith("order:")} == {
        "order:1:amended_plan": DeadlineStatus.cancelled,
        "order:2:amended_plan": DeadlineStatus.pending,
        "order:3:amended_plan": DeadlineStatus.pending,
    }


def test_a_fresh_decision_after_a_set_aside_numbers_its_orders_after_the_first() -> None:
    b = _decided(orders=("amend_placement",))
    b.add("decision_set_aside", date(2027, 3, 10))
    b.add("tribunal_decision", date(2027, 5, 3), outcome="allowed", orders=["amend_provision"])
    assert b.state.orders_made == 2
    assert {k: d.status for k, d in b.state.deadlines.items() if k.startswith("order:")} == {
        "order:1:amended_plan": DeadlineStatus.cancelled,
        "order:2:amended_plan": DeadlineStatus.pending,
    }


def test_a_concession_after_a_set_aside_numbers_its_orders_after_the_decisions() -> None:
    b = _decided(orders=("amend_placement",))
    b.add("decision_set_aside", date(2027, 3, 10))
    b.add("appeal_unopposed", date(2027, 3, 20), concessions=["amend_provision"])
    assert b.state.orders_made == 2
    assert {k: d.status for k, d in b.state.deadlines.items() if k.startswith("order:")} == {
        "order:1:amended_plan": DeadlineStatus.cancelled,
        "order:2:amended_plan": DeadlineStatus.pending,
    }


def test_the_concession_rule_needs_a_response_sent_before_the_concession() -> None:
    conceded = ev("appeal_unopposed", date(2026, 11, 10), concessions=["reconsider"])
    check_concession_timing(CaseBuilder().state, conceded)  # no appeal_response deadline
    b = _appealed()
    b.add("obligation_met", date(2026, 11, 10), deadline_key="appeal_response")
    check_concession_timing(b.state, conceded)  # response the same day: not before it
    b = _appealed()
    response = b.state.deadlines["appeal_response"]
    response.status, response.closed_on = DeadlineStatus.cancelled, date(2026, 11, 2)
    check_concession_timing(b.state, conceded)  # a cancelled response was never sent


def test_no_context_without_a_decision_in_force() -> None:
    b = _appealed()
    assert challenge_context(b.state) is None
    b.add("tribunal_decision", DECIDED, outcome="dismissed", orders=[])
    b.add("decision_set_aside", date(2027, 3, 10))
    assert challenge_context(b.state) is None


def test_context_of_a_decision_counts_from_the_decision() -> None:
    b = _decided(outcome="partly_allowed")
    assert challenge_context(b.state) == ChallengeContext(
        decision_date=DECIDED,
        parties=[Party.parent, Party.council],
        permission_from=DECIDED,
        set_aside_in_time=False,
    )


def test_context_counts_from_written_reasons_and_an_in_time_refusal() -> None:
    b = _decided(outcome="allowed")
    b.add("written_reasons_sent", date(2027, 3, 10))
    b.add("set_aside_applied", date(2027, 3, 12), by="council")
    assert challenge_context(b.state) == ChallengeContext(
        decision_date=DECIDED,
        parties=[Party.council],
        permission_from=date(2027, 3, 10),
        set_aside_in_time=True,
    )
    b.add("set_aside_refused", date(2027, 4, 1))
    assert challenge_context(b.state) == ChallengeContext(
        decision_date=DECIDED,
        parties=[Party.council],
        permission_from=date(2027, 4, 1),
        set_aside_in_time=True,
    )


def test_context_ignores_a_refusal_of_a_late_application_and_earlier_decisions() -> None:
    b = _decided(outcome="dismissed")
    b.add("set_aside_applied", date(2027, 3, 5), by="parent")  # in time, then refused
    b.add("set_aside_refused", date(2027, 3, 8))
    b.add("decision_set_aside", date(2027, 3, 10))
    second = date(2027, 3, 15)
    b.add("tribunal_decision", second, outcome="dismissed", orders=[])
    late = b.add("set_aside_applied", date(2027, 5, 20), by="parent")
    assert late.flags == ["late_application"]
    b.add("set_aside_refused", date(2027, 6, 1))
    assert challenge_context(b.state) == ChallengeContext(
        decision_date=second,
        parties=[Party.parent],
        permission_from=second,
        set_aside_in_time=False,
    )


def test_an_application_on_its_last_day_is_in_time_and_a_day_later_is_late() -> None:
    b = _decided(outcome="partly_allowed")
    due = b.due("set_aside_application:parent")
    on_time = b.add("set_aside_applied", due, by="parent")
    assert on_time.flags == []
    assert (
        b.status("set_aside_application:parent"),
        b.state.deadlines["set_aside_application:parent"].closed_on,
    ) == ("met", due)
    b.add("set_aside_refused", due)
    due = b.due("permission_to_appeal:council")
    late = b.add("permission_to_appeal_requested", date.fromordinal(due.toordinal() + 1),
                 by="council")  # fmt: skip
    assert late.flags == ["late_application"]
    assert b.status("permission_to_appeal:council") == "met_late"


def test_a_right_with_no_clock_is_used_without_a_flag() -> None:
    # A dismissed appeal tracks only the family's rights; the council may still apply.
    b = _decided(outcome="dismissed")
    assert "set_aside_application:council" not in b.state.deadlines
    used = b.add("set_aside_applied", date(2027, 6, 1), by="council")
    assert used.flags == []
    assert "set_aside_application:council" not in b.state.deadlines
