"""`python -m bench`: ours and two bare-SDK baselines (plain, and with ours' encrypting codec)
under the same load, side by side.

    python -m bench [--size 1000,10000] [--workers 1] [--rate 20] [--reminders 1000]
                    [--json PATH] [--smoke]

For each size, baseline, codec then ours, each on a fresh dev server (SQLite in a temp folder),
sink and worker processes: starts, open-case footprint, events (closed loop and at a fixed
rate), reminders due in the same minute, history per due case. Then ours' longest lifecycle on
the time-skipping server. Prints a table per size (ratio ours/baseline) and writes every raw
figure with the environment to JSON (default bench/results/, git-ignored). Exit status 1 when
a run fails (its reason is printed; the JSON keeps the runs that finished).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.lifecycle import TEST_SERVER
from bench.load import BenchError, run_system, say
from bench.report import BenchOptions, BenchResult, Environment, LifecycleResult, render, tabulate
from bench.stack import DEFAULT_PRAGMAS, ROOT, TEMPORAL
from bench.systems import Baseline, BaselineCodec, Ours, System
from bench.waiting import BenchTimeout
from ehcp.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
LIFECYCLE_TIMEOUT_S = 300
SMOKE = {
    "sizes": [50],
    "events_max": 20,
    "rate": 5.0,
    "rate_seconds": 3.0,
    "reminders": 10,
    "reminder_spread_s": 2,  # still spread (two seconds' slots), but a short wait
    "stall_s": 60.0,
}


#: the smallest size: the fixed-rate phase spreads its updates over the open cases, and
#: Temporal takes at most 10 updates in flight per workflow
MIN_SIZE = 50
SYSTEMS = ("baseline", "codec", "ours")


def sizes(text: str) -> list[int]:
    parts = [part.strip().replace("_", "") for part in text.split(",")]
    try:
        found = [int(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give sizes like 1000,10000") from None
    if min(found) < MIN_SIZE:
        raise argparse.ArgumentTypeError(f"{text!r}: each size must be at least {MIN_SIZE}")
    return found


def _positive(cast: type, kind: str, least: str):
    """An argparse type: a number of `cast` above 0, refused with what is wrong."""

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {kind}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r}: must be {least}")
        return value

    return parse


positive_int = _positive(int, "whole number", "1 or more")
positive_float = _positive(float, "number", "more than 0")


def systems(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"{', '.join(map(repr, unknown))}: systems are any of {', '.join(SYSTEMS)}"
        )
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"{text!r}: a system is named twice")
    return names


def key_value(text: str) -> str:
    if "=" not in text or not text.split("=", 1)[0]:
        raise argparse.ArgumentTypeError(f"{text!r}: give KEY=VALUE")
    return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument(
        "--size",
        type=sizes,
        default=[1000],
        help="open cases, comma-separated, each at least 50: 1000 (default, about 8 minutes); "
        "the scaling run is 1000,10000 (make bench-scale, about 30 minutes); 100000 takes "
        "about 50 minutes for ours alone (--systems ours)",
    )
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes per system")
    p.add_argument(
        "--rate", type=positive_float, default=20.0, help="offered events/s (fixed rate)"
    )
    p.add_argument("--rate-seconds", type=positive_float, default=15.0, help="fixed-rate duration")
    p.add_argument("--reminders", type=positive_int, default=1000, help="cases due in one minute")
    p.add_argument(
        "--reminder-spread",
        type=int,
        default=Settings().reminder_spread_s,
        help="s after T0 over which due cases wake, each at its own second (as deployed: "
        "EHCP_REMINDER_SPREAD_S); 0: all at T0",
    )
    p.add_argument("--reminder-lead", type=float, help="s from last due start to T0")
    p.add_argument("--start-concurrency", type=positive_int, default=64)
    p.add_argument(
        "--start-clients",
        type=int,
        default=0,
        help="client connections the starts share (default: one per 25,000 cases, 1 to 4)",
    )
    p.add_argument("--event-concurrency", type=positive_int, default=32)
    p.add_argument(
        "--events-max", type=positive_int, default=2000, help="closed-loop events per size"
    )
    p.add_argument(
        "--systems",
        type=systems,
        default=list(SYSTEMS),
        help="comma-separated, any of baseline (bare SDK), codec (bare SDK + ours' encrypting "
        "codec), ours (default: all three)",
    )
    p.add_argument(
        "--sqlite-pragma",
        action="append",
        help="dev server SQLite pragma, repeatable (default journal_mode=wal, "
        "synchronous=normal; 'none' for the dev server's own defaults)",
    )
    p.add_argument("--no-lifecycle", action="store_true", help="skip the lifecycle figures")
    p.add_argument("--json", type=Path, help="results file (default bench/results/...)")
    p.add_argument("--smoke", action="store_true", help="tiny sizes, about a minute")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs, SQLite)")
    tuning = p.add_argument_group("worker tuning (all systems alike)")
    tuning.add_argument(
        "--worker-env",
        action="append",
        default=[],
        type=key_value,
        metavar="KEY=VALUE",
        help="extra worker environment, repeatable (the caller's EHCP_* are not passed on)",
    )
    for flag in ("--max-cached", "--max-workflow-tasks", "--max-activities",
                 "--max-local-activities", "--executor-threads"):  # fmt: skip
        tuning.add_argument(flag, type=int)
    return p.parse_args(argv)


def options_from(args: argparse.Namespace) -> BenchOptions:
    tuning = []
    for name in ("max_cached", "max_workflow_tasks", "max_activities", "max_local_activities",
                 "executor_threads"):  # fmt: skip
        if (value := getattr(args, name)) is not None:
            tuning += [f"--{name.replace('_', '-')}", str(value)]
    options = BenchOptions(
        sizes=args.size,
        workers=args.workers,
        start_concurrency=args.start_concurrency,
        start_clients=args.start_clients,
        event_concurrency=args.event_concurrency,
        events_max=args.events_max,
        rate=args.rate,
        rate_seconds=args.rate_seconds,
        reminders=args.reminders,
        reminder_lead_s=args.reminder_lead,
        reminder_spread_s=args.reminder_spread,
        systems=args.systems,
        sqlite_pragmas=pragmas(args.sqlite_pragma),
        lifecycle=not args.no_lifecycle,
        smoke=args.smoke,
        worker_args=tuning,
        worker_env=dict(pair.split("=", 1) for pair in args.worker_env),
    )
    return options.model_copy(update=SMOKE) if args.smoke else options


def pragmas(given: list[str] | None) -> list[str]:
    if given is None:
        return list(DEFAULT_PRAGMAS)
    return [p for p in given if p != "none"]


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def environment() -> Environment:
    cli = subprocess.run([str(TEMPORAL), "--version"], capture_output=True, text=True, check=False)
    return Environment(
        cpu_count=os.cpu_count() or 0,
        python=sys.version.split()[0],
        temporalio=version("temporalio"),
        temporal_cli=cli.stdout.strip(),
        platform=platform.platform(),
        git_commit=git("rev-parse", "HEAD"),
        git_dirty=bool(git("status", "--porcelain", "--untracked-files=no")),
        started_at=datetime.now(UTC).isoformat(),
        loadavg_start=list(os.getloadavg()),
    )


def make_system(name: str) -> System:
    if name == "ours":
        return Ours()
    if name == "baseline":
        return Baseline()
    if name == "codec":
        return BaselineCodec()
    raise SystemExit(f"bench: unknown system {name!r} (baseline, codec, ours)")


def lifecycle(folder: Path) -> LifecycleResult:
    """In its own process, as `python -m bench.lifecycle --events 0`: every route, no extra
    reschedules. Its own process keeps the test server's worker out of the figures."""
    if not TEST_SERVER.is_file():
        raise BenchError(f"no time-skipping test server at {TEST_SERVER}: install the dev extra")
    out = folder / "lifecycle.json"
    cmd = [sys.executable, "-m", "bench.lifecycle", "--events", "0", "--json", str(out)]
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=LIFECYCLE_TIMEOUT_S, check=False
    )
    if done.returncode != 0 or not out.exists():
        raise BenchError(f"lifecycle failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return LifecycleResult.model_validate_json(out.read_text())


async def run_all(result: BenchResult, folder: Path) -> None:
    options = result.options
    for size in options.sizes:
        for name in options.systems:
            run_folder = folder / f"{name}-{size}"
            run_folder.mkdir()
            result.runs.append(await run_system(make_system(name), size, options, run_folder))
    if options.lifecycle:
        say("ours' longest lifecycle on the time-skipping server")
        result.lifecycle = lifecycle(folder)


def finish(result: BenchResult, path: Path, began: float) -> None:
    env = result.environment
    env.finished_at = datetime.now(UTC).isoformat()
    env.duration_s = time.monotonic() - began
    env.loadavg_end = list(os.getloadavg())
    tabulate(result)
    result.write(path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = options_from(args)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = args.json or RESULTS / f"bench-{stamp}.json"
    result = BenchResult(environment=environment(), options=options)
    folder = Path(tempfile.mkdtemp(prefix="ehcp-bench-"))
    began = time.monotonic()
    failed: str | None = None
    try:
        asyncio.run(run_all(result, folder))
    except (BenchError, BenchTimeout, RuntimeError) as error:
        failed = f"{type(error).__name__}: {error}"
    finally:
        finish(result, path, began)
    print("\n" + render(result), flush=True)
    print(f"\nresults: {path}", flush=True)
    if failed or args.keep:
        print(f"logs, SQLite files: {folder}", flush=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    if failed:
        print(f"bench: FAILED: {failed}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    status = main()
    # As worker.py: the SDK's Rust threads can abort interpreter finalisation after a clean
    # run ("PyGILState_Release"), which would turn a good run's exit status into a crash.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
