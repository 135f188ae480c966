"""Fixtures for the delivery tests: fake SendGrid and Notify servers on 127.0.0.1, and a
time-skipping server of their own.

The delivery cases skip months ahead; on the session's shared server that moves "today" for
every later test, and some tests elsewhere depend on the calendar they start from (month
lengths, bank holidays). A server per module keeps the shared clock where it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from temporalio.testing import WorkflowEnvironment

from security.converter import data_converter
from tests.conftest import SERVER_STARTUP, TEST_KEYRING, TEST_SERVER, register_search_attributes
from tests.notify_fake import FakeNotify
from tests.sendgrid_fake import FakeSendGrid


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as fake:
        yield fake


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    with FakeNotify() as fake:
        yield fake


@pytest.fixture(scope="module")
async def time_env():
    """This module's own time-skipping server (same converter and search attributes)."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_KEYRING),
        test_server_existing_path=str(TEST_SERVER),
        test_server_startup_timeout=SERVER_STARTUP,
    )
    await register_search_attributes(env)
    yield env
    await env.shutdown()
