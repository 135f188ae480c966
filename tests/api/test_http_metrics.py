"""Issue 17, build 4: request latency of the API and the pages by route template, on the
process's own metrics endpoint; never a case reference (or any path) in a label."""

from __future__ import annotations

import re
import socket
import urllib.request
from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from ehcp.settings import Settings
from observability.http import REQUEST_DURATION, serve
from tests.api.test_app import client_for, key
from tests.api.test_app import settings as settings

CASE_REF = "RUT-2026-0451"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> str:
    """This process's endpoint, as `python -m api` serves it (EHCP_HTTP_METRICS_ADDRESS)."""
    address = f"127.0.0.1:{free_port()}"
    serve(address)
    return address


def scrape(address: str) -> str:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as answer:
        return answer.read().decode()


def count(text: str, **labels: str) -> float:
    """The `_count` of the series with exactly these labels (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{REQUEST_DURATION}_count\{{{re.escape(wanted)}\}} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found[1]) if found else 0.0


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in client_for(create_app(settings)):
        yield c


async def test_api_and_page_requests_are_timed_by_route_template(
    client: httpx.AsyncClient, settings: Settings, endpoint: str
) -> None:
    before = scrape(endpoint)
    asked = [
        ("/api/v1/cases/" + CASE_REF, key(settings)),  # Temporal unreachable: 503
        ("/api/v1/cases/" + CASE_REF + "/timeline?x=" + CASE_REF, {}),  # no key: 401
        ("/deadline-calculator", {}),
        ("/cases/" + CASE_REF, {}),  # not signed in: to the sign-in page
        ("/static/app.js", {}),
        ("/no/such/" + CASE_REF, {}),
        ("/api/v1/no-such-thing", {}),
    ]
    statuses = [(await client.get(path, headers=headers)).status_code for path, headers in asked]
    after = scrape(endpoint)
    expected = [
        ("api", "/api/v1/cases/{case_ref}", statuses[0]),
        ("api", "/api/v1/cases/{case_ref}/timeline", 401),
        ("pages", "/deadline-calculator", 200),
        ("pages", "/cases/{case_ref}", statuses[3]),
        ("pages", "/static", 200),
        ("pages", "unmatched", 404),
        ("api", "unmatched", 404),
    ]
    for app, route, status in expected:
        labels = {"app": app, "method": "GET", "route": route, "status": str(status)}
        grew = count(after, **labels) - count(before, **labels)
        assert grew == 1, f"{labels}: counted {grew} times"
    assert f"{REQUEST_DURATION}_bucket{{" in after and f"{REQUEST_DURATION}_sum{{" in after
    series = [line for line in after.splitlines() if line.startswith(REQUEST_DURATION)]
    assert not [line for line in series if CASE_REF in line or "?" in line]


def test_the_metrics_address_is_checked() -> None:
    assert Settings(http_metrics_address=" 0.0.0.0:9465 ").http_metrics_address == "0.0.0.0:9465"
    with pytest.raises(ValueError, match="not host:port"):
        Settings(http_metrics_address="9465")
