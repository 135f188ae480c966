"""A worker per test on its own task queue, and small helpers to drive one case."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowHandle
from temporalio.common import TypedSearchAttributes
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Interceptor, Worker

from ehcp.models import Case, parse_event
from ehcp.notices import Notification
from ehcp.payloads import CaseStatus, CaseTimeline, EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date
from worker import build_worker
from workflows.disagreement import DisagreementWorkflow

#: the caseworker's staff reference key of test workers (security/staff_ref.py)
TEST_STAFF_REF_KEY = base64.b64encode(bytes(range(32))).decode()


@dataclass
class Harness:
    env: WorkflowEnvironment
    settings: Settings
    worker: Worker
    started: list[WorkflowHandle] = field(default_factory=list)
    #: what a scenario's set-up provides beside settings (a fake SendGrid, a fault switch)
    extras: dict[str, Any] = field(default_factory=dict)

    async def today(self) -> date:
        return london_date(await self.env.get_current_time())

    async def start(
        self,
        case: Case,
        history_limit: int = 10_000,
        search_attributes: TypedSearchAttributes | None = None,
    ) -> WorkflowHandle:
        """Start a case as a client that gives no search attributes (unless given: service/
        gives workflows.search_attributes.start_attributes)."""
        handle = await self.env.client.start_workflow(
            DisagreementWorkflow.run,
            StartCase(case=case, history_limit=history_limit),
            id=workflow_id(case.case_ref),
            task_queue=self.settings.task_queue,
            search_attributes=search_attributes,
        )
        self.started.append(handle)
        await self.wait_started(handle)
        return handle

    async def wait_started(self, handle: WorkflowHandle) -> CaseStatus:
        """The status once the first deadlines are dated, a moment after the start."""
        while (status := await self.status(handle)).starting:
            await asyncio.sleep(0.01)
        return status

    async def stop_all(self) -> None:
        """Leave no case running: the time-skipping server cannot skip time past a
        workflow task that no worker will ever poll."""
        for handle in self.started:
            # by workflow id alone: the latest run, also after a continue-as-new
            latest = self.env.client.get_workflow_handle(handle.id)
            with contextlib.suppress(RPCError):
                await latest.terminate("test finished")

    async def event(self, handle: WorkflowHandle, kind: str, **fields) -> EventReceipt:
        event = parse_event({"kind": kind, **fields})
        return await handle.execute_update(
            DisagreementWorkflow.record_event, event, result_type=EventReceipt
        )

    async def status(self, handle: WorkflowHandle) -> CaseStatus:
        return await handle.query(DisagreementWorkflow.status, result_type=CaseStatus)

    async def timeline(self, handle: WorkflowHandle) -> CaseTimeline:
        return await handle.query(DisagreementWorkflow.timeline, result_type=CaseTimeline)

    async def search_attribute(self, handle: WorkflowHandle, name: str) -> object:
        """One search attribute, read raw: the Java test server stores an unset datetime
        attribute as a value the SDK's typed decoder rejects (the dev server does not)."""
        request = DescribeWorkflowExecutionRequest(
            namespace=self.env.client.namespace,
            execution=WorkflowExecution(workflow_id=handle.id),
        )
        raw = await self.env.client.workflow_service.describe_workflow_execution(request)
        payload = raw.workflow_execution_info.search_attributes.indexed_fields.get(name)
        return json.loads(payload.data) if payload and payload.data else None

    async def skip(self, days: float) -> None:
        await self.env.sleep(timedelta(days=days))

    def outbox(self) -> list[Path]:
        return sorted(self.settings.outbox_dir.glob("*.eml"))


@asynccontextmanager
async def harness(
    env: WorkflowEnvironment,
    tmp_path: Path,
    interceptors: Sequence[Interceptor] = (),
    extras: dict[str, Any] | None = None,
    **overrides,
) -> AsyncIterator[Harness]:
    overrides.setdefault("staff_ref_key", TEST_STAFF_REF_KEY)
    overrides.setdefault("database_url", f"sqlite:///{tmp_path / 'ehcp.db'}")
    settings = Settings(
        task_queue=f"test-{uuid.uuid4()}", outbox_dir=tmp_path / "outbox", **overrides
    )
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(env.client, settings, executor, interceptors)
        async with worker:
            h = Harness(env=env, settings=settings, worker=worker, extras=extras or {})
            try:
                yield h
            finally:
                await h.stop_all()


def make_case(ref: str, decision_type: str, decision_date: date, **extra) -> Case:
    return Case.model_validate(
        {
            "case_ref": ref,
            "decision_type": decision_type,
            "decision_date": decision_date,
            "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
            "caseworker": {"name": "Alex Caseworker", "email": "alex.cw@rutland.gov.uk"},
            "health_contact": {"name": "ICB SEND lead", "email": "icb.send@nhs.example"},
            **extra,
        }
    )


__all__ = ["Harness", "Notification", "harness", "make_case"]
