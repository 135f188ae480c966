"""Which emails are due, to whom, when (ehcp/notices.py), and what they say (ehcp/messages.py).

The clock is driven as the workflow drives it (`CaseBuilder.run_clock`): refresh statuses,
send what `due_notices` returns, sleep until `next_wakeup`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehcp.case_state import DeliveryFailure, ReminderPolicy
from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.messages import WHAT_TO_DO, render
from ehcp.models import Contact
from ehcp.notices import (
    NoticeKind,
    Notification,
    Role,
    closure_notices,
    due_notices,
    failure_alerts,
    next_wakeup,
)
from ehcp.parent_words import CLOSED_REASONS, PARENT_REMINDERS
from ehcp.reader_text import reader_basis
from ehcp.told import told_notices
from ehcp.uktime import london_date, london_offset, london_to_utc
from ehcp.vocabulary import DeadlineStatus
from tests.unit.casebuilder import (
    CASEWORKER,
    HEALTH,
    MANAGER,
    PARENT,
    SECOND,
    CaseBuilder,
    make_case,
    noon,
)

REF = "RUT-2026-0042"
ONE_SECOND = timedelta(seconds=1)

# Decision on Saturday 5 September 2026: both parent clocks end on Thursday 5 November 2026,
# after British Summer Time ends (01:00 UTC on Sunday 25 October 2026).
AUTUMN = date(2026, 9, 5)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def keys(notices: list[Notification]) -> list[str]:
    return sorted(n.key for n in notices)


def of(notices: list[Notification], deadline_key: str) -> list[Notification]:
    return [n for n in notices if n.deadline and n.deadline.key == deadline_key]


def appealed(b: CaseBuilder, on: date, **fields) -> None:
    b.add("mediation_adviser_contacted", on - timedelta(days=2))
    b.add(
        "mediation_certificate_issued", on - timedelta(days=1), certificate_kind="information_only"
    )
    b.add("appeal_registered", on, tribunal_ref="EH123/26/00042", **fields)


# ----- reminder times ------------------------------------------------------------------------


def test_reminders_at_nine_london_across_the_end_of_summer_time() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN))
    expected = [
        (utc(2026, 10, 22, 8), 14),  # BST: 09:00 London is 08:00 UTC
        (utc(2026, 10, 29, 9), 7),  # GMT from 25 October
        (utc(2026, 11, 3, 9), 2),
        (utc(2026, 11, 5, 9), 0),
    ]
    for at, offset in expected:
        before = of(due_notices(b.state, at - ONE_SECOND), "mediation_contact")
        now = of(due_notices(b.state, at), "mediation_contact")
        assert [n.days_before for n in now] == [offset]
        assert all(n.days_before != offset for n in before)
        b.send(now, at)
    # all four went out: the clock has nothing more for this parent deadline
    sent = b.run_clock(noon(AUTUMN), utc(2026, 11, 30))
    assert [n.key for _, n in sent if n.deadline.key == "mediation_contact"] == []
    assert len([n for _, n in sent if n.deadline.key == "appeal"]) == 4


def test_reminders_at_nine_london_across_the_start_of_summer_time() -> None:
    # 2 months from Friday 5 February 2027 is Monday 5 April 2027; BST starts 28 March 2027.
    b = CaseBuilder(make_case(decision_date=date(2027, 2, 5)))
    sent = b.run_clock(noon(date(2027, 2, 5)), utc(2027, 4, 6))
    times = [(at, n.days_before) for at, n in sent if n.deadline.key == "mediation_contact"]
    assert times == [
        (utc(2027, 3, 22, 9), 14),
        (utc(2027, 3, 29, 8), 7),
        (utc(2027, 4, 3, 8), 2),
        (utc(2027, 4, 5, 8), 0),
    ]


def test_a_full_run_of_parent_reminders_by_the_clock() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN, second_contact=SECOND))
    sent = b.run_clock(noon(AUTUMN), utc(2026, 12, 31))
    assert Counter((n.deadline.key, n.days_before, n.role) for _, n in sent) == Counter(
        {
            (key, offset, role): 1
            for key in ("mediation_contact", "appeal")
            for offset in (14, 7, 2, 0)
            for role in (Role.parent, Role.second_contact)
        }
    )
    # missed parent deadlines neither escalate nor send late notices
    assert {n.kind for _, n in sent} == {NoticeKind.reminder}
    assert b.status("appeal") == "missed"


def test_custom_policy_hour_and_offsets() -> None:
    policy = ReminderPolicy(at=time(17, 0), offsets=[3, 1], send_manager=MANAGER)
    b = CaseBuilder(make_case(decision_date=AUTUMN), policy=policy)
    sent = b.run_clock(noon(AUTUMN), utc(2026, 11, 6))
    assert [(at, n.days_before) for at, n in sent if n.deadline.key == "appeal"] == [
        (utc(2026, 11, 2, 17), 3),
        (utc(2026, 11, 4, 17), 1),
    ]


def test_after_an_outage_only_the_latest_due_reminder_goes() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN))
    # the 14- and 7-day reminders have both passed, nothing was sent
    late = utc(2026, 10, 30, 12)
    due = due_notices(b.state, late)
    assert sorted((n.deadline.key, n.days_before) for n in due) == [
        ("appeal", 7),
        ("mediation_contact", 7),
    ]
    b.send(due, late)
    assert due_notices(b.state, late + timedelta(hours=1)) == []
    # the skipped 14-day reminders never come back
    assert all(n.days_before != 14 for n in due_notices(b.state, utc(2026, 11, 5, 12)))


def test_on_the_due_day_after_an_outage_only_the_due_day_reminder() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN))
    due = due_notices(b.state, utc(2026, 11, 5, 16))
    assert {n.days_before for n in due} == {0}
    assert len(due) == 2


def test_no_reminder_whose_time_passed_before_the_deadline_existed() -> None:
    # Registered at noon on Wednesday 25 November 2026 with a response due Wednesday
    # 2 December: the 14-day (18 Nov) and 7-day (25 Nov, 09:00) reminders were already past.
    b = CaseBuilder()
    appealed(b, date(2026, 11, 25), response_due="2026-12-02")
    assert b.state.deadlines["appeal_response"].created_at == utc(2026, 11, 25, 12)
    assert of(due_notices(b.state, utc(2026, 11, 25, 12)), "appeal_response") == []
    sent = b.run_clock(utc(2026, 11, 25, 12), utc(2026, 12, 2, 23))
    response = [(at, n.days_before) for at, n in sent if n.deadline.key == "appeal_response"]
    assert response == [(utc(2026, 11, 30, 9), 2), (utc(2026, 12, 2, 9), 0)]


def test_a_deadline_created_on_its_due_day_after_nine_gets_no_reminder() -> None:
    b = CaseBuilder()
    b.add("way_forward_meeting_scheduled", date(2026, 10, 7), meeting_date="2026-10-07")
    assert due_notices(b.state, noon(date(2026, 10, 7))) == []
    sent = b.run_clock(noon(date(2026, 10, 7)), utc(2026, 10, 9))
    assert [n for _, n in sent if n.deadline.key == "way_forward_meeting"] == []
    assert b.status("way_forward_meeting") == "met"


# ----- no reminder for a closed deadline -----------------------------------------------------


def test_no_reminder_for_met_deadlines() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN))
    b.add("mediation_adviser_contacted", date(2026, 9, 10))
    sent = b.run_clock(noon(date(2026, 9, 10)), utc(2026, 11, 30))
    assert {n.deadline.key for _, n in sent} == {"appeal"}


def test_no_reminder_or_escalation_for_excepted_or_cancelled_deadlines() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.add(
        "appeal_unopposed", date(2026, 10, 26), concessions=["amend_provision", "amend_placement"]
    )
    b.add(
        "exception_recorded",
        date(2026, 10, 27),
        deadline_key="order:1:amended_plan",
        reason="away_from_area",
    )
    assert b.status("appeal_response") == "cancelled"
    sent = b.run_clock(noon(date(2026, 10, 27)), utc(2027, 2, 1))
    deadlines = {n.deadline.key for _, n in sent}
    assert "appeal_response" not in deadlines
    assert "order:1:amended_plan" not in deadlines
    assert "order:2:amended_plan" in deadlines  # the control: it still reminds and escalates


def test_meeting_the_obligation_stops_the_remaining_reminders() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.run_clock(noon(date(2026, 10, 20)), utc(2026, 11, 17, 12))  # 14 days before: sent
    b.add("obligation_met", date(2026, 11, 17), deadline_key="appeal_response")
    sent = b.run_clock(noon(date(2026, 11, 17)), utc(2027, 1, 31))
    assert [n for _, n in sent if n.deadline.key == "appeal_response"] == []
    assert [r.key for r in b.state.notices if r.deadline_key == "appeal_response"] == [
        f"{REF}/appeal_response@2026-12-01/reminder/14/caseworker"
    ]


# ----- recipients ----------------------------------------------------------------------------


def test_parent_deadlines_remind_the_parent_and_second_contact() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN, second_contact=SECOND))
    due = of(due_notices(b.state, utc(2026, 10, 22, 8)), "appeal")
    assert [(n.role, n.to) for n in due] == [(Role.parent, PARENT), (Role.second_contact, SECOND)]
    assert all(n.kind == NoticeKind.reminder and n.days_before == 14 for n in due)
    assert all(n.case_ref == REF and n.council == "rutland" for n in due)


def test_council_deadlines_remind_the_caseworker_only() -> None:
    b = CaseBuilder(make_case(second_contact=SECOND))
    appealed(b, date(2026, 10, 20))
    due = of(due_notices(b.state, utc(2026, 11, 17, 9)), "appeal_response")
    assert [(n.role, n.to) for n in due] == [(Role.caseworker, CASEWORKER)]


def test_the_mediation_advisers_deadline_reminds_the_caseworker() -> None:
    b = CaseBuilder()
    b.add("mediation_declined", date(2026, 11, 24))
    due = of(due_notices(b.state, utc(2026, 11, 25, 9)), "mediation_certificate")
    assert [(n.role, n.days_before) for n in due] == [(Role.caseworker, 2)]


def test_meetings_remind_the_family_and_the_caseworker() -> None:
    b = CaseBuilder(make_case(second_contact=SECOND))
    b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date="2026-10-20")
    due = of(due_notices(b.state, utc(2026, 10, 6, 8)), "way_forward_meeting")
    assert [n.role for n in due] == [Role.parent, Role.second_contact, Role.caseworker]


def of_prefix(notices: list[Notification], prefix: str) -> list[Notification]:
    return [n for n in notices if n.deadline and n.deadline.key.startswith(prefix)]


def decided(b: CaseBuilder, recommendations: list[dict]) -> None:
    appealed(b, date(2026, 10, 20), health_included=True, social_care_included=True)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", recommendations=recommendations)


def test_health_recommendations_go_to_the_named_contact_and_the_caseworker() -> None:
    named = Contact(name="Nia Named", email="nia.named@icb.example.nhs.uk")
    b = CaseBuilder(make_case(health_contact=HEALTH))
    decided(
        b,
        [
            {"addressed_to": "health", "summary": "a"},
            {"addressed_to": "health", "summary": "b", "contact": named.model_dump()},
            {"addressed_to": "social_care", "summary": "c"},
            {"addressed_to": "social_care", "summary": "d", "contact": named.model_dump()},
        ],
    )
    due = due_notices(b.state, utc(2027, 3, 22, 9))  # 14 days before Monday 5 April 2027
    who: dict[str, list[tuple[Role, str]]] = {}
    for n in of_prefix(due, "recommendation_response:"):
        who.setdefault(n.deadline.key, []).append((n.role, n.to.email))
    assert who == {
        "recommendation_response:1": [
            (Role.health, HEALTH.email),
            (Role.caseworker, CASEWORKER.email),
        ],
        "recommendation_response:2": [
            (Role.health, named.email),
            (Role.caseworker, CASEWORKER.email),
        ],
        "recommendation_response:3": [(Role.caseworker, CASEWORKER.email)],
        "recommendation_response:4": [
            (Role.social_care, named.email),
            (Role.caseworker, CASEWORKER.email),
        ],
    }


def test_a_health_recommendation_without_any_health_contact_reminds_the_caseworker() -> None:
    b = CaseBuilder()
    decided(b, [{"addressed_to": "health", "summary": "a"}])
    due = of_prefix(due_notices(b.state, utc(2027, 3, 22, 9)), "recommendation_response:")
    assert [(n.deadline.key, n.role) for n in due] == [
        ("recommendation_response:1", Role.caseworker)
    ]


# ----- escalations ---------------------------------------------------------------------------


def test_a_missed_council_deadline_escalates_then_weekly_and_tells_the_parent_once() -> None:
    b = CaseBuilder(make_case(second_contact=SECOND))
    appealed(b, date(2026, 10, 20))
    response = b.state.deadlines["appeal_response"]
    assert (response.due, response.escalate_from) == (date(2026, 12, 1), date(2026, 12, 2))
    sent = b.run_clock(noon(date(2026, 10, 20)), utc(2026, 12, 23))
    late = [(at, n) for at, n in sent if n.kind != NoticeKind.reminder]
    first, second, third = utc(2026, 12, 2, 9), utc(2026, 12, 9, 9), utc(2026, 12, 16, 9)
    assert second - first == timedelta(days=7) == third - second
    assert [(at, n.kind, n.escalation, n.role) for at, n in late] == [
        (first, NoticeKind.escalation, 1, Role.caseworker),
        (first, NoticeKind.escalation, 1, Role.send_manager),
        (first, NoticeKind.late_notice, None, Role.parent),
        (first, NoticeKind.late_notice, None, Role.second_contact),
        (second, NoticeKind.escalation, 2, Role.caseworker),
        (second, NoticeKind.escalation, 2, Role.send_manager),
        (third, NoticeKind.escalation, 3, Role.caseworker),
        (third, NoticeKind.escalation, 3, Role.send_manager),
    ]
    assert all(n.to == MANAGER for _, n in late if n.role == Role.send_manager)
    assert b.status("appeal_response") == "missed"


def test_escalation_goes_to_the_cases_own_send_manager_when_set() -> None:
    own = Contact(name="Olu Own", email="olu.own@rutland.gov.uk")
    b = CaseBuilder(make_case(send_manager=own))
    appealed(b, date(2026, 10, 20))
    b.refresh(date(2026, 12, 2))
    due = due_notices(b.state, utc(2026, 12, 2, 9))
    assert [n.to for n in due if n.role == Role.send_manager] == [own]


def test_escalation_waits_for_the_first_working_day_after_the_due_date() -> None:
    # The tribunal set Thursday 24 December 2026: Christmas Day and Boxing Day (observed on
    # Monday 28 December) are not working days, so the first escalation is Tuesday 29th.
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20), response_due="2026-12-24")
    assert b.state.deadlines["appeal_response"].escalate_from == date(2026, 12, 29)
    sent = b.run_clock(noon(date(2026, 10, 20)), utc(2027, 1, 6))
    escalations = [(at, n.escalation) for at, n in sent if n.kind == NoticeKind.escalation]
    assert escalations == [(utc(2026, 12, 29, 9), 1)] * 2 + [(utc(2027, 1, 5, 9), 2)] * 2


def test_weekly_escalations_stay_at_nine_london_across_a_clock_change() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 5), response_due="2026-10-20")
    sent = b.run_clock(noon(date(2026, 10, 5)), utc(2026, 11, 5))
    times = sorted({at for at, n in sent if n.kind == NoticeKind.escalation})
    assert times == [utc(2026, 10, 21, 8), utc(2026, 10, 28, 9), utc(2026, 11, 4, 9)]
    assert {(london_date(t), (t + london_offset(t)).hour) for t in times} == {
        (date(2026, 10, 21), 9),
        (date(2026, 10, 28), 9),
        (date(2026, 11, 4), 9),
    }


def test_after_an_outage_only_the_latest_escalation_goes() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.refresh(date(2026, 12, 20))
    due = due_notices(b.state, utc(2026, 12, 20, 12))
    assert sorted((n.kind, n.escalation, n.role) for n in due) == [
        (NoticeKind.escalation, 3, Role.caseworker),
        (NoticeKind.escalation, 3, Role.send_manager),
        (NoticeKind.late_notice, None, Role.parent),
    ]


def test_escalations_stop_when_the_duty_is_met_or_excepted() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.add("appeal_unopposed", date(2026, 10, 26), concessions=["amend_provision"])
    sent = b.run_clock(noon(date(2026, 10, 26)), utc(2026, 12, 8, 12))  # due Monday 30 Nov
    assert b.status("order:1:amended_plan") == "missed"
    assert [(at, n.escalation) for at, n in sent if n.kind == NoticeKind.escalation] == [
        (utc(2026, 12, 1, 9), 1),
        (utc(2026, 12, 1, 9), 1),
        (utc(2026, 12, 8, 9), 2),
        (utc(2026, 12, 8, 9), 2),
    ]
    assert next_wakeup(b.state, utc(2026, 12, 8, 12)) == utc(2026, 12, 15, 9)
    b.add("obligation_met", date(2026, 12, 8), deadline_key="order:1:amended_plan")
    assert b.status("order:1:amended_plan") == "met_late"
    sent = b.run_clock(noon(date(2026, 12, 8)), utc(2027, 3, 1))
    assert [n for _, n in sent if n.deadline.key == "order:1:amended_plan"] == []


def test_a_withdrawn_appeal_stops_the_chasing_of_its_response() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.run_clock(noon(date(2026, 10, 20)), utc(2026, 12, 3, 12))
    assert any(r.kind == NoticeKind.escalation for r in b.state.notices)
    b.add("appeal_withdrawn", date(2026, 12, 3))
    sent = b.run_clock(noon(date(2026, 12, 3)), utc(2027, 3, 1))
    assert [n for _, n in sent if n.deadline.key == "appeal_response"] == []


def test_a_missed_health_recommendation_escalates_and_tells_the_parent() -> None:
    b = CaseBuilder(make_case(health_contact=HEALTH))
    decided(b, [{"addressed_to": "health", "summary": "a"}])
    b.refresh(date(2027, 4, 6))
    due = due_notices(b.state, utc(2027, 4, 6, 8))  # BST: 09:00 London
    assert sorted((n.kind, n.role) for n in due) == [
        (NoticeKind.escalation, Role.caseworker),
        (NoticeKind.escalation, Role.send_manager),
        (NoticeKind.late_notice, Role.parent),
    ]


def test_the_mediation_advisers_missed_deadline_does_not_escalate() -> None:
    b = CaseBuilder()
    b.add("mediation_declined", date(2026, 10, 5))
    sent = b.run_clock(noon(date(2026, 10, 5)), utc(2026, 11, 1))
    assert b.status("mediation_certificate") == "missed"
    assert {n.kind for _, n in sent if n.deadline.key == "mediation_certificate"} == {
        NoticeKind.reminder
    }


# ----- keys and wake-ups ---------------------------------------------------------------------


def test_keys_are_stable_readable_and_unique() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN, second_contact=SECOND))
    at = utc(2026, 10, 22, 8)
    first, again = due_notices(b.state, at), due_notices(b.state, at)
    assert keys(first) == keys(again)
    assert keys(first) == [
        f"{REF}/appeal@2026-11-05/reminder/14/parent",
        f"{REF}/appeal@2026-11-05/reminder/14/second_contact",
        f"{REF}/mediation_contact@2026-11-05/reminder/14/parent",
        f"{REF}/mediation_contact@2026-11-05/reminder/14/second_contact",
    ]
    b.send(first, at)
    assert due_notices(b.state, at) == []  # a sent key is never due again


def test_escalation_and_late_notice_keys() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.refresh(date(2026, 12, 2))
    assert keys(due_notices(b.state, utc(2026, 12, 2, 9))) == [
        f"{REF}/appeal_response@2026-12-01/escalation/1/caseworker",
        f"{REF}/appeal_response@2026-12-01/escalation/1/send_manager",
        f"{REF}/appeal_response@2026-12-01/late_notice/parent",
    ]


def test_every_key_sent_over_a_whole_case_is_unique() -> None:
    b = CaseBuilder(make_case(second_contact=SECOND, health_contact=HEALTH))
    b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date="2026-10-20")
    appealed(b, date(2026, 10, 20), health_included=True)
    b.add("hearing_listed", date(2026, 11, 2), hearing_date="2027-03-01")
    b.run_clock(noon(date(2026, 10, 2)), utc(2027, 3, 1, 12))
    b.add(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="allowed",
        orders=["amend_provision", "amend_placement"],
        recommendations=[{"addressed_to": "health", "summary": "a"}],
    )
    b.run_clock(noon(date(2027, 3, 1)), utc(2027, 6, 1))
    sent = [r.key for r in b.state.notices]
    assert len(sent) == len(set(sent)) > 40
    assert {r.kind for r in b.state.notices} == {"reminder", "escalation", "late_notice"}


def test_a_moved_deadline_is_reminded_again_for_its_new_date() -> None:
    # The certificate moves the appeal from 1 December 2026 to 4 January 2027 after the
    # 14-, 7- and 2-day reminders for 1 December went out: the family must still be reminded
    # 14, 7 and 2 days before 4 January.
    b = CaseBuilder()
    b.run_clock(noon(date(2026, 10, 1)), noon(date(2026, 11, 24)))
    b.add("mediation_declined", date(2026, 11, 24))
    b.run_clock(noon(date(2026, 11, 24)), noon(date(2026, 11, 29)))
    b.add("mediation_certificate_issued", date(2026, 11, 29), certificate_kind="information_only")
    assert b.due("appeal") == date(2027, 1, 4)
    sent = b.run_clock(noon(date(2026, 11, 29)), utc(2027, 1, 10))
    assert [(at, n.days_before) for at, n in sent if n.deadline.key == "appeal"] == [
        (utc(2026, 12, 21, 9), 14),
        (utc(2026, 12, 28, 9), 7),
        (utc(2027, 1, 2, 9), 2),
        (utc(2027, 1, 4, 9), 0),
    ]
    sent_keys = [r.key for r in b.state.notices]
    assert len(sent_keys) == len(set(sent_keys))


def test_a_second_meeting_gets_its_own_reminders() -> None:
    b = CaseBuilder()
    b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date="2026-10-20")
    b.run_clock(noon(date(2026, 10, 2)), noon(date(2026, 10, 20)))
    b.add("way_forward_meeting_held", date(2026, 10, 20), outcome="not_resolved")
    b.add("way_forward_meeting_scheduled", date(2026, 10, 21), meeting_date="2026-11-20")
    sent = b.run_clock(noon(date(2026, 10, 21)), utc(2026, 11, 21))
    meeting = sorted(
        (n.days_before, n.role) for _, n in sent if n.deadline.key == "way_forward_meeting"
    )
    assert meeting == sorted(
        (offset, role) for offset in (14, 7, 2, 0) for role in (Role.parent, Role.caseworker)
    )


def test_next_wakeup_is_the_earliest_future_moment() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN))
    start = noon(AUTUMN)
    assert next_wakeup(b.state, start) == utc(2026, 10, 22, 8)
    # exactly at a reminder time: the next one after it
    assert next_wakeup(b.state, utc(2026, 10, 22, 8)) == utc(2026, 10, 29, 9)
    # after the due-day reminder: the start of the next London day, when it becomes missed
    assert next_wakeup(b.state, utc(2026, 11, 5, 10)) == utc(2026, 11, 6, 0)


def test_next_wakeup_for_a_midnight_in_summer_time() -> None:
    b = CaseBuilder()
    b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date="2026-10-09")
    b.add("mediation_adviser_contacted", date(2026, 10, 2))  # only the meeting and appeal left
    assert next_wakeup(b.state, utc(2026, 10, 9, 10)) == utc(2026, 10, 9, 23)  # 00:00 BST


def test_next_wakeup_follows_the_escalations() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.refresh(date(2026, 12, 2))
    assert next_wakeup(b.state, utc(2026, 12, 2, 1)) == utc(2026, 12, 2, 9)
    assert next_wakeup(b.state, utc(2026, 12, 2, 9)) == utc(2026, 12, 9, 9)
    assert next_wakeup(b.state, utc(2027, 2, 1, 12)) == utc(2027, 2, 3, 9)  # a Wednesday


def test_next_wakeup_is_none_when_every_deadline_is_settled() -> None:
    b = CaseBuilder()
    b.add("mediation_adviser_contacted", date(2026, 10, 2))
    b.add("case_closed", date(2026, 10, 2), reason="resolved_by_agreement")
    assert next_wakeup(b.state, noon(date(2026, 10, 2))) is None
    assert due_notices(b.state, utc(2026, 12, 1, 9)) == []


@settings(max_examples=60, deadline=None)
@given(decision=st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)))
def test_every_reminder_is_sent_once_at_nine_london(decision: date) -> None:
    b = CaseBuilder(make_case(decision_date=decision, second_contact=SECOND))
    sent = b.run_clock(noon(decision), noon(decision + timedelta(days=100)))
    for at, n in sent:
        assert n.kind == NoticeKind.reminder
        assert at == london_to_utc(n.deadline.due - timedelta(days=n.days_before), 9)
    expected = {
        (key, offset, role)
        for key in ("mediation_contact", "appeal")
        for offset in (14, 7, 2, 0)
        for role in (Role.parent, Role.second_contact)
    }
    got = [(n.deadline.key, n.days_before, n.role) for _, n in sent]
    assert sorted(got) == sorted(expected)


@settings(max_examples=40, deadline=None)
@given(
    due=st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)),
    weeks=st.integers(1, 6),
)
def test_escalations_are_weekly_from_the_first_working_day_after(due: date, weeks: int) -> None:
    registered = due - timedelta(days=20)
    b = CaseBuilder(make_case(decision_date=registered - timedelta(days=10)))
    b.add("mediation_adviser_contacted", registered - timedelta(days=2))
    b.add("mediation_certificate_issued", registered, certificate_kind="information_only")
    b.add(
        "appeal_registered",
        registered,
        tribunal_ref="EH123/26/00042",
        response_due=due.isoformat(),
    )
    deadline = b.state.deadlines["appeal_response"]
    start = deadline.escalate_from
    sent = b.run_clock(noon(registered), london_to_utc(start + timedelta(weeks=weeks - 1), 10))
    escalations = [(at, n.escalation) for at, n in sent if n.kind == NoticeKind.escalation]
    assert escalations == [
        (london_to_utc(start + timedelta(weeks=n - 1), 9), n)
        for n in range(1, weeks + 1)
        for _ in range(2)
    ]
    assert sum(n.kind == NoticeKind.late_notice for _, n in sent) == 1


# ----- closure -------------------------------------------------------------------------------


def test_closure_notices_go_to_the_family_and_the_caseworker() -> None:
    b = CaseBuilder(make_case(second_contact=SECOND))
    b.add("case_closed", date(2026, 10, 5), reason="resolved_by_agreement")
    notices = closure_notices(b.state)
    assert [(n.role, n.to, n.kind) for n in notices] == [
        (Role.parent, PARENT, NoticeKind.case_closed),
        (Role.second_contact, SECOND, NoticeKind.case_closed),
        (Role.caseworker, CASEWORKER, NoticeKind.case_closed),
    ]
    assert [n.key for n in notices] == [
        f"{REF}/case/case_closed/parent",
        f"{REF}/case/case_closed/second_contact",
        f"{REF}/case/case_closed/caseworker",
    ]
    assert {n.closed_reason for n in notices} == {"resolved_by_agreement"}
    assert all(n.deadline is None for n in notices)


# ----- rendering -----------------------------------------------------------------------------

COUNCIL = CouncilInfo()
SOCIAL = Contact(name="Sol Social", email="sol.social@rutland.gov.uk")
PERSONAL = [
    SOCIAL.name,
    SOCIAL.email,
    PARENT.name,
    PARENT.email,
    SECOND.name,
    SECOND.email,
    CASEWORKER.name,
    CASEWORKER.email,
    HEALTH.name,
    HEALTH.email,
    MANAGER.name,
    MANAGER.email,
    "Alex",
    "Parent",
]


def rich_case_notices() -> list[Notification]:
    """One notification of every kind, deadline and recipient a busy case produces."""
    b = CaseBuilder(make_case(second_contact=SECOND, health_contact=HEALTH))
    b.add("way_forward_meeting_scheduled", date(2026, 10, 2), meeting_date="2026-10-20")
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    b.add("mediation_scheduled", date(2026, 10, 6), mediation_date="2026-10-20")
    b.add(
        "mediation_held",
        date(2026, 10, 20),
        outcome="partial_agreement",
        agreed_actions=[{"summary": "x", "order": "make_plan"}, {"summary": "y", "by": "health"}],
        council_party=False,
    )
    b.add(
        "mediation_certificate_issued", date(2026, 10, 21), certificate_kind="mediation_completed"
    )
    b.add(
        "appeal_registered",
        date(2026, 10, 22),
        tribunal_ref="EH1/26/2",
        health_included=True,
        social_care_included=True,
    )
    b.add("hearing_listed", date(2026, 11, 2), hearing_date="2027-03-01")
    b.add(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="partly_allowed",
        orders=["amend_provision"],
        recommendations=[
            {"addressed_to": "health", "summary": "Therapy"},
            {"addressed_to": "social_care", "summary": "Therapy", "contact": SOCIAL.model_dump()},
        ],
    )
    b.add("recommendation_response_sent", date(2027, 3, 1), recommendation=2, followed=False,
          reasons="There are no places this term.")  # fmt: skip
    told = told_notices(b.state)  # the parents are told of the reply
    notices: list[Notification] = []
    for deadline in b.state.deadlines.values():
        deadline.status = DeadlineStatus.pending  # every deadline, reminded and escalated
        deadline.created_at = utc(2020, 1, 1)
        notices += due_notices(b.state, london_to_utc(deadline.due, 9))
        if deadline.escalate_from:
            deadline.status = DeadlineStatus.missed
            notices += due_notices(b.state, london_to_utc(deadline.escalate_from, 9))
        deadline.status = DeadlineStatus.met
    bounced = notices[0]
    failure = DeliveryFailure(
        key=bounced.key,
        deadline_key=bounced.deadline.key if bounced.deadline else None,
        kind=bounced.kind,
        role=bounced.role,
        failed_at=utc(2026, 10, 3),
        status_code=400,
        reason="The to email does not contain a valid address.",
    )
    notices += failure_alerts(b.state, failure) + told
    b.add("case_closed", date(2027, 3, 2), reason="withdrawn")
    return notices + closure_notices(b.state)


def test_failure_alerts_go_to_staff_through_the_fallback_channel() -> None:
    alerts = [n for n in RICH if n.kind == NoticeKind.delivery_failure]
    assert sorted(n.role for n in alerts) == ["caseworker", "send_manager"]
    assert all(n.fallback and n.failure is not None for n in alerts)
    text = render(alerts[0], COUNCIL).text
    assert "could not deliver" in text
    assert "does not contain a valid address" in text


RICH = rich_case_notices()


def test_the_rich_case_covers_every_kind_role_and_deadline_key() -> None:
    assert {n.kind for n in RICH} == set(NoticeKind)
    assert {n.role for n in RICH} == set(Role)
    prefixes = {n.deadline.key.split(":")[0] for n in RICH if n.deadline}
    assert prefixes == set(WHAT_TO_DO) | set(PARENT_REMINDERS)


@pytest.mark.parametrize("n", RICH, ids=lambda n: n.key.removeprefix(f"{REF}/"))
def test_render_fills_every_placeholder_and_names_the_date(n: Notification) -> None:
    email = render(n, COUNCIL)
    for part in (email.subject, email.text):
        assert "{" not in part and "}" not in part
    assert not re.search(r"\{\w*\}", email.html)  # the HTML's <style> has CSS braces
    assert email.text.startswith(f"RUTLAND COUNTY COUNCIL\n\nDear {n.to.name},")
    assert "\n\nRutland County Council SEND team\n\n---\n\n" in email.text
    if n.deadline is not None:
        when = format_long_date(n.deadline.due)
        assert re.fullmatch(
            r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d{1,2} [A-Z][a-z]+ \d{4}", when
        )
        assert when in email.text
        if n.role not in (Role.parent, Role.second_contact):
            assert n.deadline.title in email.text  # parents get plain words, not titles
    for secret in PERSONAL:
        assert secret not in email.subject
    assert REF in email.subject
    assert "Therapy" not in email.text + email.subject  # no health detail


PARENT_NOTICES = [n for n in RICH if n.role in (Role.parent, Role.second_contact)]
STAFF_NOTICES = [n for n in RICH if n not in PARENT_NOTICES and n.deadline is not None]


def test_parent_emails_say_where_to_get_help_and_staff_emails_the_basis() -> None:
    assert PARENT_NOTICES and STAFF_NOTICES
    for n in PARENT_NOTICES:
        text = render(n, COUNCIL).text
        assert "Get help" in text
        assert COUNCIL.ipsea_url in text and COUNCIL.local_offer_url in text
        assert "Legal basis" not in text
    for n in STAFF_NOTICES:
        text = render(n, COUNCIL).text
        assert f"Legal basis: {reader_basis(n.deadline.basis)}." in text
        assert "Get help" not in text


def test_reminder_wording() -> None:
    b = CaseBuilder(make_case(decision_date=AUTUMN))
    today = render(of(due_notices(b.state, utc(2026, 11, 5, 9)), "appeal")[0], COUNCIL)
    assert today.subject == (
        f"Your appeal must reach the SEND Tribunal by Thursday 5 November 2026 (case {REF})"
    )
    assert "by Thursday 5 November 2026. That is today." in today.text
    assert "before 5pm" in today.text
    early = render(of(due_notices(b.state, utc(2026, 10, 22, 8)), "appeal")[0], COUNCIL)
    assert "by Thursday 5 November 2026. That is in 14 days." in early.text


def test_escalation_and_late_notice_wording() -> None:
    b = CaseBuilder()
    appealed(b, date(2026, 10, 20))
    b.refresh(date(2026, 12, 2))
    due = {n.kind: n for n in due_notices(b.state, utc(2026, 12, 2, 9))}
    escalation = render(due[NoticeKind.escalation], COUNCIL)
    assert escalation.subject.startswith("Overdue: Council sends the tribunal its response")
    assert escalation.subject.endswith(f"(case {REF}, escalation 1)")
    assert "Tuesday 1 December 2026" in escalation.subject
    assert "This is escalation 1." in escalation.text
    assert "HESC Rules r.21" in escalation.text
    late = render(due[NoticeKind.late_notice], COUNCIL)
    assert late.subject == (
        "The council is late: they had to send the SEND Tribunal its answer to your appeal "
        f"by Tuesday 1 December 2026 (case {REF})"
    )
    assert "answer to your appeal by Tuesday 1 December 2026." in late.text


@pytest.mark.parametrize("reason", sorted(CLOSED_REASONS))
def test_closure_email_gives_the_reason(reason: str) -> None:
    b = CaseBuilder()
    b.state.closed_reason = reason
    (parent, _caseworker) = closure_notices(b.state)
    email = render(parent, COUNCIL)
    assert email.subject == f"Your SEND case is closed (case {REF})"
    assert CLOSED_REASONS[reason] in email.text
    assert "{" not in email.text


def test_html_is_escaped() -> None:
    b = CaseBuilder()
    b.state.case = make_case(parent=Contact(name="A <b>&", email="a@example.com"))
    parent, _caseworker = closure_notices(b.state)
    email = render(parent, COUNCIL)
    assert "A &lt;b&gt;&amp;" in email.html and "<b>&" not in email.html


def test_notifications_round_trip_for_the_activity() -> None:
    for n in RICH:
        assert Notification.model_validate_json(n.model_dump_json()) == n
