"""Public pages and staff sign-in in Chromium: calculator, sign-in, sign-out, refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, open_page, sign_in
from tests.browser.servers import oidc_provider, serve, web_settings
from web.app import create_app


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[str, str]]:
    with oidc_provider() as issuer, serve(create_app(web_settings(issuer))) as base:
        yield base, issuer


def test_calculator_shows_every_deadline_with_its_basis(browser, stack) -> None:
    base, issuer = stack
    context, page, watch = open_page(browser, base, issuer)
    page.goto(f"{base}/deadline-calculator")
    assert_accessible(page)
    page.get_by_label("What was the decision about?").select_option("refusal_to_assess")
    dates = page.get_by_role("group", name="When was the decision letter sent?")
    dates.get_by_label("Day").fill("3")
    dates.get_by_label("Month").fill("11")
    dates.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the deadlines").click()
    table = page.get_by_role("table")
    assert "Monday 4 January 2027" in table.inner_text()
    assert "HESC Rules r.20(1)(c)" in table.inner_text()
    assert_accessible(page)
    watch.check()
    context.close()


def test_calculator_errors_link_to_their_fields(browser, stack) -> None:
    base, issuer = stack
    context, page, watch = open_page(browser, base, issuer)
    page.goto(
        f"{base}/deadline-calculator?decision-date-day=31&decision-date-month=2"
        "&decision-date-year=2026"
    )
    summary = page.locator(".govuk-error-summary")
    assert "Date of the decision letter must be a real date" in summary.inner_text()
    assert page.title().startswith("Error: ")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "decision-date-day"
    assert_accessible(page)
    watch.check()
    context.close()


def test_calculator_works_without_javascript(browser, stack) -> None:
    base, issuer = stack
    context, page, watch = open_page(browser, base, issuer, javascript=False)
    page.goto(f"{base}/deadline-calculator")
    dates = page.get_by_role("group", name="When was the decision letter sent?")
    dates.get_by_label("Day").fill("20")
    dates.get_by_label("Month").fill("11")
    dates.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the deadlines").click()
    expect(page.get_by_role("heading", name="Deadlines", exact=True)).to_be_visible()
    watch.check()
    context.close()


def test_staff_sign_in_and_out(browser, stack) -> None:
    base, issuer = stack
    context, page, watch = open_page(browser, base, issuer)
    sign_in(page, base, "morgan.manager@rutland.gov.uk", next_path="/deadline-calculator")
    assert "Signed in as Morgan Manager (manager, Rutland County Council)" in " ".join(
        page.locator(".app-sign-out").inner_text().split()
    )
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/deadline-calculator")
    assert page.locator(".app-sign-out").count() == 0
    watch.check()
    context.close()


def test_person_in_no_mapped_group_is_refused(browser, stack) -> None:
    base, issuer = stack
    context, page, watch = open_page(browser, base, issuer)
    page.goto(f"{base}/sign-in?next=/deadline-calculator")
    page.get_by_placeholder("sub").fill("stranger@example.org")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    assert "not in a group" in page.content()
    assert_accessible(page)
    watch.check()
    context.close()
