"""Closing a case by itself and "nothing pending", asserted whole (issue 19, after issue 11).

`close_case` ends the process without an event (the family withdraws and nothing else is
pending); `nothing_pending` decides when that may happen.
"""

from __future__ import annotations

from datetime import date

import pytest

from ehcp.case_state import Stage, close_case, nothing_pending
from ehcp.vocabulary import DeadlineStatus, Party
from tests.unit.casebuilder import CaseBuilder

ON = date(2026, 10, 5)


def test_close_case_cancels_open_deadlines_on_the_day_and_keeps_missed_ones() -> None:
    b = CaseBuilder()
    b.state.deadlines["mediation_contact"].status = DeadlineStatus.missed
    close_case(b.state, "withdrawn", ON)
    assert (b.state.stage, b.state.closed_reason) == (Stage.closed, "withdrawn")
    assert {k: (d.status, d.closed_on) for k, d in b.state.deadlines.items()} == {
        "mediation_contact": (DeadlineStatus.missed, None),
        "appeal": (DeadlineStatus.cancelled, ON),
    }


def settled(b: CaseBuilder) -> CaseBuilder:
    close_case(b.state, "withdrawn", ON)
    return b


def test_a_pending_deadline_is_pending() -> None:
    assert nothing_pending(CaseBuilder().state) is False
    assert nothing_pending(settled(CaseBuilder()).state) is True


@pytest.mark.parametrize(
    ("party", "owed"),
    [(Party.parent, False), (Party.council, True), (Party.health, True), (Party.social_care, True)],
)
def test_a_missed_duty_is_still_owed_only_by_a_body_that_escalates(
    party: Party, owed: bool
) -> None:
    b = settled(CaseBuilder())
    deadline = b.state.deadlines["appeal"]
    deadline.status, deadline.party = DeadlineStatus.missed, party
    assert nothing_pending(b.state) is (not owed)


@pytest.mark.parametrize(
    ("started", "ended"),
    [
        ("way_forward_meeting_requested", "way_forward_meeting_held"),
        ("disagreement_resolution_started", "disagreement_resolution_concluded"),
    ],
)
def test_an_untimed_route_is_pending_until_it_ends(started: str, ended: str) -> None:
    b = CaseBuilder()
    b.add(started, date(2026, 10, 2))
    for deadline in b.state.deadlines.values():  # only the route is left
        deadline.status = DeadlineStatus.cancelled
    assert nothing_pending(b.state) is False
    if ended == "way_forward_meeting_held":
        b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date=date(2026, 10, 3))
        assert nothing_pending(b.state) is False  # scheduled is still under way
    b.add(ended, date(2026, 10, 3), outcome="resolved")
    assert nothing_pending(b.state) is True


def test_a_decision_set_aside_reopens_the_registered_appeal() -> None:
    b = CaseBuilder()
    b.add("mediation_adviser_contacted", date(2026, 10, 18))
    b.add("mediation_certificate_issued", date(2026, 10, 19), certificate_kind="information_only")
    registered = b.add("appeal_registered", date(2026, 10, 20), tribunal_ref="EH123/26/00042")
    assert b.state.open_appeal() == registered
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=[])
    assert b.state.open_appeal() is None
    b.add("set_aside_applied", date(2027, 3, 5), by="council")
    b.add("decision_set_aside", date(2027, 3, 20))
    # the appeal is decided afresh: the registered appeal is open again
    assert b.state.open_appeal() == registered
