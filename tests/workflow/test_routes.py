"""Each route of process.md end to end, on the time-skipping server (months in seconds)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType

from ehcp.later_clocks import RIGHT_KEYS
from ehcp.payloads import CaseStatus
from ehcp.vocabulary import DecisionType
from tests.workflow.harness import harness, make_case
from workflows import search_attributes as sa


def statuses(status: CaseStatus) -> dict[str, str]:
    return {d.key: d.status.value for d in status.deadlines}


@pytest.mark.parametrize("decision_type", list(DecisionType))
async def test_each_decision_type_starts_with_its_clocks(time_env, tmp_path, decision_type):
    async with harness(time_env, tmp_path) as h:
        today = await h.today()
        ref = f"RUT-DT-{list(DecisionType).index(decision_type)}"
        handle = await h.start(make_case(ref, decision_type, today - timedelta(days=3)))
        status = await h.status(handle)
        assert status.decision_type == decision_type
        assert statuses(status) == {"mediation_contact": "pending", "appeal": "pending"}
        assert all(d.basis for d in status.deadlines)
        description = await handle.describe()
        attrs = description.typed_search_attributes
        assert attrs.get(sa.DECISION_TYPE) == decision_type.value
        assert attrs.get(sa.CASE_REF) == ref
        # started without search attributes: the case sets what identifies it, and only that
        # (stage, next deadline, overdue: the case records, patches-2026-12-in-one-marker)
        assert attrs.get(sa.COUNCIL) == "rutland"
        for key in (sa.STAGE, sa.OVERDUE, sa.NEXT_DEADLINE, sa.CASEWORKER):
            assert await h.search_attribute(handle, key.name) is None


async def test_mediation_then_appeal_then_decision_with_orders_and_recommendations(
    time_env, tmp_path
):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-ROUTE-1", "plan_content", d0))
        await h.event(handle, "mediation_requested", date=d0, health_included=True)
        status = await h.status(handle)
        assert statuses(status)["mediation_session"] == "pending"
        assert statuses(status)["icb_mediation_notice"] == "pending"
        await h.event(handle, "obligation_met", date=d0, deadline_key="icb_mediation_notice")

        await h.skip(20)
        d1 = await h.today()
        await h.event(handle, "mediation_held", date=d1, outcome="no_agreement")
        await h.event(
            handle,
            "mediation_certificate_issued",
            date=d1,
            certificate_kind="mediation_completed",
        )
        await h.skip(10)
        d2 = await h.today()
        receipt = await h.event(
            handle,
            "appeal_registered",
            date=d2,
            tribunal_ref="EH123/26/00001",
            health_included=True,
        )
        assert [d.key for d in receipt.deadlines] == ["appeal_response"]
        assert receipt.stage == "appeal"

        await h.skip(30)
        await h.event(
            handle, "obligation_met", date=await h.today(), deadline_key="appeal_response"
        )
        d3 = await h.today()
        await h.event(handle, "hearing_listed", date=d3, hearing_date=d3 + timedelta(days=40))
        await h.skip(41)
        d4 = await h.today()
        receipt = await h.event(
            handle,
            "tribunal_decision",
            date=d4,
            outcome="allowed",
            orders=["amend_provision", "amend_placement"],
            recommendations=[{"addressed_to": "health", "summary": "Review therapy"}],
        )
        assert receipt.stage == "compliance"
        keys = {d.key: d.due for d in receipt.deadlines}
        # the council lost: its rights to challenge (r.45, r.46) are tracked, never chased
        rights = {k for k in keys if k.startswith(RIGHT_KEYS)}
        assert rights == {"set_aside_application:council", "permission_to_appeal:council"}
        assert {k: v for k, v in keys.items() if k not in rights} == {
            "order:1:amended_plan": d4 + timedelta(weeks=5),
            "order:2:amended_plan": d4 + timedelta(weeks=2),
            "recommendation_response:1": d4 + timedelta(weeks=5),
        }
        await h.skip(10)
        d5 = await h.today()
        await h.event(handle, "obligation_met", date=d5, deadline_key="order:2:amended_plan")
        await h.event(handle, "obligation_met", date=d5, deadline_key="order:1:amended_plan")
        await h.event(
            handle, "recommendation_response_sent", date=d5, recommendation=1, followed=True
        )
        status = await h.status(handle)
        assert statuses(status) == {
            "mediation_contact": "met",
            "appeal": "met",
            "mediation_session": "met",
            "icb_mediation_notice": "met",
            "mediation_certificate": "met",
            "appeal_response": "met",
            "hearing": "met",
            "order:1:amended_plan": "met",
            "order:2:amended_plan": "met",
            "recommendation_response:1": "met",
            "set_aside_application:council": "pending",
            "permission_to_appeal:council": "pending",
        }
        # the council's unused rights do not hold the case open
        await h.event(handle, "case_closed", date=d5, reason="obligations_met")
        final = await handle.result()
        assert final.stage == "closed"
        closing = [n for n in final.reminders_sent if n.kind == "case_closed"]
        assert sorted(n.role for n in closing) == ["caseworker", "parent"]
        # (describe() is not used here: the Java test server stores an unset datetime
        # search attribute as a value the SDK cannot decode; the dev server is fine.)
        timeline = await h.timeline(handle)
        assert [e.seq for e in timeline.events] == list(range(1, 13))


async def test_way_forward_meeting_resolves_the_disagreement(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-ROUTE-2", "refusal_to_assess", d0))
        await h.event(handle, "way_forward_meeting_requested", date=d0)
        meeting = d0 + timedelta(days=10)
        await h.event(handle, "way_forward_meeting_scheduled", date=d0, meeting_date=meeting)
        await h.skip(10.5)
        status = await h.status(handle)
        sent = [n for n in status.reminders_sent if n.deadline_key == "way_forward_meeting"]
        # 7 and 2 days before and on the day; 14 days before had passed when it was
        # scheduled, so that one went at the next reminder time (notices-after-learned)
        assert sorted({(n.key.split("/")[3], n.role) for n in sent}) == [
            ("0", "caseworker"),
            ("0", "parent"),
            ("14", "caseworker"),
            ("14", "parent"),
            ("2", "caseworker"),
            ("2", "parent"),
            ("7", "caseworker"),
            ("7", "parent"),
        ]
        await h.event(handle, "way_forward_meeting_held", date=meeting, outcome="resolved")
        await h.event(handle, "case_closed", date=meeting, reason="resolved_by_agreement")
        final = await handle.result()
        assert final.closed_reason == "resolved_by_agreement"
        assert statuses(final) == {
            "mediation_contact": "cancelled",
            "appeal": "cancelled",
            "way_forward_meeting": "met",
        }


async def test_placement_only_appeal_needs_no_certificate(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-ROUTE-3", "amended_plan_content", d0))
        await h.skip(5)
        d1 = await h.today()
        await h.event(
            handle, "appeal_registered", date=d1, tribunal_ref="EH999/26/1", placement_only=True
        )
        receipt = await h.event(
            handle, "appeal_unopposed", date=d1, concessions=["amend_placement"]
        )
        assert [(d.key, d.due) for d in receipt.deadlines] == [
            ("order:1:amended_plan", d1 + timedelta(weeks=2))
        ]
        assert "reg 45" in receipt.deadlines[0].basis
        status = await h.status(handle)
        assert statuses(status)["appeal_response"] == "cancelled"
        assert statuses(status)["mediation_contact"] == "cancelled"
        await h.event(handle, "obligation_met", date=d1, deadline_key="order:1:amended_plan")
        await h.event(handle, "case_closed", date=d1, reason="obligations_met")
        assert (await handle.result()).stage == "closed"


async def test_withdrawal_cancels_the_appeal_route(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-ROUTE-4", "cease_plan", d0))
        await h.event(handle, "mediation_declined", date=d0)
        await h.event(
            handle, "mediation_certificate_issued", date=d0, certificate_kind="information_only"
        )
        await h.event(handle, "appeal_registered", date=d0, tribunal_ref="EH1/26/2")
        await h.skip(3)
        d1 = await h.today()
        # nothing else pending: the case closes by itself (close-when-appeal-withdrawn)
        receipt = await h.event(handle, "appeal_withdrawn", date=d1)
        assert receipt.stage == "closed"
        final = await handle.result()
        assert statuses(final)["appeal_response"] == "cancelled"
        assert final.closed_reason == "withdrawn"
        history = await handle.fetch_history()
        accepted = [
            e
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]
        assert len(accepted) == 4
