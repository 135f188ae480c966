"""The later routes end to end on the time-skipping server: an appeal against a refusal to
re-assess, a late concession ending in a consent order, challenging the tribunal's decision
(set aside, permission to appeal, suspension) and the mediation booking and reg 42(4) notice.

Events may be dated in the past (on or after the decision), so each scenario puts its key
dates around 25 December-1 January, August or a bank holiday of an earlier year."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.worker import Replayer

from ehcp.calendar import WorkingDayCalendar
from ehcp.payloads import CaseStatus
from tests.workflow.harness import Harness, harness, make_case
from workflows.disagreement import DisagreementWorkflow

CAL = WorkingDayCalendar()


def statuses(status: CaseStatus) -> dict[str, str]:
    return {d.key: d.status.value for d in status.deadlines}


def due(status: CaseStatus) -> dict[str, date]:
    return {d.key: d.due for d in status.deadlines}


async def refused(h: Harness, handle, kind: str, **fields) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as error:
        await h.event(handle, kind, **fields)
    return str(error.value.cause)


async def replays(h: Harness, handle) -> None:
    """The history just written replays on the same code (patch marker, refused updates and
    all): a running case of this kind survives a worker restart."""
    history = await handle.fetch_history()
    replayer = Replayer(
        workflows=[DisagreementWorkflow], data_converter=h.env.client.data_converter
    )
    await replayer.replay_workflow(history)


async def appealed(h: Harness, ref: str, decision_type: str, decided: date, **appeal):
    """A case whose decision letter went out on `decided`, with a certificate and a registered
    appeal a week and a fortnight later."""
    handle = await h.start(make_case(ref, decision_type, decided))
    await h.event(handle, "mediation_declined", date=decided + timedelta(days=3))
    await h.event(
        handle,
        "mediation_certificate_issued",
        date=decided + timedelta(days=7),
        certificate_kind="information_only",
    )
    await h.event(
        handle,
        "appeal_registered",
        date=decided + timedelta(days=14),
        tribunal_ref="EH777/27/00001",
        **appeal,
    )
    return handle


async def test_refusal_to_reassess_gets_orders_recommendations_and_challenge_clocks(
    time_env, tmp_path
):
    async with harness(time_env, tmp_path) as h:
        year = (await h.today()).year - 1
        handle = await appealed(
            h, "RUT-LAW-1", "refusal_to_reassess", date(year, 9, 1), health_included=True
        )
        # Decided Thursday 10 December: the r.45/r.46 28 days leave 25 Dec-1 Jan out.
        decided = date(year, 12, 10)
        receipt = await h.event(
            handle,
            "tribunal_decision",
            date=decided,
            outcome="partly_allowed",
            orders=["assess"],
            recommendations=[{"addressed_to": "health", "summary": "Review therapy"}],
        )
        got = {d.key: d for d in receipt.deadlines}
        assert got["order:1:notify_assessment"].due == decided + timedelta(weeks=2)
        assert got["order:1:notify_assessment"].basis == "SEND Regs reg 44(2)(b)"
        assert got["recommendation_response:1"].confirmed is False  # reg 6's start date
        expected = CAL.on_or_after(decided + timedelta(days=28 + 8))
        for party in ("parent", "council"):  # partly allowed: either may challenge
            for right in ("set_aside_application", "permission_to_appeal"):
                spec = got[f"{right}:{party}"]
                assert spec.due == expected, (right, party)
                assert spec.party == party and spec.escalate_from is None
                assert "r.12(3)(b)" in spec.basis and "8 days were left out" in spec.note
        assert got["set_aside_application:parent"].confirmed is False  # r.45 text not read


async def test_set_aside_cancels_the_order_clocks_and_a_fresh_decision_starts_new_ones(
    time_env, tmp_path
):
    async with harness(time_env, tmp_path) as h:
        year = (await h.today()).year - 1
        handle = await appealed(h, "RUT-LAW-2", "plan_content", date(year, 3, 1))
        first = date(year, 7, 20)  # the 28 days run over August, which does not count
        await h.event(
            handle, "tribunal_decision", date=first, outcome="allowed", orders=["amend_provision"]
        )
        status = await h.status(handle)
        assert due(status)["set_aside_application:council"] == CAL.on_or_after(date(year, 9, 17))
        await h.event(handle, "set_aside_applied", date=first + timedelta(days=5), by="council")
        set_aside = first + timedelta(days=20)
        await h.event(handle, "decision_set_aside", date=set_aside)
        status = await h.status(handle)
        assert statuses(status)["order:1:amended_plan"] == "cancelled"
        assert statuses(status)["permission_to_appeal:council"] == "cancelled"
        assert statuses(status)["set_aside_application:council"] == "met"
        fresh = set_aside + timedelta(days=30)
        receipt = await h.event(
            handle, "tribunal_decision", date=fresh, outcome="dismissed", orders=[]
        )
        keys = {d.key for d in receipt.deadlines}
        assert keys == {"set_aside_application:parent", "permission_to_appeal:parent"}
        receipt = await h.event(
            handle, "permission_to_appeal_requested", date=fresh + timedelta(days=3), by="parent"
        )
        assert receipt.flags == []
        assert statuses(await h.status(handle))["permission_to_appeal:parent"] == "met"
        await h.event(
            handle,
            "permission_to_appeal_decided",
            date=fresh + timedelta(days=20),
            by="parent",
            outcome="refused",
        )
        message = await refused(h, handle, "decision_set_aside", date=set_aside + timedelta(days=1))
        assert "before the tribunal_decision it follows" in message
        await replays(h, handle)


async def test_written_reasons_and_a_refused_set_aside_move_permission_to_appeal(
    time_env, tmp_path
):
    async with harness(time_env, tmp_path) as h:
        year = (await h.today()).year - 1
        handle = await appealed(h, "RUT-LAW-3", "cease_plan", date(year, 1, 4))
        decided = date(year, 4, 1)
        await h.event(
            handle, "tribunal_decision", date=decided, outcome="dismissed", orders=["cease_plan"]
        )
        reasons = date(year, 4, 20)
        receipt = await h.event(handle, "written_reasons_sent", date=reasons)
        [spec] = receipt.deadlines
        assert (spec.key, spec.due) == (
            "permission_to_appeal:parent",
            CAL.on_or_after(reasons + timedelta(days=28)),
        )
        await h.event(handle, "set_aside_applied", date=decided + timedelta(days=10), by="parent")
        refused_on = date(year, 5, 20)
        receipt = await h.event(handle, "set_aside_refused", date=refused_on)
        [spec] = receipt.deadlines
        assert spec.due == CAL.on_or_after(refused_on + timedelta(days=28))
        # the order clocks ran throughout: ceasing the plan was due at once
        assert statuses(await h.status(handle))["order:1:cease"] in ("pending", "missed")


async def test_decision_suspended_excepts_the_order_clocks(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        year = (await h.today()).year - 1
        handle = await appealed(h, "RUT-LAW-4", "refusal_to_issue_plan", date(year, 2, 1))
        decided = date(year, 5, 3)  # Early May bank holiday in most years: no matter here
        await h.event(
            handle, "tribunal_decision", date=decided, outcome="allowed", orders=["make_plan"]
        )
        await h.event(
            handle, "permission_to_appeal_requested", date=decided + timedelta(1), by="council"
        )
        await h.event(handle, "decision_suspended", date=decided + timedelta(days=2))
        status = await h.status(handle)
        for key in ("order:1:draft_plan", "order:1:final_plan"):
            deadline = next(d for d in status.deadlines if d.key == key)
            assert (deadline.status, deadline.exception) == ("excepted", "decision_suspended")
        assert status.overdue is False


async def test_a_concession_after_the_response_is_a_consent_order(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        year = (await h.today()).year - 1
        handle = await appealed(h, "RUT-LAW-5", "plan_content", date(year, 10, 1))
        registered = date(year, 10, 15)
        status = await h.status(handle)
        response_due = due(status)["appeal_response"]
        await h.event(handle, "obligation_met", date=response_due, deadline_key="appeal_response")
        late = response_due + timedelta(days=3)
        message = await refused(
            h, handle, "appeal_unopposed", date=late, concessions=["amend_provision"]
        )
        assert "reg 45 covers only a concession before the response" in message
        assert "consent_order_made" in message
        order_date = date(year + 1, 1, 1) if late < date(year + 1, 1, 1) else late
        receipt = await h.event(
            handle, "consent_order_made", date=order_date, orders=["amend_provision"]
        )
        [spec] = receipt.deadlines
        assert spec.key == "order:1:amended_plan"
        assert spec.due == order_date + timedelta(weeks=5)
        assert spec.basis.startswith("HESC Rules r.29 (consent order); SEND Regs reg 44(2)")
        assert receipt.stage == "compliance"
        assert statuses(await h.status(handle))["appeal_response"] == "met"
        message = await refused(
            h, handle, "tribunal_decision", date=order_date, outcome="allowed", orders=[]
        )
        assert "needs a registered appeal" in message
        assert registered < response_due
        await replays(h, handle)


async def test_a_concession_before_the_response_keeps_reg_45(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        year = (await h.today()).year - 1
        handle = await appealed(h, "RUT-LAW-6", "refusal_to_reassess", date(year, 11, 2))
        conceded = date(year, 12, 24)
        receipt = await h.event(handle, "appeal_unopposed", date=conceded, concessions=["assess"])
        got = {d.key: d for d in receipt.deadlines}
        assert got["order:1:notify_assessment"].due == conceded + timedelta(weeks=2)
        assert got["order:1:notify_assessment"].basis.startswith("SEND Regs reg 45")


async def test_mediation_booking_and_health_only_agreement_are_reminded(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        today = await h.today()
        handle = await h.start(make_case("RUT-LAW-7", "plan_content", today))
        await h.event(handle, "mediation_requested", date=today, health_included=True)
        # a working day (mediations are not held at weekends), whatever day the server's clock
        # has reached in this session
        mediation = CAL.add_working_days(today, 15)
        receipt = await h.event(handle, "mediation_scheduled", date=today, mediation_date=mediation)
        [notice] = receipt.deadlines
        assert notice.key == "mediation_date_notice" and notice.party == "council"
        assert notice.due < mediation and CAL.add_working_days(notice.due, 5) == mediation
        assert notice.confirmed is False  # the regulation's number
        await h.skip((mediation - today).days)
        await h.event(
            handle, "obligation_met", date=notice.due, deadline_key="mediation_date_notice"
        )
        receipt = await h.event(
            handle,
            "mediation_held",
            date=mediation,
            outcome="agreement",
            council_party=False,
            agreed_actions=[{"summary": "Speech therapy review", "by": "health"}],
        )
        got = {d.key: d for d in receipt.deadlines}
        assert got["agreement_health_notice"].due == mediation + timedelta(weeks=1)
        assert got["agreement_health_notice"].basis == "SEND Regs reg 42(4)"
        # past the first working day after the due date, when a missed duty is escalated
        # (whatever weekday the shared server's clock has reached)
        escalated_by = CAL.add_working_days(got["agreement_health_notice"].due, 1)
        await h.skip((escalated_by - mediation).days + 1)
        status = await h.status(handle)
        assert statuses(status)["agreement_health_notice"] == "missed"
        assert status.overdue is True  # a health duty, escalated like the others
        escalations = [
            n for n in status.reminders_sent if n.deadline_key == "agreement_health_notice"
        ]
        assert {n.kind for n in escalations} >= {"reminder", "escalation"}
