"""A long case cannot lock itself (issue 10, fault 11): the event that would take the case's
record past its bound is refused by the validator, before it reaches history, with a clear
message; case_closed is still accepted. (The bound is set low here; tests/unit/test_bounds
drives a maximal case at the real bound.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from ehcp.payloads import StartCase, workflow_id
from tests.workflow.harness import harness, make_case
from tests.workflow.test_events import update_events
from workflows.disagreement import DisagreementWorkflow

NOTES = "n" * 2000


async def test_a_full_case_refuses_more_events_before_history_and_still_closes(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        case = make_case("RUT-FULL-1", "plan_content", d0 - timedelta(days=1))
        handle = await time_env.client.start_workflow(
            DisagreementWorkflow.run,
            StartCase(case=case, state_limit=40_000, history_limit=60),
            id=workflow_id(case.case_ref),
            task_queue=h.settings.task_queue,
        )
        h.started.append(handle)
        await h.wait_started(handle)
        await h.event(handle, "way_forward_meeting_requested", date=d0, notes=NOTES)
        refused = None
        for k in range(1, 40):
            try:
                await h.event(handle, "way_forward_meeting_scheduled", date=d0, notes=NOTES,
                              meeting_date=d0 + timedelta(days=10 + k))  # fmt: skip
            except WorkflowUpdateFailedError as error:
                refused = str(error.cause)
                break
        assert refused and "no room for more events" in refused and "40,000" in refused
        before = await update_events(handle)
        with pytest.raises(WorkflowUpdateFailedError):
            await h.event(handle, "way_forward_meeting_scheduled", date=d0, notes=NOTES,
                          meeting_date=d0 + timedelta(days=300))  # fmt: skip
        assert await update_events(handle) == before  # refused: never in history
        await h.event(handle, "case_closed", date=d0, reason="withdrawn", notes=NOTES)
        final = await handle.result()
        assert final.closed_reason == "withdrawn"
