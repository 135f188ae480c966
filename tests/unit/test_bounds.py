"""A case's carried state is bounded (issue 10, fault 11): a maximal case (longest notes,
most events, every reminder and escalation) stays well under Temporal's 2 MB payload limit
in what continue-as-new carries and what the queries return, refuses the event that would
cross the bound with a clear message, and still accepts case_closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ehcp.bounds import (
    MAX_REASON,
    STATE_LIMIT_BYTES,
    check_room,
    compact_notices,
    short_reason,
)
from ehcp.case_state import EventRejected, NoticeRecord, check_event
from ehcp.notices import Role
from ehcp.payloads import CaseTimeline, StartCase
from tests.unit.casebuilder import CaseBuilder, ev, make_case

TWO_MB = 2 * 1024 * 1024
LONGEST_NOTES = "n" * 2000
ON = date(2026, 10, 1)


def _fill(b: CaseBuilder, limit: int = STATE_LIMIT_BYTES) -> str:
    """Record meetings with the longest notes until the case refuses one; its message."""
    b.add("way_forward_meeting_requested", ON, notes=LONGEST_NOTES)
    for k in range(1, 1800):
        event = ev("way_forward_meeting_scheduled", ON, meeting_date=(ON + timedelta(k)),
                   notes=LONGEST_NOTES, recorded_by="r" * 100)  # fmt: skip
        try:
            check_room(b.state, event, limit)
        except EventRejected as refused:
            return str(refused)
        b.record(event)
        _every_reminder(b)
    raise AssertionError("never refused")


def _every_reminder(b: CaseBuilder) -> None:
    """The records of every email a deadline may send, for each open deadline."""
    at = datetime(2026, 10, 1, 8, tzinfo=UTC)
    for deadline in b.state.deadlines.values():
        base = f"{b.state.case.case_ref}/{deadline.key}@{deadline.due.isoformat()}"
        readers = (Role.parent, Role.second_contact, Role.caseworker)
        keys = [f"{base}/reminder/{o}/{r}" for o in (14, 7, 2, 0) for r in readers]
        keys += [f"{base}/late_notice/{r}" for r in (Role.parent, Role.second_contact)]
        known = b.state.sent_keys()
        b.state.notices += [
            NoticeRecord(key=k, deadline_key=deadline.key, kind="reminder", role="parent",
                         sent_at=at, transport="sendgrid", message_id="m" * 40)
            for k in keys if k not in known
        ]  # fmt: skip


def _most_deadlines(b: CaseBuilder) -> None:
    """The most deadlines one case can have: 30 agreed actions, 10 orders, 20
    recommendations, with the longest summaries."""
    long = "s" * 500
    b.add("mediation_requested", ON, health_included=True, social_care_included=True)
    b.add("mediation_held", ON, outcome="agreement", notes=LONGEST_NOTES,
          agreed_actions=[{"summary": long} for _ in range(30)])  # fmt: skip
    b.add("mediation_certificate_issued", ON, certificate_kind="mediation_completed")
    b.add("appeal_registered", ON, tribunal_ref="EH1/26/99", health_included=True,
          social_care_included=True)  # fmt: skip
    b.add("tribunal_decision", ON, outcome="allowed", orders=["amend_provision"] * 10,
          recommendations=[{"addressed_to": "health", "summary": long}] * 20)  # fmt: skip


def test_a_maximal_case_stays_under_the_payload_limit_and_still_closes() -> None:
    b = CaseBuilder(make_case(decision_date=ON))
    _most_deadlines(b)
    message = _fill(b)
    assert "no room for more events" in message and "case_closed" in message
    # every email its open deadlines may still send, then what a run carries over
    _every_reminder(b)
    carried = StartCase(case=b.case, state=b.state).model_dump_json().encode()
    assert len(b.state.timeline) > 100
    assert len(carried) < TWO_MB * 0.8
    timeline = CaseTimeline(case_ref=b.case.case_ref, events=b.state.timeline)
    assert len(timeline.model_dump_json().encode()) < TWO_MB * 0.8
    closing = ev("case_closed", ON, reason="withdrawn", notes=LONGEST_NOTES)
    check_event(b.state, closing, ON)
    check_room(b.state, closing)  # case_closed always fits
    b.record(closing)
    assert b.state.closed


def test_the_refusal_names_the_limit_and_what_to_do() -> None:
    b = CaseBuilder(make_case(decision_date=ON))
    message = _fill(b, limit=60_000)
    assert "60,000" in message and "events recorded" in message


def test_escalation_records_are_compacted_to_the_latest_six() -> None:
    b = CaseBuilder(make_case(decision_date=ON))
    at = datetime(2026, 10, 1, 8, tzinfo=UTC)
    base = f"{b.state.case.case_ref}/appeal_response@2026-11-12/escalation"
    b.state.notices = [
        NoticeRecord(key=f"{base}/{n}/{role}", deadline_key="appeal_response",
                     kind="escalation", role=role, sent_at=at, transport="outbox")
        for n in range(1, 60) for role in ("caseworker", "send_manager")
    ]  # fmt: skip
    compact_notices(b.state)
    assert sorted(r.key for r in b.state.notices) == sorted(
        f"{base}/{n}/{role}" for n in range(54, 60) for role in ("caseworker", "send_manager")
    )


@pytest.mark.parametrize("length", [10, MAX_REASON, 100_000])
def test_a_delivery_failure_reason_is_bounded(length: int) -> None:
    assert len(short_reason("x" * length)) <= MAX_REASON
