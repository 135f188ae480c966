"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), one browser for
each test file. Nothing downloads a browser: without Chromium these tests skip, and in
CI (CI=true) they fail instead (`.ci/run` installs it, as the README tells a user to)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("EHCP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one test file. Playwright's sync API holds this thread's event loop while
    it is open, so it closes at the end of the file: asyncio tests may follow on the same
    xdist worker (make test runs the browser tests with all the others)."""
    if not CHROMIUM.is_file():
        message = f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (see README)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def make_run(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """`make run` as a user starts it (scripts/run_dev.py: dev server, worker, API with the
    pages, local identity provider) on free ports; yields (pages URL, issuer URL)."""
    from tests.integration.devstack import BANNER, START_DEADLINE_S, free_port, run_dev_starter

    base = tmp_path_factory.mktemp("web-stack")
    oidc_port = free_port()
    saved = {k: os.environ.get(k) for k in ("EHCP_DEV_OIDC_PORT", "EHCP_WEB_OIDC_ISSUER")}
    os.environ["EHCP_DEV_OIDC_PORT"] = str(oidc_port)
    os.environ.pop("EHCP_WEB_OIDC_ISSUER", None)
    starter = run_dev_starter(base)
    try:
        run = next(starter)(base / "data", [sys.executable, "worker.py"])
        # synchronously: Playwright's sync API owns this thread's event loop
        deadline = time.monotonic() + START_DEADLINE_S
        while not BANNER.search(run.text()):
            assert run.proc.poll() is None, f"make run exited:\n{run.text()}"
            assert time.monotonic() < deadline, f"no banner:\n{run.text()}"
            time.sleep(0.05)
        assert "Demo staff" in run.text()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield run.api_url, f"http://localhost:{oidc_port}"
    next(starter, None)  # stops the stack
