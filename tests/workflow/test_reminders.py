"""Reminders and escalations go out at exactly the expected moments, to the right people."""

from __future__ import annotations

from datetime import timedelta

from ehcp import timescales
from ehcp.calendar import WorkingDayCalendar
from ehcp.payloads import CaseStatus
from ehcp.uktime import london_to_utc
from tests.workflow.harness import harness, make_case
from workflows import search_attributes as sa

CAL = WorkingDayCalendar()
SECOND = {"name": "Jo Carer", "email": "jo.carer@example.org"}


def sent(status: CaseStatus, deadline_key: str) -> list[tuple[str, str, object]]:
    return sorted(
        (n.kind, n.key.split("/", 3)[-1], n.sent_at.replace(second=0, microsecond=0))
        for n in status.reminders_sent
        if n.deadline_key == deadline_key
    )


async def test_parent_reminders_on_the_exact_days_at_nine_london_time(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(
            make_case("RUT-REM-1", "refusal_to_assess", d0, second_contact=SECOND)
        )
        appeal_due = timescales.appeal(d0, None, CAL).due
        await h.skip((appeal_due - d0).days + 3)
        status = await h.status(handle)
        expected = sorted(
            ("reminder", f"{offset}/{role}", london_to_utc(appeal_due - timedelta(offset), 9))
            for offset in (14, 7, 2, 0)
            for role in ("parent", "second_contact")
        )
        assert sent(status, "appeal") == expected
        assert {n.role for n in status.reminders_sent} == {"parent", "second_contact"}
        # A parent's missed appeal is shown, but is not a council duty: no escalation.
        appeal = next(d for d in status.deadlines if d.key == "appeal")
        assert appeal.status == "missed"
        assert not status.overdue
        # one email per reader per wake-up: notices sent at the same moment share one
        readers_at = {(n.role, n.message_id) for n in status.reminders_sent}
        assert len(h.outbox()) == len(readers_at)


async def test_missed_recommendation_response_escalates_then_stops_when_met(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-ESC-1", "plan_content", d0))
        await h.event(handle, "mediation_declined", date=d0)
        await h.event(
            handle, "mediation_certificate_issued", date=d0, certificate_kind="information_only"
        )
        await h.event(
            handle, "appeal_registered", date=d0, tribunal_ref="EH5/26/5", health_included=True
        )
        icb = {"name": "ICB Commissioner", "email": "commissioner@icb.example"}
        receipt = await h.event(
            handle,
            "tribunal_decision",
            date=d0,
            outcome="allowed",
            orders=[],
            recommendations=[{"addressed_to": "health", "summary": "Review", "contact": icb}],
        )
        due = receipt.deadlines[0].due
        assert receipt.deadlines[0].key == "recommendation_response:1"
        assert due == d0 + timedelta(weeks=5)
        first_escalation = CAL.next_working_day(due)
        await h.skip((first_escalation - d0).days + 8)  # past the second escalation

        status = await h.status(handle)
        rec = next(d for d in status.deadlines if d.key == "recommendation_response:1")
        assert rec.status == "missed"
        assert status.overdue
        reminders = [s for s in sent(status, rec.key) if s[0] == "reminder"]
        assert reminders == sorted(
            ("reminder", f"{offset}/{role}", london_to_utc(due - timedelta(offset), 9))
            for offset in (14, 7, 2, 0)
            for role in ("health", "caseworker")
        )
        at1 = london_to_utc(first_escalation, 9)
        at2 = london_to_utc(first_escalation + timedelta(days=7), 9)
        escalations = [s for s in sent(status, rec.key) if s[0] != "reminder"]
        assert escalations == sorted(
            [
                ("escalation", "1/caseworker", at1),
                ("escalation", "1/send_manager", at1),
                ("escalation", "2/caseworker", at2),
                ("escalation", "2/send_manager", at2),
                ("late_notice", "parent", at1),
            ]
        )

        today = await h.today()
        await h.event(
            handle,
            "recommendation_response_sent",
            date=today,
            recommendation=1,
            followed=False,
            reasons="Service not available; alternative offered",
        )
        await h.skip(21)
        status = await h.status(handle)
        rec = next(d for d in status.deadlines if d.key == "recommendation_response:1")
        assert rec.status == "met_late"
        assert not status.overdue
        after = [s for s in sent(status, rec.key) if s[0] != "reminder"]
        # no more escalations; the parent was told of the reply (issue 10, fault 7)
        assert [s for s in after if s[0] != "recommendation_response"] == escalations
        assert [s[1] for s in after if s[0] == "recommendation_response"] == ["5/parent"]
        # the overdue flag is the case records' now, not visibility's (never upserted)
        assert await h.search_attribute(handle, sa.OVERDUE.name) is None


async def test_no_reminder_for_a_deadline_met_or_excepted_before_it_falls_due(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-REM-2", "refusal_to_issue_plan", d0))
        await h.event(handle, "mediation_declined", date=d0)
        await h.event(
            handle, "mediation_certificate_issued", date=d0, certificate_kind="information_only"
        )
        await h.event(handle, "appeal_registered", date=d0, tribunal_ref="EH6/26/6")
        await h.event(handle, "appeal_unopposed", date=d0, concessions=["make_plan"])
        # draft plan due in 5 weeks, final plan in 11: meet one, except the other, early
        await h.event(handle, "obligation_met", date=d0, deadline_key="order:1:draft_plan")
        await h.event(
            handle,
            "exception_recorded",
            date=d0,
            deadline_key="order:1:final_plan",
            reason="away_from_area",
        )
        await h.skip(7 * 12)
        status = await h.status(handle)
        by_key = {d.key: d for d in status.deadlines}
        assert by_key["order:1:draft_plan"].status == "met"
        assert by_key["order:1:final_plan"].status == "excepted"
        assert by_key["order:1:final_plan"].exception == "away_from_area"
        assert sent(status, "order:1:draft_plan") == []
        assert sent(status, "order:1:final_plan") == []
        assert not status.overdue
