"""An event with a list in Chromium, by keyboard alone: a mediation held with an agreed
action (the add-another pattern), its check-your-answers Change button, then recorded; and
"Assigned to me" on the Cases page finds the case through its caseworker's staff reference.
Every page visited passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, open_page, sign_in
from tests.browser.test_journey import ALEX, LIST_DEADLINE_S, MORGAN, fill_date, today

pytestmark = pytest.mark.integration
AXE_PAGES: dict[str, int] = {}


def check(page) -> None:
    assert_accessible(page, AXE_PAGES)


def start_case(page, ref: str) -> None:
    page.get_by_label("Case reference").fill(ref)
    page.get_by_label("Contents of an EHC plan", exact=True).check()
    fill_date(page, "When was the decision letter sent?", today() - timedelta(days=20))
    parent = page.get_by_role("group", name="Parent or young person")
    parent.get_by_label("Full name").fill("Sam Parent")
    parent.get_by_label("Email address").fill("sam.parent@example.org")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Start the case").click()
    expect(page.get_by_role("heading", name="Case started")).to_be_visible()


def test_mediation_with_an_agreed_action_by_keyboard(browser, make_run) -> None:
    base, issuer = make_run
    ref = f"RUT-LIST-{secrets.token_hex(3).upper()}"
    context, page, watch = open_page(browser, base, issuer)
    sign_in(page, base, ALEX, next_path="/cases/new")
    start_case(page, ref)

    def tab_to(predicate: str, limit: int = 120) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(predicate):
                return
        raise AssertionError(f"Tab never reached {predicate}")

    def focused_text(text: str) -> str:
        return f"document.activeElement.textContent.trim() === {text!r}"

    def type_date(prefix: str, d) -> None:
        tab_to(f"document.activeElement.id === '{prefix}-day'")
        for value in (d.day, d.month, d.year):
            page.keyboard.type(str(value))
            page.keyboard.press("Tab")

    # mediation requested, with the mouse: the list journey below is by keyboard
    page.goto(f"{base}/cases/{ref}")
    deadline = time.monotonic() + LIST_DEADLINE_S
    while page.get_by_role("link", name="Mediation requested", exact=True).count() == 0:
        assert time.monotonic() < deadline, "the case never offered mediation"
        page.reload()
    page.get_by_role("link", name="Mediation requested", exact=True).click()
    fill_date(page, "When did it happen?", today() - timedelta(days=10))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record this event").click()
    expect(page.get_by_role("heading", name="Event recorded")).to_be_visible()

    page.goto(f"{base}/cases/{ref}")
    tab_to(focused_text("Mediation held"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/events/mediation_held$"))
    check(page)
    type_date("date", today() - timedelta(days=1))
    tab_to("document.activeElement.id === 'outcome'")
    page.keyboard.press("Space")  # the first outcome: agreement
    tab_to(focused_text("Add an agreed action"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Agreed action 1")).to_be_visible()
    check(page)
    # the new item's first box has the focus (autofocus: no script needed)
    assert page.evaluate("document.activeElement.id") == "agreed_actions-1-summary"
    page.keyboard.type("Amend section F with weekly speech and language therapy")
    due = today() + timedelta(days=21)
    type_date("agreed_actions-1-agreed_due", due)
    # Continue with no answer for council_party: the error summary links to the field
    tab_to(focused_text("Continue"))
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("was the council a party to the mediation")
    check(page)
    assert page.get_by_label("What was agreed?").input_value().startswith("Amend section F")
    page.get_by_role("group", name="Was the council a party to the mediation?").get_by_label(
        "Yes"
    ).check()
    tab_to(focused_text("Continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your answers before recording")).to_be_visible()
    check(page)
    main = page.locator("main").inner_text()
    assert "Agreed action 1" in main and "Amend section F" in main
    # Change the action from its own row, by keyboard
    tab_to(focused_text("Change agreed action 1"))
    page.keyboard.press("Enter")
    box = page.get_by_label("What was agreed?")
    expect(box).to_have_value(re.compile("^Amend section F"))
    expect(box).to_be_focused()
    box.fill("Amend section F: weekly speech and language therapy")
    box.press("Enter")  # Enter in a box presses Continue, never Remove or Add
    expect(page.get_by_role("heading", name="Check your answers before recording")).to_be_visible()
    tab_to(focused_text("Record this event"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Event recorded")).to_be_visible()
    check(page)
    page.goto(f"{base}/cases/{ref}")
    assert page.get_by_role("row").filter(has_text="weekly speech").count() >= 1 or (
        "Agreed" in page.locator("main").inner_text()
    )
    check(page)
    watch.check()
    context.close()

    # "Assigned to me": Alex started the case as its caseworker; Morgan did not
    for person, listed in ((ALEX, True), (MORGAN, False)):
        context, page, watch = open_page(browser, base, issuer)
        sign_in(page, base, person)
        page.goto(f"{base}/cases?mine=true&q={ref}")
        deadline = time.monotonic() + LIST_DEADLINE_S
        while listed and page.get_by_role("link", name=ref).count() == 0:
            assert time.monotonic() < deadline, f"{ref} never listed as {person}'s"
            page.reload()
        assert page.get_by_role("checkbox", name="Assigned to me").is_checked()
        if not listed:
            assert page.get_by_role("link", name=ref).count() == 0
        check(page)
        watch.check()
        context.close()
