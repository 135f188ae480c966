"""Helpers for tests of the HTTP API on the session's `make run` stack: keys, clients, cases."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from ehcp.uktime import london_date
from service.callers import Role
from store.api_keys import ApiKeys
from tests.integration.devstack import RunDev

LIST_DEADLINE_S = 30.0  # visibility is eventually consistent
_serial = itertools.count(1)


def today() -> date:
    return london_date(datetime.now(UTC))


def new_ref(prefix: str = "APT") -> str:
    """A case reference no other test uses (this run's stack is fresh)."""
    return f"{prefix}-{int(time.time()) % 100000}-{next(_serial):04d}"


def case_body(ref: str, decision: date | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "case_ref": ref,
        "decision_type": "plan_content",
        "decision_date": (decision or today() - timedelta(days=10)).isoformat(),
        "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
        "caseworker": {"name": "Alex Caseworker", "email": "alex.cw@rutland.gov.uk"},
        **extra,
    }


@dataclass
class Api:
    run: RunDev
    keys: ApiKeys
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def key(self, council: str, role: Role | str, name: str | None = None) -> str:
        token, _ = self.keys.create(name or f"{council} {role} test", council, Role(role), "tests")
        return token

    def client(self, key: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.AsyncClient(base_url=self.run.api_url, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


def is_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict:
    """The response is an RFC 9457 problem with this status (and type); returns its body."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    assert "Traceback" not in response.text
    if slug:
        assert body["type"] == f"/api/problems/{slug}", body
    return body


async def wait_listed(client: httpx.AsyncClient, ref: str, **params: Any) -> list[dict]:
    """Poll the list (eventually consistent) until `ref` is in it."""
    deadline = time.monotonic() + LIST_DEADLINE_S
    while True:
        response = await client.get("/api/v1/cases", params={"limit": 1000, **params})
        assert response.status_code == 200, response.text
        cases = response.json()["cases"]
        if any(c["case_ref"] == ref for c in cases):
            return cases
        assert time.monotonic() < deadline, f"{ref} not listed by {params}: {cases}"
        await asyncio.sleep(0.2)
