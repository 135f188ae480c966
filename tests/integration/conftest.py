"""Fixtures for tests that run the real dev server and worker processes."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from store.api_keys import ApiKeys
from tests.integration.apiclient import Api
from tests.integration.devstack import START_DEADLINE_S, RunDev, eventually_async, run_dev_starter


def pytest_itemcollected(item: pytest.Item) -> None:
    """Every test on the shared `api_stack` goes to one xdist worker (`make test`'s
    `--dist loadgroup`, tests/scheduling.py): one stack starts, not one per worker. Marked
    as collected, before xdist reads the marks to name the test's group."""
    if "api_stack" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.xdist_group("api_stack"))


@pytest.fixture
def start_run_dev(tmp_path: Path) -> Iterator[Callable[..., RunDev]]:
    yield from run_dev_starter(tmp_path)


@pytest.fixture(scope="session")
async def api(api_stack: RunDev) -> AsyncIterator[Api]:
    helper = Api(api_stack, ApiKeys(api_stack.client_env["EHCP_DATABASE_URL"]))
    yield helper
    await helper.close()


@pytest.fixture(scope="session")
async def api_stack(tmp_path_factory) -> AsyncIterator[RunDev]:
    """One `make run` stack (dev server, real worker, API) for every API test: each test
    works in its own council or with its own case references, so they do not meet."""
    base = tmp_path_factory.mktemp("api-stack")
    starter = run_dev_starter(base)
    start = next(starter)
    run = start(base / "data", [sys.executable, "worker.py"])
    await run.wait_for_banner()
    # the banner comes once the API answers; the worker may poll a moment later (a loaded
    # machine): the tests start once the API says ready, as a load balancer would
    async with httpx.AsyncClient(base_url=run.api_url, timeout=5) as client:

        async def answered_ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await eventually_async(answered_ready, "a worker polling (/readyz)", START_DEADLINE_S)
    yield run
    next(starter, None)  # stops it
