"""Screenshots of three representative emails at phone and desktop width, made with Debian's
Chromium (headless), for reviewers: docs/messages/*.png. Nothing is downloaded.

Run: .venv/bin/python -m tests.email.screenshots   (the test in test_screenshots.py does too)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ehcp.messages import Email, render, render_batch
from ehcp.notices import NoticeKind, Role
from tests.email.cases import COUNCIL, NOW, parent_reminder
from tests.email.message_rules import variant

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "messages"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
#: (name, width, height, extra flags)
VIEWS = (("phone", 390, 2400, ()), ("desktop", 1024, 1800, ()))
DARK = ("phone-dark", 390, 2400, ("--force-dark-mode",))


def chromium() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


def representative() -> dict[str, Email]:
    """The appeal reminder, a parent's two deadlines in one email, and a recommendation reply
    that will not be followed."""
    reply = variant(NoticeKind.recommendation_response, Role.parent, "recommendation_response",
                    reasons="There are no short-break places left this term.")  # fmt: skip
    same_day = [parent_reminder("mediation_contact", 7), parent_reminder("appeal", 7)]
    return {
        "appeal-reminder": render(parent_reminder("appeal", 7), COUNCIL, now=NOW),
        "two-things-to-do": render_batch(same_day, COUNCIL, now=NOW),
        "recommendation-reply": render(reply, COUNCIL, now=NOW),
    }


def shoot(browser: str, html: str, out: Path, width: int, height: int, extra=()) -> None:
    with tempfile.TemporaryDirectory(prefix="ehcp-shot-") as tmp:
        page = Path(tmp) / "email.html"
        page.write_text(html, encoding="utf-8")
        subprocess.run(
            [browser, *FLAGS, *extra, f"--user-data-dir={tmp}/profile",
             f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


def write_all(browser: str, folder: Path = DOCS) -> list[Path]:
    """Every screenshot, written to `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, email in representative().items():
        views = VIEWS + ((DARK,) if name == "appeal-reminder" else ())
        for view, width, height, extra in views:
            out = folder / f"{name}-{view}.png"
            tall = height * 3 // 2 if name == "two-things-to-do" else height
            shoot(browser, email.html, out, width, tall, extra)
            written.append(out)
    return written


if __name__ == "__main__":
    browser = chromium()
    if browser is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    for path in write_all(browser):
        print(path.relative_to(ROOT))
