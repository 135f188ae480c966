"""Rolling upgrades with Worker Deployment versioning, on the dev server: a case is processed
by the current version only. After `set-current-version` to the new build, the old workers
get no task of any case, so a case with the new build's patch markers never reaches code that
cannot replay it ("Non-deprecated patch marker encountered ...")."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType, RoutingConfigUpdateState, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeTaskQueueRequest,
    DescribeWorkerDeploymentRequest,
)
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.worker import Worker

from ehcp.models import Event, parse_event
from ehcp.payloads import CaseStatus, EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from tests.integration.devstack import TEMPORAL_BIN, DevServer
from tests.integration.test_crash_restart import case
from worker import build_worker, connect, deployment_config
from workflows.disagreement import DisagreementWorkflow

pytestmark = pytest.mark.integration


@workflow.defn(name="DisagreementWorkflow", sandboxed=False)
class NewBuildWorkflow(DisagreementWorkflow):
    """The next build: its event handler issues a command the old build's code does not (a
    memo change), so the old build could not replay a history the new one wrote."""

    @workflow.run
    async def run(self, start: StartCase) -> CaseStatus:
        return await super().run(start)

    @workflow.update
    async def record_event(self, event: Event) -> EventReceipt:
        # only for an event the test sends after the switch (deterministic, so build-2
        # replays it; build-1 would meet a command its code never issues)
        if event.kind == "disagreement_resolution_started":
            workflow.upsert_memo({"written-by": "build-2"})
        return await super().record_event(event)

    @record_event.validator
    def _validate_new(self, event: Event) -> None:
        self._validate_event(event)


async def set_current(server: DevServer, client: Client, settings: Settings, build_id: str) -> None:
    """`temporal worker deployment set-current-version`, as the deploy runs it; retried until
    the build's workers have polled (the server only knows a version once they have); then
    waits for the routing change to reach every task queue (`temporal worker deployment
    describe` shows it), before which tasks may still go to the previous version."""
    deadline = time.monotonic() + 30
    while True:
        proc = await asyncio.create_subprocess_exec(
            str(TEMPORAL_BIN), "worker", "deployment", "set-current-version",
            "--address", server.address, "--deployment-name", settings.worker_deployment_name,
            "--build-id", build_id, "--yes",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await proc.communicate()
        if proc.returncode == 0:
            break
        assert time.monotonic() < deadline, stderr.decode()
        await asyncio.sleep(0.2)  # the workers' first poll is on its way
    deadline = time.monotonic() + 180  # seconds alone; minutes on a loaded machine
    request = DescribeWorkerDeploymentRequest(
        namespace=client.namespace, deployment_name=settings.worker_deployment_name
    )
    # Or until the workflow task queue itself routes to the build: that is what a case's next
    # task follows. The deployment's own state can stay IN_PROGRESS on a queue that serves
    # workflows and activities (temporalio/temporal#11842), which failed this test.
    queue = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=settings.task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    while True:
        described = await client.workflow_service.describe_worker_deployment(request)
        state = described.worker_deployment_info.routing_config_update_state
        if state == RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_COMPLETED:
            return
        routing = (await client.workflow_service.describe_task_queue(queue)).versioning_info
        if routing.current_deployment_version.build_id == build_id:
            return
        assert time.monotonic() < deadline, f"routing change still {state}"
        await asyncio.sleep(0.1)


def worker_for(client: Client, settings: Settings, executor, workflow_class) -> Worker:
    return build_worker(client, settings, executor, workflows=[workflow_class])


def completed_by(history) -> list[str]:
    return [
        e.workflow_task_completed_event_attributes.deployment_version.build_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    ]


async def event(handle: WorkflowHandle, kind: str, **fields) -> EventReceipt:
    return await handle.execute_update(
        DisagreementWorkflow.record_event,
        parse_event({"kind": kind, **fields}),
        result_type=EventReceipt,
        rpc_timeout=timedelta(seconds=60),
    )


@pytest.mark.slow
async def test_a_case_follows_the_current_version_and_never_goes_back(tmp_path: Path):
    # One task-queue partition: a routing change reaches every partition of the queue before it
    # counts as complete, and the default four, each loaded only by polls, took minutes to get
    # there on a loaded machine.
    server = DevServer(
        tmp_path / "temporal.db",
        extra_args=(
            "--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
            "--dynamic-config-value", "matching.numTaskqueueWritePartitions=1",
        ),
    )  # fmt: skip
    server.start()
    base = Settings(
        temporal_address=server.address,
        task_queue=f"upgrade-{uuid.uuid4()}",
        outbox_dir=tmp_path / "outbox",
        database_url=f"sqlite:///{tmp_path / 'ehcp.db'}",
        codec_keys="upgrade-test:" + "B" * 43 + "=",
        codec_current_key="upgrade-test",
    )
    old = base.model_copy(update={"worker_build_id": "build-1"})
    new = base.model_copy(update={"worker_build_id": "build-2"})
    try:
        client = await server.wait_ready(lambda address: connect(base))
        with ThreadPoolExecutor(max_workers=8) as executor:
            old_worker = worker_for(client, old, executor, DisagreementWorkflow)
            async with old_worker:
                await set_current(server, client, old, "build-1")
                today = date.today()
                handle = await client.start_workflow(
                    DisagreementWorkflow.run,
                    StartCase(case=case("RUT-UPGRADE-1", today)),
                    id=workflow_id("RUT-UPGRADE-1"),
                    task_queue=base.task_queue,
                )
                await event(handle, "mediation_adviser_contacted", date=today)
                # the new build polls beside the old one; nothing reaches it until it is current
                new_worker = worker_for(client, new, executor, NewBuildWorkflow)
                async with new_worker:
                    await event(handle, "way_forward_meeting_requested", date=today)
                    assert set(completed_by(await handle.fetch_history())) == {"build-1"}
                    await set_current(server, client, new, "build-2")
                    receipt = await event(handle, "disagreement_resolution_started", date=today)
                    assert receipt.seq == 3
                # the new build is down, the old one still polls: the case waits for the new
                # build instead of going back to code that cannot replay what it wrote
                with pytest.raises(WorkflowUpdateRPCTimeoutOrCancelledError):
                    await handle.execute_update(
                        DisagreementWorkflow.record_event,
                        parse_event({"kind": "mediation_requested", "date": today}),
                        id="bo-upgrade-4",
                        result_type=EventReceipt,
                        rpc_timeout=timedelta(seconds=5),
                    )
                history = await handle.fetch_history()
                kinds = {e.event_type for e in history.events}
                assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in kinds
                builds = completed_by(history)
                assert builds[-1] == "build-2" and builds.count("build-2") >= 1
                assert EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED in kinds
            # the new build back: the waiting event is recorded by it (the retry, with the
            # same update id, gets its receipt)
            async with worker_for(client, new, executor, NewBuildWorkflow):
                receipt = await handle.execute_update(
                    DisagreementWorkflow.record_event,
                    parse_event({"kind": "mediation_requested", "date": today}),
                    id="bo-upgrade-4",
                    result_type=EventReceipt,
                    rpc_timeout=timedelta(seconds=60),
                )
                assert receipt.seq == 4
                assert completed_by(await handle.fetch_history())[-1] == "build-2"
            await handle.terminate("test finished")
    finally:
        server.stop()


def test_versioning_is_off_unless_a_build_id_is_set():
    assert deployment_config(Settings()) is None
    config = deployment_config(Settings(worker_build_id="2026-11-30.1"))
    assert config is not None and config.use_worker_versioning
    assert config.version.deployment_name == "send-disagreements"
