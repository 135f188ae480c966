"""Runs the worker: DisagreementWorkflow and its activities on one task queue.

Configuration comes from EHCP_* environment variables (see ehcp/settings.py). Start as many
worker processes as load needs; they share the task queue. SIGINT/SIGTERM shut down cleanly:
in-flight activities finish, then the process exits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import NoReturn

from temporalio.client import Client
from temporalio.worker import Worker

from activities.notify import NotificationActivities
from activities.planning import PlanningActivities
from activities.senders import build_senders
from ehcp.settings import Settings
from security.converter import data_converter
from security.keys import KeyConfigError
from workflows.disagreement import DisagreementWorkflow

log = logging.getLogger("ehcp.worker")


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    planning = PlanningActivities(settings)
    primary, fallback = build_senders(settings)
    notify = NotificationActivities(primary, fallback, settings.council)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[DisagreementWorkflow],
        activities=[
            planning.plan_case_start,
            planning.plan_event_deadlines,
            notify.send_notification,
        ],
        activity_executor=executor,
        max_cached_workflows=1000,
        graceful_shutdown_timeout=timedelta(seconds=30),
    )


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings()
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = build_worker(client, settings, executor)
        log.info(
            "worker polling task queue %r on %s (namespace %s); outbox %s",
            settings.task_queue,
            settings.temporal_address,
            settings.temporal_namespace,
            settings.outbox_dir,
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
    except KeyConfigError as error:  # no keys, or bad ones: refuse to start, plainly
        sys.exit(f"worker: cannot start: {error}")
    exit_without_finalising(0)
