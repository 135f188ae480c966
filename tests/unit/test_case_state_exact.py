"""Case rules asserted exactly: whole refusal messages, whole status maps (issue 19).

Complements test_case_state.py, whose refusal checks look for words in the message; here the
message is compared whole, and each test pins a rule that a mutation run showed unguarded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ehcp.case_state import check_event, is_overdue
from ehcp.models import Event
from tests.unit.casebuilder import CaseBuilder, ev, refusal

DECISION = date(2026, 10, 1)  # Thursday; the parent clocks end on Tuesday 1 December 2026
TRIBUNAL_REF = "EH123/26/00042"


def statuses(b: CaseBuilder) -> dict[str, tuple[str, date | None]]:
    return {key: (d.status.value, d.closed_on) for key, d in b.state.deadlines.items()}


# ----- an event cannot be dated before the event it follows


def test_mediation_held_before_its_request_is_refused_with_the_whole_reason() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    held = ev("mediation_held", date(2026, 10, 4), outcome="no_agreement")
    assert refusal(b, held, today=date(2026, 10, 5)) == (
        "date 2026-10-04 is before the mediation_requested it follows (event 1, dated "
        "2026-10-05); give a date on or after 2026-10-05"
    )


@dataclass(frozen=True)
class Follows:
    """A prerequisite recorded on `on`, and the kind of event that must not precede it."""

    name: str
    setup: Callable[[CaseBuilder, date], None]
    prerequisite: str
    later: Callable[[date], Event]


def _appeal(b: CaseBuilder, on: date, **fields: Any) -> None:
    b.add("appeal_registered", on, tribunal_ref=TRIBUNAL_REF, placement_only=True, **fields)


def _certificate(b: CaseBuilder, on: date) -> None:
    b.add("mediation_adviser_contacted", DECISION)
    b.add("mediation_certificate_issued", on, certificate_kind="information_only")


def _decided(b: CaseBuilder, on: date) -> None:
    _appeal(b, DECISION, health_included=True)
    recommendation = {"addressed_to": "health", "summary": "Review speech therapy"}
    b.add("tribunal_decision", on, outcome="allowed", recommendations=[recommendation])


FOLLOWS = [
    Follows(
        "held",
        lambda b, on: b.add("mediation_requested", on),
        "mediation_requested",
        lambda d: ev("mediation_held", d, outcome="no_agreement"),
    ),
    Follows(
        "withdrawn",
        lambda b, on: b.add("mediation_requested", on),
        "mediation_requested",
        lambda d: ev("mediation_withdrawn", d),
    ),
    Follows(
        "way_forward",
        lambda b, on: b.add("way_forward_meeting_scheduled", on, meeting_date=on.isoformat()),
        "way_forward_meeting_scheduled",
        lambda d: ev("way_forward_meeting_held", d, outcome="resolved"),
    ),
    Follows(
        "resolution",
        lambda b, on: b.add("disagreement_resolution_started", on),
        "disagreement_resolution_started",
        lambda d: ev("disagreement_resolution_concluded", d, outcome="resolved"),
    ),
    Follows(
        "certificate",
        lambda b, on: b.add("mediation_adviser_contacted", on),
        "mediation_adviser_contacted",
        lambda d: ev("mediation_certificate_issued", d, certificate_kind="information_only"),
    ),
    Follows(
        "appeal",
        _certificate,
        "mediation_certificate_issued",
        lambda d: ev("appeal_registered", d, tribunal_ref=TRIBUNAL_REF),
    ),
    Follows(
        "hearing",
        _appeal,
        "appeal_registered",
        lambda d: ev("hearing_listed", d, hearing_date=(d + timedelta(days=60)).isoformat()),
    ),
    Follows("appeal_withdrawn", _appeal, "appeal_registered", lambda d: ev("appeal_withdrawn", d)),
    Follows(
        "unopposed",
        _appeal,
        "appeal_registered",
        lambda d: ev("appeal_unopposed", d, concessions=["amend_placement"]),
    ),
    Follows(
        "decision",
        _appeal,
        "appeal_registered",
        lambda d: ev("tribunal_decision", d, outcome="allowed"),
    ),
    Follows(
        "response",
        _decided,
        "tribunal_decision",
        lambda d: ev("recommendation_response_sent", d, recommendation=1, followed=True),
    ),
    Follows(
        "closed",
        lambda b, on: b.add("mediation_requested", on),
        "mediation_requested",
        lambda d: ev("case_closed", d, reason="withdrawn"),
    ),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    follows=st.sampled_from(FOLLOWS),
    on=st.dates(min_value=DECISION + timedelta(days=1), max_value=date(2027, 9, 30)),
    early=st.integers(min_value=1, max_value=400),
)
def test_every_event_dated_before_its_prerequisite_is_refused(
    follows: Follows, on: date, early: int
) -> None:
    b = CaseBuilder()
    follows.setup(b, on)
    seq = len(b.state.timeline)
    assert b.state.timeline[-1].event.kind == follows.prerequisite
    before = max(on - timedelta(days=early), DECISION)
    assert refusal(b, follows.later(before), today=on) == (
        f"date {before} is before the {follows.prerequisite} it follows (event {seq}, dated "
        f"{on}); give a date on or after {on}"
    )
    check_event(b.state, follows.later(on), on)  # the same day is fine


# ----- closing a case


def test_closing_keeps_a_missed_mediation_session_missed() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))  # session due Wednesday 4 November 2026
    b.refresh(date(2026, 11, 10))
    assert is_overdue(b.state)
    b.add("case_closed", date(2026, 11, 10), reason="withdrawn")
    assert statuses(b) == {
        "mediation_contact": ("met", date(2026, 10, 5)),
        "appeal": ("cancelled", date(2026, 11, 10)),
        "mediation_session": ("missed", None),
    }
    assert not is_overdue(b.state)


def test_closing_as_appeal_dismissed_after_a_dismissed_decision_is_accepted() -> None:
    b = CaseBuilder()
    _appeal(b, date(2026, 10, 20))
    b.add("tribunal_decision", date(2027, 3, 1), outcome="dismissed")
    b.add("case_closed", date(2027, 3, 2), reason="appeal_dismissed")
    assert (b.state.closed, b.state.closed_reason) == (True, "appeal_dismissed")


@pytest.mark.parametrize("outcome", ["allowed", "partly_allowed", None])
def test_closing_as_appeal_dismissed_needs_a_dismissed_decision(outcome: str | None) -> None:
    b = CaseBuilder()
    _appeal(b, date(2026, 10, 20))
    if outcome:
        b.add("tribunal_decision", date(2027, 3, 1), outcome=outcome)
    closing = ev("case_closed", date(2027, 3, 2), reason="appeal_dismissed")
    assert refusal(b, closing) == (
        "reason appeal_dismissed needs a tribunal_decision with outcome dismissed"
    )


def test_closing_as_no_appeal_needs_the_appeal_deadline_missed() -> None:
    b = CaseBuilder()
    b.refresh(date(2026, 12, 1))  # the last day itself: still pending
    closing = ev("case_closed", date(2026, 12, 1), reason="no_appeal")
    assert refusal(b, closing) == (
        "reason no_appeal needs the appeal deadline to have passed without an appeal"
    )
    b.refresh(date(2026, 12, 2))
    b.record(ev("case_closed", date(2026, 12, 2), reason="no_appeal"))
    assert b.state.closed_reason == "no_appeal"


def test_closing_as_obligations_met_lists_every_open_duty() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    b.refresh(date(2026, 11, 10))  # the session (council) is missed, the ICB notice too
    closing = ev("case_closed", date(2026, 11, 10), reason="obligations_met")
    assert refusal(b, closing) == (
        "obligations are still open: mediation_session, icb_mediation_notice"
    )


# ----- what a later event does to a met deadline


def test_a_met_mediation_contact_stays_met_when_mediation_is_requested_later() -> None:
    b = CaseBuilder()
    b.add("mediation_adviser_contacted", date(2026, 10, 5))
    b.add("mediation_requested", date(2026, 12, 3))  # after the 1 December due date
    assert statuses(b)["mediation_contact"] == ("met", date(2026, 10, 5))


def test_refresh_statuses_says_exactly_whether_anything_changed() -> None:
    b = CaseBuilder()
    assert b.refresh(date(2026, 12, 1)) is False  # the last day itself: nothing moves
    assert b.refresh(date(2026, 12, 2)) is True
    assert b.refresh(date(2026, 12, 3)) is False
