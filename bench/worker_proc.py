"""One benchmark worker process: ours (worker.build_worker) or the baseline, until SIGTERM.

    python -m bench.worker_proc --system ours|baseline|codec --task-queue Q --address A \
        --stats PATH [--max-cached N] [--max-workflow-tasks N] [--max-local-activities N] ...

An activity interceptor counts completed (and failed) activities by name, local activities
included; the counts go to the stats file as JSON every ~200 ms, written atomically, so the
driver can tell when every start has been planned without asking the server. Ours takes its
settings (keys, SendGrid host, reminder time, ...) from EHCP_* variables, as worker.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    UnsandboxedWorkflowRunner,
    Worker,
)

from ehcp.settings import Settings

log = logging.getLogger("bench.worker")
STATS_EVERY_S = 0.2
#: ours' deployed cache size (EHCP_MAX_CACHED_WORKFLOWS), so both cache alike
BASELINE_MAX_CACHED = Settings.model_fields["max_cached_workflows"].default
GRACEFUL_SHUTDOWN = timedelta(seconds=30)


# -- counting ------------------------------------------------------------------------------


@dataclass
class Counts:
    completed: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    local: Counter[str] = field(default_factory=Counter)


class CountingInterceptor(Interceptor):
    def __init__(self, counts: Counts) -> None:
        self.counts = counts

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CountingInbound(next, self.counts)


class _CountingInbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, counts: Counts) -> None:
        super().__init__(next)
        self._counts = counts

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        try:
            result = await self.next.execute_activity(input)
        except BaseException:
            self._counts.failed[info.activity_type] += 1
            raise
        self._counts.completed[info.activity_type] += 1
        if info.is_local:  # recorded so a run shows which calls were local activities
            self._counts.local[info.activity_type] += 1
        return result


def write_stats(path: Path, counts: Counts, config: dict[str, Any], ready: bool) -> None:
    body = {
        "pid": os.getpid(),
        "time": time.time(),
        "ready": ready,
        "completed": dict(counts.completed),
        "failed": dict(counts.failed),
        "local": dict(counts.local),
        "config": config,
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body))
    os.replace(tmp, path)  # the driver never reads half a file


# -- tuning --------------------------------------------------------------------------------


def tuning(args: argparse.Namespace) -> dict[str, Any]:
    """Worker options given on the command line; both systems get the same ones."""
    named = {
        "max_cached_workflows": args.max_cached,
        "max_concurrent_workflow_tasks": args.max_workflow_tasks,
        "max_concurrent_activities": args.max_activities,
        "max_concurrent_local_activities": args.max_local_activities,
    }
    return {name: value for name, value in named.items() if value is not None}


def describe(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The worker options that were actually used, for the results file."""
    shown = (str, int, float, bool, timedelta)
    scalars = {k: v for k, v in kwargs.items() if isinstance(v, shown)}
    return {k: str(v) if isinstance(v, timedelta) else v for k, v in scalars.items()}


# -- building either worker ---------------------------------------------------------------


def build_baseline(
    client: Client, args: argparse.Namespace, executor: ThreadPoolExecutor, counter: Interceptor
) -> tuple[Worker, dict[str, Any]]:
    from bench.baseline import BaselineActivities, BaselineWorkflow

    acts = BaselineActivities(args.sendgrid_host, args.sendgrid_key)
    kwargs: dict[str, Any] = {
        "task_queue": args.task_queue,
        "workflows": [BaselineWorkflow],
        "activities": [acts.plan, acts.plan_event, acts.send],
        "activity_executor": executor,
        "max_cached_workflows": BASELINE_MAX_CACHED,
        # as ours is deployed (worker.workflow_runner): workflow code outside the sandbox
        "workflow_runner": UnsandboxedWorkflowRunner(),
        "interceptors": [counter],
        "graceful_shutdown_timeout": GRACEFUL_SHUTDOWN,
        **tuning(args),
    }
    return Worker(client, **kwargs), describe(kwargs)


def build_ours(
    client: Client, args: argparse.Namespace, executor: ThreadPoolExecutor, counter: Interceptor
) -> tuple[Worker, dict[str, Any]]:
    import worker as ours

    used: dict[str, Any] = {}
    real_worker: Callable[..., Worker] = ours.Worker

    # build_worker is ours as deployed; the bench only adds its command-line tuning, by
    # wrapping the Worker class build_worker calls (and records the options it used).
    def tuned(*a: Any, **kwargs: Any) -> Worker:
        kwargs.update(tuning(args))
        used.update(kwargs)
        return real_worker(*a, **kwargs)

    ours.Worker = tuned  # type: ignore[misc]
    try:
        built = ours.build_worker(client, ours_settings(args), executor, interceptors=[counter])
    finally:
        ours.Worker = real_worker  # type: ignore[misc]
    return built, describe(used)


def ours_settings(args: argparse.Namespace):
    from ehcp.settings import Settings

    return Settings(temporal_address=args.address, task_queue=args.task_queue)


def codec_converter(settings: Settings) -> DataConverter:
    """The SDK's default payload converter with ours' AES-GCM codec (the `codec` baseline):
    prices encryption apart from ours' pydantic payloads and domain code."""
    from security.codec import EncryptionCodec
    from security.keys import keyring_from_settings

    return DataConverter(payload_codec=EncryptionCodec(keyring_from_settings(settings)))


async def connect(args: argparse.Namespace) -> Client:
    if args.system == "baseline":
        return await Client.connect(args.address)  # the default data converter
    if args.system == "codec":
        return await Client.connect(
            args.address, data_converter=codec_converter(ours_settings(args))
        )
    from security.converter import data_converter

    return await Client.connect(args.address, data_converter=data_converter(ours_settings(args)))


# -- main -----------------------------------------------------------------------------------


async def publish(path: Path, counts: Counts, config: dict[str, Any], stop: asyncio.Event):
    parent = os.getppid()
    while not stop.is_set():
        if os.getppid() != parent:  # the bench died without stopping us: leave too
            stop.set()
        write_stats(path, counts, config, ready=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), STATS_EVERY_S)


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    client = await connect(args)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    counts = Counts()
    build = build_ours if args.system == "ours" else build_baseline
    with ThreadPoolExecutor(max_workers=args.executor_threads) as executor:
        worker, config = build(client, args, executor, CountingInterceptor(counts))
        config["executor_threads"] = args.executor_threads
        async with worker:
            await publish(args.stats, counts, config, stop)
    write_stats(args.stats, counts, config, ready=False)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", choices=("ours", "baseline", "codec"), required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--stats", type=Path, required=True, help="JSON counts file")
    parser.add_argument("--max-cached", type=int, help="max_cached_workflows")
    parser.add_argument("--max-workflow-tasks", type=int, help="max_concurrent_workflow_tasks")
    parser.add_argument("--max-activities", type=int, help="max_concurrent_activities")
    parser.add_argument("--max-local-activities", type=int, help="max_concurrent_local_activities")
    parser.add_argument("--executor-threads", type=int, default=16, help="as worker.py: 16")
    parser.add_argument("--sendgrid-host", default="", help="baseline: the sink's URL")
    parser.add_argument("--sendgrid-key", default="SG.bench", help="baseline: any key")
    return parser.parse_args(argv)


def exit_without_finalising(status: int) -> None:
    """As worker.py: the SDK's Rust threads can abort interpreter finalisation after a clean
    shutdown ("PyGILState_Release"), which would read as a crash."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
    exit_without_finalising(0)
