"""A withdrawn appeal ends the appeal's clocks; a case with nothing pending says so, and
closes by itself where the process ends there (issue 10, friction)."""

from __future__ import annotations

from datetime import date

from ehcp.case_state import closes_the_case, nothing_pending
from tests.unit.casebuilder import CaseBuilder, make_case


def _appeal() -> CaseBuilder:
    b = CaseBuilder(make_case(decision_date=date(2026, 10, 1)))
    b.add("appeal_registered", date(2026, 10, 5), tribunal_ref="EH1/26/8", placement_only=True)
    b.add("hearing_listed", date(2026, 10, 6), hearing_date="2027-02-01")
    return b


def test_a_withdrawn_appeal_with_nothing_else_pending_closes_the_case() -> None:
    b = _appeal()
    assert not nothing_pending(b.state)
    recorded = b.add("appeal_withdrawn", date(2026, 10, 20))
    assert b.status("appeal_response") == "cancelled" and b.status("hearing") == "cancelled"
    assert nothing_pending(b.state)
    assert closes_the_case(b.state, recorded.event) == "withdrawn"


def test_a_withdrawn_appeal_leaves_the_case_open_while_other_duties_run() -> None:
    b = CaseBuilder(make_case(decision_date=date(2026, 10, 1)))
    b.add("mediation_requested", date(2026, 10, 2))
    b.add("mediation_held", date(2026, 10, 10), outcome="partial_agreement",
          agreed_actions=[{"summary": "Speech and language review"}])  # fmt: skip
    b.add("appeal_registered", date(2026, 10, 12), tribunal_ref="EH1/26/9", placement_only=True)
    recorded = b.add("appeal_withdrawn", date(2026, 10, 20))
    assert not nothing_pending(b.state)  # the agreed action is still due
    assert closes_the_case(b.state, recorded.event) is None


def test_an_untimed_route_under_way_is_something_pending() -> None:
    b = _appeal()
    b.add("disagreement_resolution_started", date(2026, 10, 7))
    recorded = b.add("appeal_withdrawn", date(2026, 10, 20))
    assert not nothing_pending(b.state)
    assert closes_the_case(b.state, recorded.event) is None
