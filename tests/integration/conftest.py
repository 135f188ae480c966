"""Fixtures for tests that run the real dev server and worker processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.devstack import RunDev, run_dev_starter


@pytest.fixture
def start_run_dev(tmp_path: Path) -> Iterator[Callable[..., RunDev]]:
    yield from run_dev_starter(tmp_path)
