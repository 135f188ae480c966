"""`python -m bench.api`: the HTTP API beside the direct Temporal client, on one stack.

    python -m bench.api [--cases 200] [--open-cases 1000] [--seconds 10] [--concurrency 16]

Starts `scripts/run_dev.py` (dev server, worker, API) on free ports with a temporary data dir,
starts `--open-cases` cases (the list's population), then measures with the same concurrency:
status reads/s through `GET /api/v1/cases/{ref}` and through the client's query; event
writes/s through `POST /api/v1/cases/{ref}/events` and through the client's update (one event
per case, each case used once); p50/p99 of `GET /api/v1/cases?due_within=7`. Prints a table
(figures, not assertions). docs/performance.md records the figures measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from ehcp.models import parse_event
from ehcp.payloads import CaseStatus, EventReceipt, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date
from service.callers import Role
from store.api_keys import ApiKeys

ROOT = Path(__file__).resolve().parent.parent
BANNER = re.compile(r"server pid (\d+), worker pid (\d+)")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def case(ref: str, decision: str) -> dict:
    return {
        "case_ref": ref,
        "decision_type": "plan_content",
        "decision_date": decision,
        "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
        "caseworker": {"name": "Alex Caseworker", "email": "alex.cw@rutland.gov.uk"},
    }


async def rate(
    name: str, items: list, concurrency: int, call: Callable[[object], Awaitable[None]],
    seconds: float | None = None,
) -> float:  # fmt: skip
    """Calls per second with `concurrency` in flight, over `items` (or `seconds`, cycling)."""
    queue = list(items)
    done = 0
    stop_at = time.monotonic() + seconds if seconds else None
    started = time.monotonic()

    async def lane() -> None:
        nonlocal done
        while queue and (stop_at is None or time.monotonic() < stop_at):
            item = queue.pop()
            if stop_at is not None:
                queue.insert(0, item)
            await call(item)
            done += 1

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    per_s = done / (time.monotonic() - started)
    print(f"  {name}: {done} calls, {per_s:.0f}/s", flush=True)
    return per_s


#: the API and the client take turns, ABBA, so that a change in the machine's load (it is shared)
#: falls on both sides alike instead of on whichever ran second
ROUNDS = 4


async def paired(
    api_items: list, client_items: list, concurrency: int,
    api_call: Callable[[object], Awaitable[None]],
    client_call: Callable[[object], Awaitable[None]],
    seconds: float | None = None,
) -> tuple[float, float]:  # fmt: skip
    """Calls per second of each side over `ROUNDS` turns each (ABBA order): with `seconds`,
    each turn lasts seconds / ROUNDS (cycling through the items); without, each turn takes
    the next 1/ROUNDS of that side's items (each used once)."""
    done = {"API": 0.0, "client": 0.0}
    took = {"API": 0.0, "client": 0.0}
    sides = {"API": (api_items, api_call), "client": (client_items, client_call)}
    for turn in range(ROUNDS):
        order = ("API", "client") if turn % 2 == 0 else ("client", "API")
        for side in order:
            items, call = sides[side]
            if seconds:
                part, limit = items, seconds / ROUNDS
            else:
                size = -(-len(items) // ROUNDS)
                part, limit = items[turn * size : (turn + 1) * size], None
            if not part:
                continue
            started = time.monotonic()
            per_s = await rate(f"{side} turn {turn + 1}", part, concurrency, call, limit)
            elapsed = time.monotonic() - started
            done[side] += per_s * elapsed
            took[side] += elapsed
    return done["API"] / took["API"], done["client"] / took["client"]


async def main(args: argparse.Namespace, measure_on: Callable | None = None) -> int:
    """Start the stack, run `measure_on` (default: this module's `measure`) on it, stop it."""
    data = Path(tempfile.mkdtemp(prefix="bench-api-"))
    port, api_port = free_port(), free_port()
    env = {
        **os.environ,
        "EHCP_DEV_PORT": str(port),
        "EHCP_DEV_UI_PORT": str(free_port()),
        "EHCP_API_PORT": str(api_port),
        # the pages' local identity provider on a free port, never a developer's 9400
        "EHCP_DEV_OIDC_PORT": str(free_port()),
        "EHCP_DATA_DIR": str(data),
        "EHCP_REMINDER_SPREAD_S": "60",
    }
    env.pop("EHCP_DATABASE_URL", None)
    log = data / "run_dev.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "scripts/run_dev.py"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not BANNER.search(log.read_text(errors="replace")):
            if proc.poll() is not None or time.monotonic() > deadline:
                print(log.read_text(errors="replace"))
                return 1
            await asyncio.sleep(0.1)
        return await (measure_on or measure)(args, data, port, api_port)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(90)


async def measure(args: argparse.Namespace, data: Path, port: int, api_port: int) -> int:
    from worker import connect

    os.environ["EHCP_CODEC_KEY_FILE"] = str(data / "dev-codec-keys.json")
    settings = Settings(temporal_address=f"127.0.0.1:{port}")
    client = await connect(settings)
    key, _ = ApiKeys(f"sqlite:///{data / 'ehcp.db'}").create(
        "bench", "rutland", Role.caseworker, "bench"
    )
    # aiohttp as the load generator: httpx's client alone tops out near 100 requests/s on this
    # machine (docs/performance.md), so with it the benchmark measured its own client
    http = aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{api_port}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=aiohttp.ClientTimeout(total=60),
        connector=aiohttp.TCPConnector(limit=args.concurrency),
    )
    today = london_date(datetime.now(UTC))

    # decisions 40 to 69 days ago: the appeal deadlines (two months) spread over the next
    # weeks, so that `due_within=7` finds a good share of the cases
    def decision(n: int) -> str:
        return (today - timedelta(days=40 + n % 30)).isoformat()

    total = max(args.open_cases, 2 * args.cases)
    refs = [f"BEN-{n:06d}" for n in range(total)]
    print(f"starting {total} cases through the API ...", flush=True)

    async def start(ref: str) -> None:
        body = case(ref, decision(int(ref[4:])))
        async with http.post("/api/v1/cases", json=body) as response:
            assert response.status == 201, await response.text()

    t0 = time.monotonic()
    await rate("start (API)", refs, args.concurrency, start)
    print(f"  started in {time.monotonic() - t0:.0f} s", flush=True)
    api_refs, direct_refs = refs[: args.cases], refs[args.cases : 2 * args.cases]
    # measure a settled stack: every case past its first workflow task (deadlines dated)
    query = "WorkflowType = 'DisagreementWorkflow' AND EhcpStage IS NOT NULL"
    while (settled := (await client.count_workflows(query)).count) < total:
        print(f"  waiting for the worker: {settled}/{total} cases settled", flush=True)
        await asyncio.sleep(2)

    async def api_status(ref: str) -> None:
        async with http.get(f"/api/v1/cases/{ref}") as response:
            assert response.status == 200, await response.text()
            await response.read()

    async def direct_status(ref: str) -> None:
        handle = client.get_workflow_handle(workflow_id(ref))
        await handle.query("status", result_type=CaseStatus)  # as the service layer asks

    print(f"status reads ({ROUNDS} rounds each, alternating)", flush=True)
    api_reads, direct_reads = await paired(
        api_refs, api_refs, args.concurrency, api_status, direct_status, args.seconds
    )

    event = {"kind": "mediation_adviser_contacted", "date": today.isoformat()}

    async def api_event(ref: str) -> None:
        async with http.post(f"/api/v1/cases/{ref}/events", json=event) as response:
            assert response.status == 200, await response.text()
            await response.read()

    async def direct_event(ref: str) -> None:
        from workflows.disagreement import DisagreementWorkflow

        handle = client.get_workflow_handle(workflow_id(ref))
        await handle.execute_update(
            DisagreementWorkflow.record_event, parse_event({**event, "recorded_by": "bench"}),
            result_type=EventReceipt,
        )  # fmt: skip

    print(f"event writes (one per case, {ROUNDS} rounds each, alternating)", flush=True)
    api_writes, direct_writes = await paired(
        api_refs, direct_refs, args.concurrency, api_event, direct_event
    )

    print("list ?due_within=7 (first page of 100), sequential", flush=True)
    latencies, listed = [], 0
    for _ in range(args.list_calls):
        t = time.perf_counter()
        async with http.get("/api/v1/cases", params={"due_within": 7}) as response:
            assert response.status == 200, await response.text()
            page = await response.json()
        latencies.append((time.perf_counter() - t) * 1000)
        listed = len(page["cases"])
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    await http.close()
    print()
    print(f"| measure ({args.concurrency} in flight) | API | client | API / client |")
    print("|---|---|---|---|")
    ratio = api_reads / direct_reads
    print(f"| status reads/s | {api_reads:.0f} | {direct_reads:.0f} | {ratio:.2f} |")
    print(
        f"| event writes/s | {api_writes:.0f} | {direct_writes:.0f} | "
        f"{api_writes / direct_writes:.2f} |"
    )
    print(
        f"| list due_within=7 ({listed} on the page), {total} open cases | p50 {p50:.0f} ms "
        f"| p99 {p99:.0f} ms | |"
    )
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.api", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--cases", type=int, default=200, help="cases per side for reads/writes")
    parser.add_argument("--open-cases", type=int, default=1000, help="cases open for the list")
    parser.add_argument("--seconds", type=float, default=10.0, help="per read measurement")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--list-calls", type=int, default=200)
    return parser.parse_args(argv)


if __name__ == "__main__":
    # SIGTERM (a `timeout`) leaves through the finally that stops the stack
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(asyncio.run(main(parse_args())))
