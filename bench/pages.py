"""`python -m bench.pages`: the caseworker pages beside the API's list and status, one stack.

    python -m bench.pages [--open-cases 1000] [--seed-records 0] [--calls 200]
    python -m bench.pages --open-cases 20 --seed-records 10000     # the 10,000-case target

Starts `scripts/run_dev.py` like `bench.api` (dev server, worker, API with the pages), starts
`--open-cases` cases through the API (real workflows, which write their records), seeds
`--seed-records` open case records straight into the stack's database (bench/seed_records.py:
the list is served from the records table), then times, one request at a time, the Cases
page (its first page of 25, and with "due within 7 days"), the Case page (status and timeline
queries, rendered), and beside them the API's `GET /api/v1/cases` (first page of 100, and
`?due_within=7`), `GET /api/v1/cases/{ref}` of a running case, and of a case Temporal does
not hold (answered from its record). Prints p50/p99 in ms (figures, not assertions).
The pages are signed in with a session cookie made with the stack's session secret, as the
sign-in would make it (the identity provider is not measured).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from itsdangerous import TimestampSigner

from bench.api import case, main, rate
from bench.seed_records import seed
from ehcp.uktime import london_date
from service.callers import Role
from store.api_keys import ApiKeys
from web.app import SESSION_COOKIE

SECRET = secrets.token_urlsafe(32)
STAFF = {
    "sub": "bench",
    "name": "Bench Caseworker",
    "email": "bench@rutland.gov.uk",
    "council": "rutland",
    "role": "caseworker",
}


def session_cookie() -> str:
    """What Starlette's SessionMiddleware sets after a sign-in (signed JSON, base64)."""
    data = base64.b64encode(json.dumps({"staff": STAFF, "seen": time.time()}).encode())
    return TimestampSigner(SECRET).sign(data).decode()


async def timed(http: httpx.AsyncClient, path: str, calls: int, **kwargs: object) -> list[float]:
    latencies = []
    for _ in range(calls):
        t = time.perf_counter()
        response = await http.get(path, **kwargs)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        latencies.append((time.perf_counter() - t) * 1000)
    return sorted(latencies)


def p(latencies: list[float], q: float) -> float:
    return statistics.median(latencies) if q == 0.5 else latencies[int((len(latencies) - 1) * q)]


async def measure(args: argparse.Namespace, data: Path, port: int, api_port: int) -> int:
    key, _ = ApiKeys(f"sqlite:///{data / 'ehcp.db'}").create(
        "bench", "rutland", Role.caseworker, "bench"
    )
    base = f"http://127.0.0.1:{api_port}"
    api = httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60)
    pages = httpx.AsyncClient(base_url=base, cookies={SESSION_COOKIE: session_cookie()}, timeout=60)
    decision = (london_date(datetime.now(UTC)) - timedelta(days=20)).isoformat()
    refs = [f"BEN-{n:06d}" for n in range(args.open_cases)]
    print(f"starting {len(refs)} cases through the API ...", flush=True)

    async def start(ref: str) -> None:
        response = await api.post("/api/v1/cases", json=case(ref, decision))
        assert response.status_code == 201, response.text

    await rate("start (API)", refs, args.concurrency, start)
    # every case listed (visibility is eventually consistent) before timing the list
    deadline = time.monotonic() + 120
    while True:
        listed = (await api.get("/api/v1/cases", params={"limit": 1000})).json()["cases"]
        if len(listed) >= min(1000, len(refs)) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    seeded: list[str] = []
    if args.seed_records:
        t0 = time.monotonic()
        seeded = seed(
            f"sqlite:///{data / 'ehcp.db'}", data / "dev-codec-keys.json", args.seed_records,
            london_date(datetime.now(UTC)),
        )  # fmt: skip
        print(f"seeded {len(seeded)} case records in {time.monotonic() - t0:.0f} s", flush=True)
    ref = refs[len(refs) // 2]
    week = {"params": {"due_within": 7}}
    rows = [
        ("Cases page (first page of 25)", await timed(pages, "/cases", args.calls)),
        ("Cases page, due within 7 days", await timed(pages, "/cases?due_within=7", args.calls)),
        ("API list (first page of 100)", await timed(api, "/api/v1/cases", args.calls)),
        ("API list ?due_within=7", await timed(api, "/api/v1/cases", args.calls, **week)),
        ("Case page", await timed(pages, f"/cases/{ref}", args.calls)),
        ("API status (running case)", await timed(api, f"/api/v1/cases/{ref}", args.calls)),
    ]
    if seeded:
        record_only = next(r for r in seeded if r.startswith("RUT-"))
        rows.append(
            (
                "API status (from the record)",
                await timed(api, f"/api/v1/cases/{record_only}", args.calls),
            )
        )
    await api.aclose()
    await pages.aclose()
    total = len(refs) + len(seeded)
    print()
    print(f"| request, {total} open cases, one at a time | p50 ms | p99 ms |")
    print("|---|---|---|")
    for name, latencies in rows:
        print(f"| {name} | {p(latencies, 0.5):.0f} | {p(latencies, 0.99):.0f} |")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--open-cases", type=int, default=1000)
    parser.add_argument(
        "--seed-records", type=int, default=0,
        help="open case records inserted straight into the database (no workflows)",
    )  # fmt: skip
    parser.add_argument("--calls", type=int, default=200, help="requests timed per row")
    parser.add_argument("--concurrency", type=int, default=16, help="while starting cases")
    return parser.parse_args(argv)


if __name__ == "__main__":
    os.environ["EHCP_WEB_SESSION_SECRET"] = SECRET  # the stack's API process inherits it
    sys.exit(asyncio.run(main(parse_args(), measure)))
