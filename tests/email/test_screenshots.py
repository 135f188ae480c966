"""Screenshots of three representative emails, phone and desktop width, written to
docs/messages/ with Debian's Chromium (headless). Skipped when Chromium is not installed,
except in CI (CI set), where a missing browser is a failure."""

from __future__ import annotations

import os
import struct

import pytest

from tests.email.screenshots import DOCS, chromium, write_all

PNG = b"\x89PNG\r\n\x1a\n"


def _size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])  # the IHDR chunk: width, height


def test_screenshots_of_three_emails_at_phone_and_desktop_width() -> None:
    browser = chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI: apt-get install -y chromium")
        pytest.skip("chromium is not installed")
    paths = write_all(browser, DOCS)
    assert len(paths) == 7  # 3 emails x (phone, desktop) and the appeal reminder in dark mode
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG)
        width, _height = _size(data)
        assert width == (390 if "phone" in path.name else 1024)
        assert len(data) > 20_000  # a page was drawn, not a blank one
