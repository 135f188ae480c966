"""What the browser tests do on every page: stay on our origins, check accessibility with
axe-core (WCAG 2.2 AA rules), and sign in through the local identity provider."""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.browser.conftest import AXE

#: axe-core's tags for WCAG 2.0, 2.1 and 2.2, levels A and AA
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclass
class Watch:
    """What a page did that it must not: load from another origin, break the CSP, fail JS."""

    allowed_origins: set[str]
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.foreign, f"loaded from other origins: {self.foreign}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def open_page(browser, base: str, issuer: str, javascript: bool = True):
    """A new context and page; requests to any origin but ours and the provider's are
    aborted and recorded. The provider's own page loads a stylesheet from a CDN: allowed to
    fail (it is the mock's page, not ours)."""
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    ours = {origin(base)}
    watch = Watch(ours | {origin(issuer)})

    def route(r) -> None:
        req_origin = origin(r.request.url)
        if req_origin in watch.allowed_origins:
            r.continue_()
            return
        # the mock provider's own stylesheet; anything else is a fault of our pages
        if not r.request.frame.url.startswith(issuer):
            watch.foreign.append(r.request.url)
        r.abort()

    page.route("**/*", route)

    def on_console(msg) -> None:
        # a page answered 4xx (an error summary, a 404) logs its own status: not a fault
        own = msg.type == "error" and origin(page.url) in ours
        if own and not msg.text.startswith("Failed to load resource"):
            watch.console_errors.append(msg.text)

    def on_response(response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            watch.console_errors.append(f"{response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))
    return context, page, watch


_AXE_SOURCE: str | None = None


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is; its violations (empty when accessible).

    Injected through the DevTools protocol, not a script tag, so the page's CSP stays on."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE.read_text()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


#: EHCP_WEB_SCREENSHOTS=DIR keeps a full-page PNG of every page checked (for reviews)
SCREENSHOTS = os.environ.get("EHCP_WEB_SCREENSHOTS")
_shots = itertools.count(1)


def assert_accessible(page, seen: dict[str, int] | None = None) -> None:
    """No axe-core violation (WCAG 2.2 AA rules) on the page as it is now."""
    if SCREENSHOTS:
        name = re.sub(r"[^A-Za-z0-9]+", "-", urlsplit(page.url).path).strip("-") or "home"
        page.screenshot(path=f"{SCREENSHOTS}/{next(_shots):02d}-{name}.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, f"axe violations on {page.url}: {violations}"
    if seen is not None:
        seen[urlsplit(page.url).path] = seen.get(urlsplit(page.url).path, 0) + 1


def sign_in(page, base: str, sub: str, next_path: str = "/cases") -> None:
    """Through the provider's form: choose the demo person, come back signed in."""
    page.goto(f"{base}/sign-in?next={next_path}")
    person = page.get_by_role("button", name=sub, exact=True)
    assert person.count() == 1, f"not the provider's page at {page.url}: {page.content()[:3000]}"
    person.click()
    page.wait_for_url(f"{base}{next_path}*")
