"""Shared fixtures: the venv's Temporal binaries (never a download) and the time-skipping server."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from security.converter import data_converter
from security.keys import Keyring
from tests.scheduling import FileGroupScheduling, UnitTimer
from workflows import search_attributes

#: Workers built in the test process run workflow code in the SDK sandbox, which fails a
#: non-deterministic call (worker.workflow_runner); worker processes started by the
#: integration tests run as deployed, without it (DEPLOYED_ENV).
os.environ["EHCP_WORKFLOW_SANDBOX"] = "true"
DEPLOYED_ENV = {"EHCP_WORKFLOW_SANDBOX": "false"}

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


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist's `--dist loadgroup` (make test), the controller keeps each work unit's
    seconds for the next run's order (tests/scheduling.py)."""
    if not hasattr(config, "workerinput") and config.getoption("dist", None) == "loadgroup":
        config.pluginmanager.register(UnitTimer(config), "ehcp-unit-timer")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup`: each file on one worker, xdist_group units together, longest
    first (tests/scheduling.py)."""
    if config.getoption("dist", None) == "loadgroup":
        return FileGroupScheduling(config, log)
    return None
