"""Shared fixtures: the venv's Temporal binaries (never a download) and the time-skipping server."""

from __future__ import annotations

import os
import sysconfig
import tempfile
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from security.converter import data_converter
from security.keys import Keyring

# the databases (SQLite, and a real PostgreSQL server) every store test runs against
from tests.dbs import database_url, postgres_server, postgres_url  # noqa: F401
from workflows import search_attributes

#: Workers built in the test process run workflow code in the SDK sandbox, which fails a
#: non-deterministic call (worker.workflow_runner); worker processes started by the
#: integration tests run as deployed, without it (DEPLOYED_ENV).
os.environ["EHCP_WORKFLOW_SANDBOX"] = "true"
DEPLOYED_ENV = {"EHCP_WORKFLOW_SANDBOX": "false"}
#: Workers built without a database URL of their own write case records to a file of this
#: test process, never to the checkout's data/ehcp.db
os.environ.setdefault(
    "EHCP_DATABASE_URL", f"sqlite:///{Path(tempfile.mkdtemp(prefix='ehcp-tests-')) / 'ehcp.db'}"
)

BIN = Path(sysconfig.get_path("scripts"))
TEMPORAL = BIN / "temporal"
TEST_SERVER = BIN / "temporal-test-server"
#: fixed test keys (never used outside tests): clients encrypt as the worker does
TEST_KEYRING = Keyring(
    "test-2026a", {"test-2026a": bytes(range(32)), "test-2025b": bytes(range(32, 64))}, "tests"
)


async def register_search_attributes(env: WorkflowEnvironment, namespace: str = "default") -> None:
    await search_attributes.register(env.client, namespace)


@pytest.fixture(scope="session")
async def time_env():
    assert TEST_SERVER.exists(), f"{TEST_SERVER} missing: run `make test` to install dev extras"
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_KEYRING),
        test_server_existing_path=str(TEST_SERVER),
    )
    await register_search_attributes(env)
    yield env
    await env.shutdown()


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests run last: Playwright's sync API holds this thread's event loop from the
    first browser test to the end of the session (one browser for all), so no asyncio test
    may come after them. The sort is stable: every other test keeps its order."""
    browser_dir = Path(__file__).parent / "browser"
    items.sort(key=lambda item: browser_dir in Path(item.path).parents)
