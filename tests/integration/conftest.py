"""Fixtures for tests that run the real dev server and worker processes."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from store.api_keys import ApiKeys
from tests.integration.apiclient import Api
from tests.integration.devstack import RunDev, run_dev_starter


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
    yield run
    next(starter, None)  # stops it
