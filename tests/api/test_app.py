"""The API app in-process (no Temporal, or none reachable): what it says when things fail,
the contract document, the examples, the limit on failed authentications."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.examples import CASE_EXAMPLE, EVENT_EXAMPLES, event_examples
from api.openapi import CHECKED_IN, document, render
from ehcp.models import EVENT_KINDS, Case, parse_event
from ehcp.settings import Settings
from service.callers import Role
from store.api_keys import ApiKeys


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on leaving: nothing listens there


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        temporal_address=f"127.0.0.1:{closed_port()}",
        database_url=f"sqlite:///{tmp_path / 'ehcp.db'}",
        api_auth_failure_limit="3/minute",
        codec_keys="test:" + "A" * 43 + "=",
        codec_current_key="test",
    )


async def client_for(app) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in client_for(create_app(settings)):
        yield c


def key(settings: Settings, role: str = "caseworker") -> dict[str, str]:
    token, _ = ApiKeys(settings.database_url).create("t", "rutland", Role(role), "tests")
    return {"Authorization": f"Bearer {token}"}


def test_checked_in_openapi_is_current():
    """docs/openapi.json is the contract in review: regenerate with `python -m api.openapi`."""
    assert CHECKED_IN.read_text() == render(document()), (
        "the API changed: run `python -m api.openapi` and commit docs/openapi.json"
    )


def test_an_example_for_every_event_kind_and_each_is_valid():
    assert set(EVENT_EXAMPLES) == set(EVENT_KINDS)
    for kind, example in event_examples().items():
        assert parse_event(example["value"]).kind == kind
    Case.model_validate(CASE_EXAMPLE)
    served = document()["paths"]["/api/v1/cases/{case_ref}/events"]["post"]["requestBody"]
    assert set(served["content"]["application/json"]["examples"]) == set(EVENT_KINDS)


async def test_temporal_unreachable_is_503(client, settings):
    headers = key(settings)
    for response in (
        await client.get("/api/v1/cases/RUT-2026-0001", headers=headers),
        await client.get("/api/v1/cases", headers=headers),
        await client.post("/api/v1/cases", json=CASE_EXAMPLE, headers=headers),
        await client.get("/readyz"),
    ):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "Traceback" not in response.text
    assert (await client.get("/healthz")).status_code == 200
    # bad input is still 422 while Temporal is down (checked before connecting)
    bad = await client.post(
        "/api/v1/cases", json={**CASE_EXAMPLE, "decision_date": "x"}, headers=headers
    )
    assert bad.status_code == 422


async def test_failed_authentications_are_limited_and_logged_without_the_key(
    client, settings, caplog
):
    caplog.set_level(logging.WARNING, logger="ehcp.api.auth")
    wrong = "ehcp_0badc0de_" + "x" * 43
    for _ in range(3):
        response = await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {wrong}"})
        assert response.status_code == 401
    limited = await client.get("/api/v1/cases", headers={"Authorization": f"Bearer {wrong}"})
    assert limited.status_code == 429, limited.text
    assert limited.json()["type"] == "/api/problems/too-many-failed-authentications"
    assert "key id 0badc0de" in caplog.text and "x" * 43 not in caplog.text


async def test_a_valid_key_is_served_from_an_address_locked_out_by_failures(
    client, settings, monkeypatch
):
    """One misconfigured system behind a shared address must not lock out every other back
    office: a valid key is served (and not counted); failed attempts still get 429, and a
    malformed or lately refused key from the locked-out address costs no database read."""
    wrong = {"Authorization": "Bearer ehcp_0badc0de_" + "x" * 43}
    for _ in range(3):
        assert (await client.get("/api/v1/api-keys", headers=wrong)).status_code == 401
    viewer, manager = key(settings, "viewer"), key(settings, "manager")
    for _ in range(15):
        served = await client.get("/api/v1/api-keys", headers=manager)
        assert served.status_code == 200, served.text
    assert (await client.get("/api/v1/api-keys", headers=viewer)).status_code == 403
    reads = []
    real = ApiKeys.authenticate
    monkeypatch.setattr(ApiKeys, "authenticate", lambda s, t: reads.append(t) or real(s, t))
    for bad in (wrong, {"Authorization": "Bearer not-a-key"}):
        limited = await client.get("/api/v1/api-keys", headers=bad)
        assert limited.status_code == 429, limited.text
    assert reads == []
    guess = {"Authorization": "Bearer ehcp_0badc0de_" + "y" * 43}
    assert (await client.get("/api/v1/api-keys", headers=guess)).status_code == 429
    assert len(reads) == 1  # a new guess is checked, and still refused
    fresh = key(settings, "manager")  # a key never seen by this process
    assert (await client.get("/api/v1/api-keys", headers=fresh)).status_code == 200


async def test_an_unexpected_failure_is_a_plain_500(settings):
    class Broken:
        async def read_json(self, caller, case_ref, query):
            raise RuntimeError("secret internals")

    app = create_app(settings, cases=Broken())  # type: ignore[arg-type]
    async for client in client_for(app):
        response = await client.get("/api/v1/cases/RUT-2026-0001", headers=key(settings))
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert "secret internals" not in response.text and "Traceback" not in response.text


async def test_every_problem_is_json_with_the_problem_type(client, settings):
    for response in (
        await client.get("/api/v1/cases"),
        await client.delete("/healthz"),
        await client.get("/api/nowhere"),  # other paths are the pages (web/)
        await client.post("/api/v1/cases", content=b"[", headers=key(settings, "viewer")),
    ):
        body = json.loads(response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert body["status"] == response.status_code and body["type"].startswith("/api/problems/")
