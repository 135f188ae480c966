"""Fixtures for the delivery tests: fake SendGrid and Notify servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
