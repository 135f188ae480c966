"""Rejected events never reach history; long cases continue-as-new with their whole state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from tests.workflow.harness import Harness, harness, make_case

UPDATE_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
}


async def update_events(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(1 for e in history.events if e.event_type in UPDATE_EVENTS)


async def refused(h: Harness, handle: WorkflowHandle, kind: str, **fields) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as error:
        await h.event(handle, kind, **fields)
    return str(error.value.cause)


async def test_each_rejection_is_refused_by_the_validator_and_changes_nothing(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-REJ-1", "refusal_to_assess", d0 - timedelta(1)))
        await h.event(handle, "mediation_declined", date=d0)
        before_status = await h.status(handle)
        before_updates = await update_events(handle)
        cases = [
            (
                ("appeal_registered",),
                {"date": d0, "tribunal_ref": "EH1/26/1"},
                "needs a mediation certificate",
            ),
            (("mediation_declined",), {"date": d0}, "already recorded"),
            (("mediation_adviser_contacted",), {"date": d0 + timedelta(3)}, "in the future"),
            (
                ("mediation_adviser_contacted",),
                {"date": d0 - timedelta(5)},
                "before the council's decision",
            ),
            (
                ("recommendation_response_sent",),
                {"date": d0, "recommendation": 1, "followed": True},
                "no recommendation 1",
            ),
            (
                ("tribunal_decision",),
                {"date": d0, "outcome": "allowed", "orders": ["assess"]},
                "needs a registered appeal",
            ),
            (
                ("obligation_met",),
                {"date": d0, "deadline_key": "appeal"},
                "does not apply to appeal",
            ),
            (
                ("mediation_held",),
                {"date": d0, "outcome": "no_agreement"},
                "no mediation is requested",
            ),
        ]
        for (kind,), fields, words in cases:
            assert words in await refused(h, handle, kind, **fields), kind
        # recommendations on an appeal against a refusal to assess
        await h.event(
            handle, "mediation_certificate_issued", date=d0, certificate_kind="information_only"
        )
        await h.event(
            handle, "appeal_registered", date=d0, tribunal_ref="EH1/26/1", health_included=True
        )
        message = await refused(
            h,
            handle,
            "tribunal_decision",
            date=d0,
            outcome="allowed",
            orders=["assess"],
            recommendations=[{"addressed_to": "health", "summary": "x"}],
        )
        assert "refusal to assess" in message
        after = await h.status(handle)
        assert after.events == before_status.events + 2
        assert await update_events(handle) == before_updates + 2  # only the two accepted

        await h.event(handle, "appeal_withdrawn", date=d0)  # nothing pending: it closes
        await handle.result()
        # a closed case: the workflow has completed, so the server itself refuses updates
        # (the CLI says "case ... is closed"; see tests/integration)
        with pytest.raises((RPCError, WorkflowUpdateFailedError)):
            await h.event(handle, "mediation_adviser_contacted", date=d0)


async def test_continue_as_new_keeps_the_whole_case(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-CAN-1", "plan_content", d0), history_limit=60)
        first_run = (await handle.describe()).run_id
        await h.event(handle, "way_forward_meeting_requested", date=d0)
        for n in range(1, 31):  # a meeting rescheduled 30 times: plenty of history
            await h.event(
                handle,
                "way_forward_meeting_scheduled",
                date=d0,
                meeting_date=d0 + timedelta(days=20 + n),
            )
        await h.skip(14)
        status = await h.status(handle)
        timeline = await h.timeline(handle)
        description = await handle.describe()
        assert description.run_id != first_run, "expected at least one continue-as-new"
        assert [e.seq for e in timeline.events] == list(range(1, 32))
        meeting = next(d for d in status.deadlines if d.key == "way_forward_meeting")
        assert meeting.due == d0 + timedelta(days=50)
        assert meeting.replaces == d0 + timedelta(days=49)
        # reminders already sent are carried too: none is sent twice across runs
        keys = [n.key for n in status.reminders_sent]
        assert len(keys) == len(set(keys))
        assert len(h.outbox()) == len(keys)
