"""A decision on permission to appeal, checked with whole messages (ehcp/challenges.py;
issue 19): each party's request and decision are its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ehcp.case_state import EventRejected
from ehcp.challenges import check_concession_timing
from tests.unit.casebuilder import CaseBuilder, ev, refusal
from tests.unit.test_later_law import appealed

DECIDED = date(2027, 3, 1)


def _decided() -> CaseBuilder:
    b = CaseBuilder()
    appealed(b)
    b.add("tribunal_decision", DECIDED, outcome="partly_allowed", orders=[])
    return b


def _refused(b: CaseBuilder, on: date, **fields) -> str:
    return refusal(b, ev("permission_to_appeal_decided", on, **fields))


def test_a_decision_needs_that_partys_own_request() -> None:
    b = _decided()
    b.add("permission_to_appeal_requested", date(2027, 3, 2), by="council")
    assert _refused(b, date(2027, 3, 3), by="parent", outcome="granted") == (
        "the parent has not asked for permission to appeal: record "
        "permission_to_appeal_requested first"
    )
    b.add("permission_to_appeal_decided", date(2027, 3, 3), by="council", outcome="refused")


def test_a_request_is_decided_once_per_party() -> None:
    b = _decided()
    b.add("permission_to_appeal_requested", date(2027, 3, 2), by="council")
    b.add("permission_to_appeal_requested", date(2027, 3, 2), by="parent")
    done = b.add("permission_to_appeal_decided", date(2027, 3, 3), by="council", outcome="refused")
    assert _refused(b, date(2027, 3, 4), by="council", outcome="granted") == (
        f"the council's request was already decided (event {done.seq})"
    )
    b.add("permission_to_appeal_decided", date(2027, 3, 4), by="parent", outcome="granted")


def _with_orders() -> CaseBuilder:
    b = CaseBuilder()
    appealed(b, health_included=True)
    b.add("tribunal_decision", DECIDED, outcome="partly_allowed", orders=["amend_placement"],
          recommendations=[{"addressed_to": "health", "summary": "r"}])  # fmt: skip
    return b


def _open(b: CaseBuilder) -> dict[str, tuple]:
    return {
        k: (d.status, d.closed_on, d.exception)
        for k, d in b.state.deadlines.items()
        if k.startswith(("order:", "recommendation_response:", "set_aside", "permission"))
    }


def test_a_suspended_decision_excepts_its_open_orders_only() -> None:
    b = _with_orders()
    on = date(2027, 3, 3)
    b.add("decision_suspended", on)
    assert _open(b) == {
        "order:1:amended_plan": ("excepted", on, "decision_suspended"),
        "recommendation_response:1": ("pending", None, None),
        "set_aside_application:parent": ("pending", None, None),
        "set_aside_application:council": ("pending", None, None),
        "permission_to_appeal:parent": ("pending", None, None),
        "permission_to_appeal:council": ("pending", None, None),
    }


def test_a_suspension_leaves_an_order_already_met() -> None:
    b = _with_orders()
    b.add("obligation_met", date(2027, 3, 2), deadline_key="order:1:amended_plan")
    b.add("decision_suspended", date(2027, 3, 3))
    assert _open(b)["order:1:amended_plan"] == ("met", date(2027, 3, 2), None)


def test_a_decision_set_aside_cancels_its_open_clocks_and_keeps_what_was_done() -> None:
    b = _with_orders()
    b.add("set_aside_applied", date(2027, 3, 5), by="parent")
    on = date(2027, 3, 10)
    b.add("decision_set_aside", on)
    assert _open(b) == {
        "order:1:amended_plan": ("cancelled", on, None),
        "recommendation_response:1": ("cancelled", on, None),
        "set_aside_application:parent": ("met", date(2027, 3, 5), None),
        "set_aside_application:council": ("cancelled", on, None),
        "permission_to_appeal:parent": ("cancelled", on, None),
        "permission_to_appeal:council": ("cancelled", on, None),
    }


def test_a_concession_after_a_late_response_is_refused_with_the_whole_message() -> None:
    b = CaseBuilder()
    appealed(b)
    due = b.due("appeal_response")
    late_response = due + timedelta(days=3)
    b.add("obligation_met", late_response, deadline_key="appeal_response")
    assert b.status("appeal_response") == "met_late"
    on = late_response + timedelta(days=1)
    with pytest.raises(EventRejected) as caught:
        check_concession_timing(b.state, ev("appeal_unopposed", on, concessions=["assess"]))
    assert str(caught.value) == (
        f"the council sent its response to the appeal on {late_response}, before this "
        f"concession ({on}); reg 45 covers only a concession before the response. A later "
        "concession ends in a consent order: record consent_order_made with the date of the "
        "order and its orders"
    )
    check_concession_timing(b.state, ev("consent_order_made", on, orders=["assess"]))


def test_a_consent_order_counts_its_orders_and_ends_the_response_and_hearing_that_day() -> None:
    b = CaseBuilder()
    appealed(b)
    b.add("hearing_listed", date(2026, 11, 5), hearing_date="2027-02-01")
    on = date(2026, 11, 20)
    b.add("consent_order_made", on, orders=["amend_provision", "amend_placement"])
    assert b.state.orders_made == 2
    for key in ("appeal_response", "hearing"):
        d = b.state.deadlines[key]
        assert (d.status, d.closed_on) == ("cancelled", on)


def _refuses(b: CaseBuilder, kind: str, on: date, **fields) -> str:
    return refusal(b, ev(kind, on, **fields))


def test_a_decision_is_suspended_once() -> None:
    b = _decided()
    b.add("decision_suspended", date(2027, 3, 3))
    assert _refuses(b, "decision_suspended", date(2027, 3, 4)) == (
        "the decision is already recorded as suspended"
    )


def test_each_party_asks_permission_once() -> None:
    b = _decided()
    asked = b.add("permission_to_appeal_requested", date(2027, 3, 2), by="parent")
    assert _refuses(b, "permission_to_appeal_requested", date(2027, 3, 3), by="parent") == (
        f"the parent already asked for permission to appeal this decision (event {asked.seq})"
    )
    b.add("permission_to_appeal_requested", date(2027, 3, 3), by="council")


def test_a_set_aside_needs_a_decision_in_force_but_no_application() -> None:
    b = CaseBuilder()
    appealed(b)
    assert _refuses(b, "decision_set_aside", date(2026, 11, 1)) == (
        "decision_set_aside needs a tribunal_decision that has not been set aside; "
        "record the tribunal's decision first"
    )
    b.add("tribunal_decision", DECIDED, outcome="dismissed", orders=[])
    b.add("decision_set_aside", date(2027, 3, 2))  # on the tribunal's own initiative
