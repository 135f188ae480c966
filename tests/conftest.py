"""Shared fixtures: the venv's Temporal binaries (never a download) and the time-skipping server."""

from __future__ import annotations

import os
import sysconfig
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from security.converter import data_converter
from security.keys import Keyring

# the databases (SQLite, and a real PostgreSQL server) every store test runs against
from tests.dbs import database_url, postgres_server, postgres_url  # noqa: F401
from tests.scheduling import FileGroupScheduling, UnitTimer, unit_of
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
#: how long a server started through the SDK may take to answer: its default, 5 s, is too short
#: on a loaded 2-core machine (a dev server under `make test` once failed to start in time)
SERVER_STARTUP = timedelta(seconds=60)
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
        test_server_startup_timeout=SERVER_STARTUP,
    )
    await register_search_attributes(env)
    if start := os.environ.get("EHCP_TEST_SERVER_START"):
        # a date-sensitive test shows itself on a chosen date (an August appeal, Christmas)
        at = datetime.fromisoformat(start).replace(tzinfo=UTC)
        await env.sleep(max(at - await env.get_current_time(), timedelta(0)))
    yield env
    await env.shutdown()


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist's `--dist loadgroup` (make test), the controller keeps each work unit's
    seconds for the next run's order (tests/scheduling.py)."""
    if not hasattr(config, "workerinput") and config.getoption("dist", None) == "loadgroup":
        config.pluginmanager.register(UnitTimer(config), "ehcp-unit-timer")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker under `--dist loadgroup`, a test marked xdist_group(name) carries
    `@name` at the end of its id, which is how the controller's scheduler sees its group
    (xdist 3.8 sets `item._nodeid`, which pytest 9.2 no longer reads: ids live in `_id`)."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(m.args[0]) for m in item.iter_markers("xdist_group") if m.args})
        if names and unit_of(item.nodeid) != "@" + "_".join(names):
            grouped = f"{item.nodeid}@{'_'.join(names)}"
            if hasattr(item, "_id"):
                from _pytest.nodeid import coerce_node_id

                item._id = coerce_node_id(grouped)
            else:
                item._nodeid = grouped


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup`: each file on one worker, xdist_group units together, longest
    first (tests/scheduling.py)."""
    if config.getoption("dist", None) == "loadgroup":
        return FileGroupScheduling(config, log)
    return None
