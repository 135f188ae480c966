"""The load phases, run for one system at one size on a fresh stack:

starts -> open cases -> events (closed loop) -> events (fixed rate) -> reminders -> history.

Every wait is bounded: counts must keep moving (or arrive by a deadline), else the run fails
and says what it was waiting for.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.api.history.v1 import History
from temporalio.client import Client, WorkflowUpdateFailedError

from bench.report import (
    BenchOptions,
    EventsResult,
    HistoryResult,
    OpenResult,
    RemindersResult,
    StartsResult,
    SystemRun,
)
from bench.stack import DevServer, Sink, Usage, WorkerProcs, usage
from bench.systems import System
from bench.waiting import BenchTimeout, wait_for_progress, wait_until

#: dev server starts tried when a port it was given is taken meanwhile
PORT_TRIES = 3
#: one update may take this long before it counts as an error (not a hang of the bench)
EVENT_TIMEOUT_S = 60.0
#: due cases are started this many at a time, so each one's first workflow task is short:
#: its timer is set from that task's clock, and a long task (queued behind 64 others) would
#: make it wake late by that much, which is start-up cost, not how a due burst is served
DUE_START_CONCURRENCY = 8
#: every due case is started, planned and idle at least this long before T0 (smoke: less),
#: so no start-up work overlaps the reminder burst; the run fails otherwise
MIN_IDLE_S = 10.0
MIN_IDLE_SMOKE_S = 2.0
#: T0 allows this many times the due starts' expected duration, plus a few seconds: every
#: second of margin is a second of idle wall time, and a short one fails loudly
LEAD_MARGIN = 1.6
LEAD_EXTRA_S = 8.0
#: the smoke run's 10 due cases start in about a second: a smaller fixed margin will do
LEAD_EXTRA_SMOKE_S = 3.0
#: after the expected emails, listen this long for any that should not have come
EXTRA_EMAIL_GRACE_S = 2.0
#: due cases whose history is fetched
HISTORY_SAMPLE = 5
MESSAGES_KEPT = 5


class BenchError(RuntimeError):
    """The bench saw something wrong with a system (missing or unexpected emails, ...)."""


@dataclass
class Stack:
    folder: Path
    system: System
    options: BenchOptions
    server: DevServer = field(init=False)
    sink: Sink = field(init=False)
    workers: WorkerProcs = field(init=False)
    #: how long the workers took to start polling (a restart before T0 takes as long)
    worker_start_s: float = 0.0

    async def start(self) -> None:
        for attempt in range(1, PORT_TRIES + 1):
            self.server = DevServer(self.folder, tuple(self.options.sqlite_pragmas))
            self.server.start()
            try:
                await self.server.wait_ready()
                break
            except RuntimeError as error:
                # Free ports are picked, then bound by the server: on a shared machine another
                # process can take one in between. A fresh set of ports, then.
                if "address already in use" not in str(error) or attempt == PORT_TRIES:
                    raise
                self.server.stop()
                for leftover in self.folder.glob("temporal.db*"):
                    leftover.unlink()
                say(f"{self.system.name}: a dev server port was taken meanwhile; new ports")
        self.sink = Sink(self.folder)
        self.sink.start()
        system_env = self.system.worker_env(self.sink.url, str(self.folder))
        self.workers = WorkerProcs(
            folder=self.folder,
            system=self.system.name,
            address=self.server.address,
            task_queue=f"bench-{self.system.name}-{uuid.uuid4().hex[:8]}",
            env=worker_base_env({**system_env, **self.options.worker_env}),
            extra_args=[*self.system.worker_args(self.sink.url), *self.options.worker_args],
            count=self.options.workers,
        )
        began = time.monotonic()
        await self.workers.start()
        self.worker_start_s = time.monotonic() - began

    async def restart_workers(self, env: dict[str, str]) -> float:
        """Stop and start every worker with `env` on top; returns the seconds it took."""
        began = time.monotonic()
        self.workers.stop()
        await self.workers.start(env)
        return time.monotonic() - began

    def stop(self) -> None:
        for part in ("workers", "sink", "server"):
            if hasattr(self, part):
                getattr(self, part).stop()


def worker_base_env(system_env: dict[str, str]) -> dict[str, str]:
    """The caller's environment without its EHCP_* settings (a developer's key file or
    SendGrid key must not leak into a bench worker), plus the system's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
    return {**env, "PYTHONUNBUFFERED": "1", **system_env}


@dataclass
class Run:
    system: System
    client: Client
    stack: Stack
    size: int
    options: BenchOptions
    #: events sent so far per case: the next one gets a new meeting date
    events_per_case: Counter[int] = field(default_factory=Counter)
    #: every client connection the starts use, `client` first (--start-clients)
    start_clients: list[Client] = field(default_factory=list)

    @property
    def workers(self) -> WorkerProcs:
        return self.stack.workers

    def planned(self) -> int:
        self.workers.check_alive()  # a dead worker fails the wait at once, with its log
        return self.workers.completed(self.system.plan_activity)

    def worker_usage(self) -> Usage:
        return usage(self.workers.pids)

    def server_usage(self) -> Usage:
        assert self.stack.server.proc is not None
        return usage([self.stack.server.proc.pid])


async def pool(count: int, concurrency: int, job: Callable[[int], Awaitable[Any]]) -> list[Any]:
    """job(0..count-1) with at most `concurrency` in flight; results in order."""
    results: list[Any] = [None] * count
    next_index = iter(range(count))

    async def lane() -> None:
        for i in next_index:
            results[i] = await job(i)

    await asyncio.gather(*(lane() for _ in range(min(concurrency, count))))
    return results


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# -- starts and open cases ---------------------------------------------------------------------


async def starts(run: Run) -> tuple[StartsResult, OpenResult]:
    n = run.size
    server = run.stack.server
    db_empty, used_empty = server.db_bytes(), server.db_used_bytes()
    before = run.planned()
    w0, s0 = run.worker_usage(), run.server_usage()
    driver0 = time.process_time()
    began = time.perf_counter()
    await pool(n, run.options.start_concurrency, lambda i: start_quiet(run, i))
    calls_done = time.perf_counter() - began
    await wait_for_progress(
        lambda: run.planned() - before, n, f"{n} starts planned", run.options.stall_s
    )
    seconds = time.perf_counter() - began
    w1, s1 = run.worker_usage(), run.server_usage()
    db, used = server.db_bytes(), server.db_used_bytes()
    started = StartsResult(
        cases=n,
        seconds=seconds,
        per_s=n / seconds,
        calls_seconds=calls_done,
        driver_cpu_s=time.process_time() - driver0,
    )
    opened = OpenResult(
        cases=n,
        worker_rss_bytes=w1.rss,
        worker_cpu_s=w1.cpu - w0.cpu,
        server_rss_bytes=s1.rss,
        server_cpu_s=s1.cpu - s0.cpu,
        db_bytes_empty=db_empty,
        db_bytes=db,
        db_bytes_per_case=(db - db_empty) / n,
        db_used_bytes_empty=used_empty,
        db_used_bytes=used,
        db_used_bytes_per_case=(used - used_empty) / n,
    )
    return started, opened


async def start_quiet(run: Run, i: int) -> None:
    clients = run.start_clients or [run.client]
    await run.system.start_quiet(clients[i % len(clients)], run.workers.task_queue, i)


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # accepted, refused, error
    latency_s: float
    done_at: float
    message: str = ""


async def one_event(run: Run, case: int) -> Outcome:
    k = run.events_per_case[case]
    run.events_per_case[case] += 1
    began = time.perf_counter()
    try:
        await asyncio.wait_for(run.system.send_event(run.client, case, k), EVENT_TIMEOUT_S)
        status, message = "accepted", ""
    except WorkflowUpdateFailedError as failed:
        status, message = "refused", str(getattr(failed.cause, "message", failed.cause))
    except Exception as error:  # counted and shown, never hidden: an RPC error, a timeout
        status, message = "error", f"{type(error).__name__}: {error}"
    done = time.perf_counter()
    return Outcome(status, done - began, done, message)


def summarise(
    outcomes: list[Outcome], began: float, cpu_s: float, rate: float | None, lanes: int | None
) -> EventsResult:
    accepted = [o for o in outcomes if o.status == "accepted"]
    latencies = [o.latency_s * 1000 for o in accepted]
    end = max((o.done_at for o in outcomes), default=began)
    # At a fixed rate the window is the offered period (or longer, if answers lag behind):
    # a system that keeps up then shows exactly the offered rate.
    offered_s = len(outcomes) / rate if rate else 0.0
    seconds = max(end - began, offered_s, 1e-9)
    messages = list(dict.fromkeys(o.message for o in outcomes if o.message))
    return EventsResult(
        offered_rate=rate,
        concurrency=lanes,
        sent=len(outcomes),
        accepted=len(accepted),
        refused=sum(o.status == "refused" for o in outcomes),
        errors=sum(o.status == "error" for o in outcomes),
        seconds=seconds,
        per_s=len(accepted) / seconds,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        max_ms=max(latencies, default=0.0),
        worker_cpu_s=cpu_s,
        messages=messages[:MESSAGES_KEPT],
    )


async def events_saturation(run: Run) -> EventsResult:
    """min(size, events_max) events, one per case, `event_concurrency` in flight."""
    count = min(run.size, run.options.events_max)
    lanes = run.options.event_concurrency
    cpu0, server0 = run.worker_usage().cpu, run.server_usage().cpu
    began = time.perf_counter()
    outcomes = await pool(count, lanes, lambda i: one_event(run, i))
    result = summarise(outcomes, began, run.worker_usage().cpu - cpu0, None, lanes)
    return result.model_copy(update={"server_cpu_s": run.server_usage().cpu - server0})


async def events_fixed_rate(run: Run, first_case: int) -> EventsResult:
    """Open loop: one event every 1/rate s whatever the answers, on cases after those the
    closed loop used (cycling), so latency is measured at a load the system is offered."""
    rate, total = run.options.rate, max(1, round(run.options.rate * run.options.rate_seconds))
    cpu0 = run.worker_usage().cpu
    began = time.perf_counter()
    tasks = []
    for i in range(total):
        delay = began + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the offered load, not waiting for a result
        case = (first_case + i) % run.size
        tasks.append(asyncio.create_task(one_event(run, case)))
    outcomes = await asyncio.gather(*tasks)
    return summarise(list(outcomes), began, run.worker_usage().cpu - cpu0, rate, None)


# -- reminders ---------------------------------------------------------------------------------


def start_clients(run: Run) -> int:
    """Client connections for the starts: --start-clients, else one per 25,000 cases (1-4)."""
    if run.options.start_clients:
        return run.options.start_clients
    return max(1, min(4, run.size // 25_000))


def min_idle_s(run: Run) -> float:
    return MIN_IDLE_SMOKE_S if run.options.smoke else MIN_IDLE_S


def choose_t0(run: Run, starts_per_s: float, restart_s: float) -> datetime:
    """T0 far enough ahead to restart the workers and start every due case before it,
    from this system's own measured start rate (with room: the machine may be busy)."""
    count = run.options.reminders
    lead = run.options.reminder_lead_s
    if lead is None:
        # started 8 at a time, not 64: about half the measured rate, plus the idle time
        rate = max(starts_per_s / 2, 1.0)
        extra = LEAD_EXTRA_SMOKE_S if run.options.smoke else LEAD_EXTRA_S
        lead = LEAD_MARGIN * count / rate + extra + min_idle_s(run)
    at = time.time() + LEAD_MARGIN * restart_s + lead
    return datetime.fromtimestamp(math.ceil(at), UTC)  # whole seconds: HH:MM:SS


async def reminders(run: Run, starts_per_s: float, restart_s: float) -> RemindersResult:
    count, system = run.options.reminders, run.system
    system.spread_s = run.options.reminder_spread_s
    t0 = choose_t0(run, starts_per_s, restart_s)
    system.prepare_due(t0)
    # Ours fixes the reminder time of day into each case at its start, from the worker's
    # settings; the baseline restarts too, so both meet T0 with a fresh worker.
    await run.stack.restart_workers(system.reminder_env(t0))
    seen = len(run.stack.sink.read())
    cpu0 = run.worker_usage().cpu
    before = run.planned()

    async def start_due(i: int) -> None:
        await system.start_due(run.client, run.workers.task_queue, i, t0)

    await pool(count, min(DUE_START_CONCURRENCY, run.options.start_concurrency), start_due)
    await wait_for_progress(
        lambda: run.planned() - before, count, f"{count} due cases planned", run.options.stall_s
    )
    slack = t0.timestamp() - time.time()
    if slack < min_idle_s(run):
        raise BenchTimeout(
            f"{system.name}: the due cases were planned {slack:.1f} s before T0, less than the "
            f"{min_idle_s(run):.0f} s idle asked for; give a longer --reminder-lead (the "
            "machine is slower than the measured start rate suggested)"
        )
    expected = count * system.emails_per_due_case
    wanted = {system.due_id(i) for i in range(count)}
    emails = await collect_emails(run, seen, t0, expected, wanted)
    late = [(e["t"] - due_at(run, e, t0)) * 1000 for e in emails if owner(run, e) in wanted]
    return RemindersResult(
        cases=count,
        emails_per_case=system.emails_per_due_case,
        emails_expected=expected,
        emails_received=len(late),
        unexpected=len(emails) - len(late),
        t0=t0.isoformat(),
        spread_s=system.spread_s,
        lead_s=slack,
        lateness_min_ms=min(late, default=0.0),
        lateness_p50_ms=percentile(late, 50),
        lateness_p99_ms=percentile(late, 99),
        lateness_max_ms=max(late, default=0.0),
        worker_cpu_s=run.worker_usage().cpu - cpu0,
    )


def owner(run: Run, email: dict[str, Any]) -> str | None:
    return run.system.message_owner(email.get("args") or {})


def due_at(run: Run, email: dict[str, Any], t0: datetime) -> float:
    """The second this email's case was due to send (T0 plus its slot in the spread)."""
    return run.system.due_at(email.get("args") or {}, t0)


async def collect_emails(
    run: Run, seen: int, t0: datetime, expected: int, wanted: set[str]
) -> list[dict[str, Any]]:
    """Every email since `seen`, once the expected ones are in and a short grace has shown
    nothing else comes; fails loudly on missing, early or unwanted emails."""

    def fresh() -> list[dict[str, Any]]:
        return run.stack.sink.read()[seen:]

    budget = t0.timestamp() - time.time() + run.system.spread_s + max(30.0, expected / 10)
    try:
        await wait_until(lambda: len(fresh()) >= expected, f"{expected} reminder emails", budget)
    except BenchTimeout as timeout:
        got = len(fresh())
        raise BenchError(f"{run.system.name}: {got}/{expected} emails: {timeout}") from None
    await asyncio.sleep(EXTRA_EMAIL_GRACE_S)  # listening for extras, not waiting for a result
    emails = fresh()
    unwanted = [e for e in emails if owner(run, e) not in wanted]
    early = [e for e in emails if e["t"] < due_at(run, e, t0)]
    per_case = Counter(owner(run, e) for e in emails)
    doubled = {case: n for case, n in per_case.items() if n > run.system.emails_per_due_case}
    if unwanted or early or doubled:
        raise BenchError(
            f"{run.system.name}: {len(unwanted)} emails from cases not due at T0 "
            f"(first {unwanted[:1]}), {len(early)} before they were due, {len(doubled)} "
            f"cases sent more than {run.system.emails_per_due_case}"
        )
    return emails


async def due_history(run: Run) -> HistoryResult:
    """History of a few due cases after their reminders: events and bytes as stored."""
    sample = min(HISTORY_SAMPLE, run.options.reminders)
    sizes = []
    for i in range(sample):
        history = await run.client.get_workflow_handle(run.system.due_id(i)).fetch_history()
        sizes.append((len(history.events), History(events=history.events).ByteSize()))
    return HistoryResult(
        sampled=sample,
        events=sum(e for e, _ in sizes) / sample,
        bytes=sum(b for _, b in sizes) / sample,
    )


# -- one system at one size --------------------------------------------------------------------


async def run_system(system: System, size: int, options: BenchOptions, folder: Path) -> SystemRun:
    stack = Stack(folder, system, options)
    try:
        began = time.monotonic()
        await stack.start()
        startup_s = time.monotonic() - began
        client = await system.connect(stack.server.address)
        run = Run(system, client, stack, size, options)
        # more connections for the starts at large sizes: one gRPC connection's stream limit
        # and the driver's single event loop are then what holds the starts back
        more = range(start_clients(run) - 1)
        run.start_clients = [client, *[await system.connect(stack.server.address) for _ in more]]
        say(f"{system.name} {size:,}: stack up in {startup_s:.1f} s; starting {size:,} cases")
        started, opened = await starts(run)
        say(f"{system.name} {size:,}: {started.per_s:.1f} starts/s; events")
        saturation = await events_saturation(run)
        rate = await events_fixed_rate(run, first_case=saturation.sent)
        say(f"{system.name} {size:,}: {saturation.per_s:.1f} events/s; reminders")
        reminded = await reminders(run, started.per_s, restart_s=stack.worker_start_s)
        history = await due_history(run)
        lines = stack.workers.log_lines()
        return SystemRun(
            system=system.name,
            size=size,
            workers=options.workers,
            worker_config=(stack.workers.stats() or [{}])[0].get("config", {}),
            starts=started,
            open=opened,
            saturation=saturation,
            rate=rate,
            reminders=reminded,
            history=history,
            activity_failures=stack.workers.failed(),
            worker_log=lines[: MESSAGES_KEPT * 4],
            worker_log_lines=len(lines),
        )
    finally:
        stack.stop()


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)
