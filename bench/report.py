"""The results: pydantic models for the JSON file, the measure catalogue (what is compared,
in which unit, which way is better) and the printed tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from bench.stack import DEFAULT_PRAGMAS

MB = 1024 * 1024


class BenchOptions(BaseModel):
    sizes: list[int]
    workers: int = 1
    #: client-side starts in flight
    start_concurrency: int = 64
    #: client connections the starts share (0: one per 25,000 cases, 1 to 4)
    start_clients: int = 0
    #: closed-loop events in flight (saturation)
    event_concurrency: int = 32
    #: saturation sends min(size, events_max) events, one per case
    events_max: int = 2000
    rate: float = 20.0
    rate_seconds: float = 15.0
    reminders: int = 1000
    #: due cases wake over this many seconds after T0, each at its own second, as deployed
    #: (EHCP_REMINDER_SPREAD_S); 0: every one at T0 exactly
    reminder_spread_s: int = 60
    #: seconds from the last due start to T0; None: worked out from the measured start rate
    reminder_lead_s: float | None = None
    #: fail a wait when its count stops moving this long
    stall_s: float = 120.0
    systems: list[str] = Field(default_factory=lambda: ["baseline", "codec", "ours"])
    #: given to the dev server's SQLite as --sqlite-pragma
    sqlite_pragmas: list[str] = Field(default_factory=lambda: list(DEFAULT_PRAGMAS))
    lifecycle: bool = True
    smoke: bool = False
    worker_args: list[str] = Field(default_factory=list)
    #: extra environment for every worker (the bench drops the caller's EHCP_* variables)
    worker_env: dict[str, str] = Field(default_factory=dict)


class Environment(BaseModel):
    cpu_count: int
    python: str
    temporalio: str
    temporal_cli: str
    platform: str
    git_commit: str
    git_dirty: bool
    started_at: str
    finished_at: str = ""
    duration_s: float = 0.0
    loadavg_start: list[float]
    loadavg_end: list[float] = Field(default_factory=list)


class StartsResult(BaseModel):
    cases: int
    seconds: float  # first start call to the last start planned by a worker
    per_s: float
    calls_seconds: float  # first start call to the last one answered
    driver_cpu_s: float  # this process's CPU while starting: it shares the machine


class OpenResult(BaseModel):
    """With every started case open (sleeping on a timer)."""

    cases: int
    worker_rss_bytes: int
    worker_cpu_s: float  # spent during the starts phase
    server_rss_bytes: int
    server_cpu_s: float  # spent during the starts phase
    db_bytes_empty: int  # files: the database and its write-ahead log
    db_bytes: int
    db_bytes_per_case: float
    db_used_bytes_empty: int  # pages in use
    db_used_bytes: int
    db_used_bytes_per_case: float


class EventsResult(BaseModel):
    offered_rate: float | None  # None: closed loop (saturation)
    concurrency: int | None
    sent: int
    accepted: int
    refused: int
    errors: int
    seconds: float
    per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    worker_cpu_s: float
    server_cpu_s: float = 0.0
    #: the first few refusal and error messages, verbatim
    messages: list[str] = Field(default_factory=list)


class RemindersResult(BaseModel):
    cases: int
    emails_per_case: int
    emails_expected: int
    emails_received: int
    unexpected: int
    t0: str
    spread_s: int = 0  # lateness is measured from each case's own second in the spread
    lead_s: float  # T0 minus the moment the last due case was planned
    lateness_min_ms: float
    lateness_p50_ms: float
    lateness_p99_ms: float
    lateness_max_ms: float
    worker_cpu_s: float


class HistoryResult(BaseModel):
    """A due case after its reminders went out (start, plan, timer, send)."""

    sampled: int
    events: float
    bytes: float


class SystemRun(BaseModel):
    system: str
    size: int
    workers: int
    worker_config: dict[str, object] = Field(default_factory=dict)
    starts: StartsResult
    open: OpenResult
    saturation: EventsResult
    rate: EventsResult
    reminders: RemindersResult
    history: HistoryResult
    activity_failures: dict[str, int] = Field(default_factory=dict)
    #: what the workers logged (WARNING and above), first lines
    worker_log: list[str] = Field(default_factory=list)
    worker_log_lines: int = 0


class LifecycleRun(BaseModel):
    run_id: str
    history_events: int
    history_bytes: int
    payload_bytes: int


class LifecycleResult(BaseModel):
    """Ours only: the longest lifecycle (every route) on the time-skipping test server."""

    extra_events: int
    events_recorded: int
    notices_sent: int
    deadlines: int
    wall_s: float
    runs: list[LifecycleRun]
    history_events: int
    history_bytes: int
    payload_bytes: int


class BenchResult(BaseModel):
    environment: Environment
    options: BenchOptions
    runs: list[SystemRun] = Field(default_factory=list)
    lifecycle: LifecycleResult | None = None
    #: size -> system -> measure -> value: the flat figures the tables show
    measures: dict[str, dict[str, dict[str, float]]] = Field(default_factory=dict)
    #: size -> measure -> ours/baseline
    ratios: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    #: size -> measure -> ours/codec (the baseline with ours' encrypting codec)
    ratios_codec: dict[str, dict[str, float | None]] = Field(default_factory=dict)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2) + "\n")


# -- the measure catalogue ---------------------------------------------------------------------

Better = Literal["higher", "lower", "-"]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    better: Better
    get: Callable[[SystemRun], float]
    digits: int = 1


def _per(total: float, count: int, scale: float = 1.0) -> float:
    return total * scale / count if count else 0.0


MEASURES: list[Measure] = [
    Measure("starts_per_s", "case starts/s", "higher", lambda r: r.starts.per_s),
    Measure(
        "worker_rss_mb", "worker RSS with N open cases, MB", "lower",
        lambda r: r.open.worker_rss_bytes / MB,
    ),
    Measure(
        "worker_cpu_ms_per_start", "worker CPU per start, ms", "lower",
        lambda r: _per(r.open.worker_cpu_s, r.starts.cases, 1000), 2,
    ),
    Measure("server_rss_mb", "server RSS with N open cases, MB", "lower",
            lambda r: r.open.server_rss_bytes / MB),
    Measure(
        "server_cpu_ms_per_start", "server CPU per start, ms", "lower",
        lambda r: _per(r.open.server_cpu_s, r.starts.cases, 1000), 2,
    ),
    Measure("db_bytes_per_case", "SQLite file (+wal) bytes per open case", "lower",
            lambda r: r.open.db_bytes_per_case, 0),
    Measure("db_used_bytes_per_case", "SQLite pages in use, bytes per open case", "lower",
            lambda r: r.open.db_used_bytes_per_case, 0),
    Measure("events_per_s", "events accepted/s (closed loop)", "higher",
            lambda r: r.saturation.per_s),
    Measure(
        "worker_cpu_ms_per_event", "worker CPU per event, ms", "lower",
        lambda r: _per(r.saturation.worker_cpu_s, r.saturation.accepted, 1000), 2,
    ),
    Measure(
        "server_cpu_ms_per_event", "server CPU per event, ms", "lower",
        lambda r: _per(r.saturation.server_cpu_s, r.saturation.accepted, 1000), 2,
    ),
    Measure("rate_accepted_per_s", "events accepted/s at the fixed rate", "higher",
            lambda r: r.rate.per_s),
    Measure("update_p50_ms", "update latency p50 at the fixed rate, ms", "lower",
            lambda r: r.rate.p50_ms),
    Measure("update_p99_ms", "update latency p99 at the fixed rate, ms", "lower",
            lambda r: r.rate.p99_ms),
    Measure("lateness_p50_ms", "reminder lateness p50 (from its due second), ms", "lower",
            lambda r: r.reminders.lateness_p50_ms),
    Measure("lateness_p99_ms", "reminder lateness p99 (from its due second), ms", "lower",
            lambda r: r.reminders.lateness_p99_ms),
    Measure("lateness_max_ms", "reminder lateness max (from its due second), ms", "lower",
            lambda r: r.reminders.lateness_max_ms),
    Measure("reminder_emails", "reminder emails received", "-",
            lambda r: r.reminders.emails_received, 0),
    Measure("history_events_due_case", "history events per due case", "lower",
            lambda r: r.history.events, 0),
    Measure("history_bytes_due_case", "history bytes per due case", "lower",
            lambda r: r.history.bytes, 0),
]  # fmt: skip


def tabulate(result: BenchResult) -> None:
    """Fill `measures` and `ratios` from the runs."""
    for run in result.runs:
        figures = {m.key: round(m.get(run), 3) for m in MEASURES}
        result.measures.setdefault(str(run.size), {})[run.system] = figures
    for size, systems in result.measures.items():
        ours, base, codec = systems.get("ours"), systems.get("baseline"), systems.get("codec")
        if ours and base:
            result.ratios[size] = {m.key: ratio(ours[m.key], base[m.key]) for m in MEASURES}
        if ours and codec:
            result.ratios_codec[size] = {m.key: ratio(ours[m.key], codec[m.key]) for m in MEASURES}


def ratio(ours: float, base: float) -> float | None:
    return round(ours / base, 3) if base else None


# -- printing --------------------------------------------------------------------------------


def _num(value: float | None, digits: int) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _row(cells: list[str], widths: list[int]) -> str:
    first, *rest = cells
    right = (cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True))
    return "  ".join([first.ljust(widths[0]), *right])


def size_table(result: BenchResult, size: str) -> str:
    systems = result.measures[size]
    runs = [r for r in result.runs if str(r.size) == size]
    workers = runs[0].workers if runs else 0
    header = ["measure", "baseline", "+codec", "ours", "ours/base", "ours/codec", "better"]
    rows = [header]
    for m in MEASURES:
        base = systems.get("baseline", {}).get(m.key)
        codec = systems.get("codec", {}).get(m.key)
        ours = systems.get("ours", {}).get(m.key)
        r = result.ratios.get(size, {}).get(m.key) if m.better != "-" else None
        rc = result.ratios_codec.get(size, {}).get(m.key) if m.better != "-" else None
        rows.append([m.label, _num(base, m.digits), _num(codec, m.digits), _num(ours, m.digits),
                     "n/a" if r is None else f"{r:.2f}x",
                     "n/a" if rc is None else f"{rc:.2f}x", m.better])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    title = f"== {int(size):,} open cases, {workers} worker process(es) per system =="
    lines = [title, _row(header, widths), _row(["-" * w for w in widths], widths)]
    lines += [_row(row, widths) for row in rows[1:]]
    return "\n".join(lines)


def scaling_table(result: BenchResult) -> str:
    sizes = [s for s in result.measures if s in result.ratios]
    if len(sizes) < 2:
        return ""
    header = ["ours/base by size", *(f"{int(s):,}" for s in sizes), "better"]
    rows = [header]
    for m in MEASURES:
        if m.better == "-":
            continue
        cells = [result.ratios[s].get(m.key) for s in sizes]
        rows.append([m.label, *("n/a" if c is None else f"{c:.2f}x" for c in cells), m.better])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["== scaling: ratio ours/baseline ==", _row(header, widths)]
    lines += [_row(["-" * w for w in widths], widths)] + [_row(r, widths) for r in rows[1:]]
    return "\n".join(lines)


def lifecycle_table(life: LifecycleResult | None) -> str:
    if life is None:
        return "== longest lifecycle (ours): skipped =="
    lines = [
        "== longest lifecycle, ours (every route; baseline: n/a) ==",
        f"events recorded {life.events_recorded}, emails sent {life.notices_sent}, "
        f"deadlines {life.deadlines}, extra reschedules {life.extra_events}, "
        f"runs {len(life.runs)}",
        f"history events per case: {life.history_events:,}",
        f"history bytes per case:  {life.history_bytes:,} "
        f"(payload bytes {life.payload_bytes:,}, encrypted)",
    ]
    return "\n".join(lines)


def notes(result: BenchResult) -> str:
    env = result.environment
    lines = [
        "baseline = bare SDK, default converter; +codec = the same with ours' AES-GCM codec; "
        "neither has domain rules, search attributes or case records (bench/README.md).\n"
        "ratio = ours/baseline, ours/codec; 'better' says which way is good. "
        f"{env.cpu_count} CPUs, "
        f"load average {env.loadavg_start[0]:.2f} at start, "
        f"{(env.loadavg_end or [0.0])[0]:.2f} at end; git {env.git_commit[:10]}"
        f"{' (dirty)' if env.git_dirty else ''}; {env.duration_s:.0f} s in all.",
    ]
    for run in result.runs:
        problems = []
        if run.saturation.refused + run.rate.refused:
            problems.append(f"{run.saturation.refused + run.rate.refused} events refused")
        if run.saturation.errors + run.rate.errors:
            problems.append(f"{run.saturation.errors + run.rate.errors} event errors")
        if run.activity_failures:
            problems.append(f"activity failures {run.activity_failures}")
        if run.worker_log_lines:
            problems.append(f"{run.worker_log_lines} worker log lines (WARNING+)")
        if problems:
            lines.append(f"{run.system} at {run.size:,}: " + "; ".join(problems))
    return "\n".join(lines)


def render(result: BenchResult) -> str:
    parts = [size_table(result, size) for size in result.measures]
    parts += [scaling_table(result), lifecycle_table(result.lifecycle), notes(result)]
    return "\n\n".join(p for p in parts if p)
