"""Fixtures for the email tests: a fake SendGrid on 127.0.0.1, fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sendgrid_fake import FakeSendGrid


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as fake:
        yield fake
