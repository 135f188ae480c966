"""A closed case answers status and timeline from its record once Temporal has deleted it
(as the namespace's retention does), on the API and the CLI; then its personal data is
erased on request. The session's `make run` stack: dev server, real worker, API."""

from __future__ import annotations

import asyncio
import time

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DeleteWorkflowExecutionRequest,
    DescribeWorkflowExecutionRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from tests.integration.apiclient import Api, case_body, is_problem, new_ref, today, wait_listed
from tests.integration.test_service import cli, ok, refused

pytestmark = pytest.mark.integration
GONE_S = 120.0


async def delete_from_temporal(address: str, case_ref: str) -> None:
    """DeleteWorkflowExecution (what retention does after closure), then wait until the
    server no longer knows the execution (deletion is asynchronous)."""
    client = await Client.connect(address)
    execution = WorkflowExecution(workflow_id=f"ehcp-case-{case_ref}")
    await client.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(namespace="default", workflow_execution=execution)
    )
    deadline = time.monotonic() + GONE_S
    while True:
        try:
            await client.workflow_service.describe_workflow_execution(
                DescribeWorkflowExecutionRequest(namespace="default", execution=execution)
            )
        except RPCError as error:
            assert error.status == RPCStatusCode.NOT_FOUND, error
            return
        assert time.monotonic() < deadline, f"{case_ref} still in Temporal after {GONE_S} s"
        await asyncio.sleep(0.2)


async def test_a_closed_case_answers_from_its_record_after_temporal_forgets_it(api: Api):
    manager = api.client(api.key("rutland", "manager", "Records manager"))
    ref = new_ref("REC")
    assert (await manager.post("/api/v1/cases", json=case_body(ref))).status_code == 201
    closing = {"kind": "case_closed", "date": today().isoformat(), "reason": "withdrawn"}
    assert (await manager.post(f"/api/v1/cases/{ref}/events", json=closing)).status_code == 200
    listed = await wait_listed(manager, ref, closed="true", case_ref=ref)
    assert listed == [
        {"case_ref": ref, "council": "rutland", "decision_type": "plan_content",
         "stage": "closed", "next_deadline": None, "overdue": False, "overdue_since": None,
         "status": "completed"}
    ]  # fmt: skip
    status = (await manager.get(f"/api/v1/cases/{ref}")).json()
    timeline = (await manager.get(f"/api/v1/cases/{ref}/timeline")).json()
    assert status["closed_reason"] == "withdrawn"

    await delete_from_temporal(api.run.address, ref)

    # the same answers, now from the record
    assert (await manager.get(f"/api/v1/cases/{ref}")).json() == status
    assert (await manager.get(f"/api/v1/cases/{ref}/timeline")).json() == timeline
    out = ok(cli(api.run, "status", ref))
    assert f"case {ref}" in out and "closed: withdrawn" in out
    assert "case_closed" in ok(cli(api.run, "timeline", ref))
    # still one case of one council: closed to events, its reference not reusable, unseen
    # by another council
    late = await manager.post(f"/api/v1/cases/{ref}/events", json=closing)
    is_problem(late, 409, "case-closed")
    is_problem(await manager.post("/api/v1/cases", json=case_body(ref)), 409, "case-exists")
    other = api.client(api.key("leicestershire", "manager"))
    is_problem(await other.get(f"/api/v1/cases/{ref}"), 404, "case-not-found")

    # an erasure request: the anonymised record still answers
    assert "Records manager" in ok(cli(api.run, "timeline", ref, "--json"))
    refused(cli(api.run, "erase", "--case-ref", "RUT-1999-0001"), "no case")
    erased = ok(cli(api.run, "erase", "--email", "sam.parent@example.org", "--json"))
    assert ref in erased
    after = (await manager.get(f"/api/v1/cases/{ref}")).json()
    assert after["stage"] == "closed" and after["deadlines"] == status["deadlines"]
    events = (await manager.get(f"/api/v1/cases/{ref}/timeline")).json()["events"]
    assert [e["event"]["recorded_by"] for e in events] == ["erased"]
