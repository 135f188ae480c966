"""Runs the worker: DisagreementWorkflow and its activities on one task queue.

Configuration comes from EHCP_* environment variables (see ehcp/settings.py). Start as many
worker processes as load needs; they share the task queue. SIGINT/SIGTERM shut down cleanly:
in-flight activities finish, then the process exits.
"""

from __future__ import annotations

import asyncio
import compileall
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.runtime import Runtime
from temporalio.worker import (
    Interceptor,
    UnsandboxedWorkflowRunner,
    Worker,
    WorkerDeploymentConfig,
    WorkflowRunner,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities import names
from activities.notify import NotificationActivities
from activities.planned_records import PlannedRecordActivities
from activities.planning import PlanningActivities
from activities.records import RecordActivities
from activities.senders import build_senders
from activities.staff import StaffActivities
from ehcp.settings import Settings
from observability import logs, metrics
from security.codec import EncryptionCodec
from security.converter import data_converter
from security.files import restrict_umask
from security.keys import KeyConfigError, keyring_from_settings
from security.transport import TransportConfigError, client_options
from workflows.disagreement import DisagreementWorkflow
from workflows.metrics import MetricsInterceptor

log = logging.getLogger("ehcp.worker")
#: how long a starting worker waits for the Temporal server
CONNECT_WAIT = timedelta(seconds=60)


def workflow_runner(settings: Settings) -> WorkflowRunner:
    """Unsandboxed in production: the sandbox doubles the worker's CPU per workflow task with
    an encrypting codec (docs/performance.md). The test suite runs every workflow in the
    sandbox (EHCP_WORKFLOW_SANDBOX=true), so a non-deterministic call still fails CI."""
    if not settings.workflow_sandbox:
        return UnsandboxedWorkflowRunner()
    # The sandbox imports the workflow module afresh for each run; with
    # PYTHONDONTWRITEBYTECODE set nothing leaves a .pyc, so each import compiled the source.
    compileall.compile_dir(Path(__file__).parent / "workflows", quiet=2)
    return SandboxedWorkflowRunner()


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """Worker Deployment versioning when EHCP_WORKER_BUILD_ID is set: every case follows the
    deployment's current version (auto-upgrade), so after `temporal worker deployment
    set-current-version` no task reaches the old workers, and before it none reaches the new."""
    if not settings.worker_build_id:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(
            deployment_name=settings.worker_deployment_name, build_id=settings.worker_build_id
        ),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


def records_codec(client: Client, settings: Settings) -> EncryptionCodec | None:
    """What seals case records: the client's payload codec (the same keys as histories), or,
    for a client that does not encrypt (a test's plain converter), the configured keys; None
    when there are none (then no record is written, never one in clear)."""
    codec = client.data_converter.payload_codec
    if isinstance(codec, EncryptionCodec):
        return codec
    try:
        return EncryptionCodec(keyring_from_settings(settings))
    except KeyConfigError:
        return None


def activity_functions(client: Client, settings: Settings) -> dict[str, Callable[..., Any]]:
    """Every activity this worker runs, by activity name (activities/names.py); a test swaps
    one (a stand-in sender) and registers the rest as deployed."""
    planning = PlanningActivities(settings)
    staff = StaffActivities(settings)
    primary, fallback = build_senders(settings)
    notify = NotificationActivities(
        primary, fallback, settings.council_info(settings.council_code), settings.councils
    )
    records = RecordActivities(
        settings.database_url, records_codec(client, settings), staff.staff_ref
    )
    planned = PlannedRecordActivities(planning, records)
    return {
        names.PLAN_CASE_START: planning.plan_case_start,
        names.PLAN_EVENT: planning.plan_event_deadlines,
        names.STAFF_REF: staff.staff_ref,
        names.SEND_NOTIFICATIONS: notify.send_notifications,
        names.SEND_NOTIFICATION: notify.send_notification,
        names.WRITE_CASE_RECORD: records.write_case_record,
        names.PLAN_AND_RECORD_START: planned.plan_and_record_start,
        names.PLAN_AND_RECORD_EVENT: planned.plan_and_record_event,
    }


def build_worker(
    client: Client,
    settings: Settings,
    executor: ThreadPoolExecutor,
    interceptors: Sequence[Interceptor] = (),
    workflows: Sequence[type] = (DisagreementWorkflow,),
) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=list(workflows),  # another only in tests (the next build of the workflow)
        activities=list(activity_functions(client, settings).values()),
        activity_executor=executor,
        max_cached_workflows=settings.max_cached_workflows,
        interceptors=[MetricsInterceptor(), *interceptors],
        workflow_runner=workflow_runner(settings),
        graceful_shutdown_timeout=timedelta(seconds=30),
        deployment_config=deployment_config(settings),
    )


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """The one way to Temporal for the worker, the CLI and the API: the settings' address,
    namespace, encrypting converter, TLS / mTLS and API key (security/transport.py), on
    `runtime` (the worker's, with its metrics endpoint) or the SDK's default one. Raises
    KeyConfigError or TransportConfigError on bad settings, RuntimeError when unreachable."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
        **client_options(settings),
    )


async def connect_when_ready(
    settings: Settings, wait: timedelta = CONNECT_WAIT, runtime: Runtime | None = None
) -> Client:
    """A worker may start before its server (compose, make run, a host reboot): keep trying
    for a while, then give up loudly."""
    deadline = time.monotonic() + wait.total_seconds()
    delay = 0.2
    while True:
        try:
            return await connect(settings, runtime)
        except RuntimeError as error:  # the SDK's "Failed client connect"
            if time.monotonic() + delay > deadline:
                raise
            log.info("waiting for Temporal at %s (%s)", settings.temporal_address, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def main() -> None:
    restrict_umask()  # the outbox (and a SQLite ledger) hold personal data: 0700, 0600
    settings = Settings()
    logs.configure(settings.log_format)
    runtime = metrics.runtime_for(settings.metrics_address)
    client = await connect_when_ready(settings, runtime=runtime)
    if runtime is not None:
        log.info("Prometheus metrics at http://%s/metrics", settings.metrics_address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = build_worker(client, settings, executor)
        log.info(
            "worker polling task queue %r on %s (namespace %s); outbox %s; version %s",
            settings.task_queue,
            settings.temporal_address,
            settings.temporal_namespace,
            settings.outbox_dir,
            f"{settings.worker_deployment_name}.{settings.worker_build_id}"
            if settings.worker_build_id
            else "unversioned",
        )
        keyring = client.data_converter.payload_codec.keyring
        log.info("payloads encrypted with key %r from %s", keyring.current_id, keyring.source)
        async with worker:
            await stop.wait()
            log.info("shutting down")
    log.info("stopped")


def exit_without_finalising(status: int) -> NoReturn:
    """Leave once output is flushed. The SDK's Rust runtime threads can abort interpreter
    finalisation ("Fatal Python error: PyGILState_Release") after a clean shutdown."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (KeyConfigError, TransportConfigError) as error:  # refuse to start, plainly
        sys.exit(f"worker: cannot start: {error}")
    exit_without_finalising(0)
