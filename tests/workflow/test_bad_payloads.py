"""Payloads another client sends (not starter.py) that fail validation end at once, visibly:
the workflow fails, or the update is rejected, with the validation message (issue 10,
fault 10). The SDK's default was a workflow task retried for ever."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError

from ehcp.payloads import workflow_id
from tests.workflow.harness import harness, make_case


def _raw_start(ref: str, decision_date: str) -> dict:
    case = make_case(ref, "refusal_to_assess", date(2026, 6, 1))
    data = case.model_dump(mode="json")
    data["decision_date"] = decision_date
    return {"case": data}


async def test_a_start_that_fails_validation_fails_the_workflow_with_the_message(
    time_env, tmp_path
):
    async with harness(time_env, tmp_path) as h:
        ref = f"RUT-BAD-{uuid.uuid4().hex[:6].upper()}"
        handle = await time_env.client.start_workflow(
            "DisagreementWorkflow",
            _raw_start(ref, "2010-01-01"),
            id=workflow_id(ref),
            task_queue=h.settings.task_queue,
        )
        with pytest.raises(WorkflowFailureError) as failed:
            # old code: the workflow task failed and was retried for ever
            await asyncio.wait_for(handle.result(), timeout=30)
        cause = failed.value.cause
        assert "case.decision_date" in str(cause)
        assert "2014-09-01" in str(cause)


async def test_an_update_that_fails_validation_is_rejected_with_the_message(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-BAD-UPD", "refusal_to_assess", d0 - timedelta(1)))
        bad = {"kind": "mediation_declined", "date": "not-a-date"}
        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update("record_event", bad)
        assert "date" in str(rejected.value.cause)
        assert "Failed decoding" not in str(rejected.value.cause)
        # the case carries on
        await h.event(handle, "mediation_declined", date=d0)
        assert (await h.status(handle)).events == 1
