"""Events with lists (a mediation's agreed actions, a tribunal's recommendations) and a
contact's details on the pages: the "add another" pattern posting back without JavaScript,
errors in the summary linking to the item's field, each item on check-your-answers with its
Change button, and the event recorded with every item."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.unit.casebuilder import CaseBuilder, make_case
from tests.web.test_case_pages import fake, token, web  # noqa: F401  (fixtures)

MEDIATION = "/cases/RUT-2026-0042/events/mediation_held"
DECISION = "/cases/RUT-2026-0042/events/tribunal_decision"
CONTACT = "/cases/RUT-2026-0042/events/contact_updated"
HELD = {"date-day": "20", "date-month": "11", "date-year": "2026", "outcome": "agreement",
        "council_party": "true"}  # fmt: skip


@pytest.fixture
def mediation(fake):  # noqa: F811
    fake.builder = CaseBuilder(make_case("plan_content", date(2026, 10, 1)))
    fake.builder.add("mediation_requested", date(2026, 10, 5))
    return fake


def post(client, path: str, data: dict) -> object:
    return client.post(path, data={**data, "csrftoken": token(client, path)})


def action(n: int, summary: str, **more: str) -> dict[str, str]:
    return {f"agreed_actions-{n}-summary": summary, f"agreed_actions-{n}-by": "council"} | {
        f"agreed_actions-{n}-{k}": v for k, v in more.items()
    }


def test_the_form_starts_with_no_items_and_adds_one_keeping_the_answers(mediation, web):  # noqa: F811
    page = web.get(MEDIATION).text
    assert "Agreed actions" in page and 'name="agreed_actions-count" value="0"' in page
    assert 'value="add:agreed_actions"' in page and "Add an agreed action" in page
    # Enter in a text box presses the form's first button: a hidden Continue, never Remove
    first = re.search(r"<button[^>]*>", page.split('name="csrftoken"')[1])[0]
    assert 'value="check"' in first and "hidden" in first
    added = post(web, MEDIATION, {**HELD, "agreed_actions-count": "0",
                                  "step": "add:agreed_actions"})  # fmt: skip
    assert added.status_code == 200
    assert "Agreed action 1" in added.text and 'name="agreed_actions-1-summary"' in added.text
    assert 'name="agreed_actions-count" value="1"' in added.text
    # the page loads with the new item's first box focused (no script needed)
    assert re.search(r'id="agreed_actions-1-summary"[^>]*autofocus', added.text)
    assert 'name="date-day" type="text" value="20"' in added.text  # what was typed stays
    assert "Add another agreed action" in added.text
    # the council is the model's default: chosen already
    assert re.search(r'value="council"\s+checked', added.text)
    assert mediation.calls == []  # nothing recorded by adding


def test_remove_moves_later_items_up(mediation, web):  # noqa: F811
    data = {**HELD, "agreed_actions-count": "2", **action(1, "First"), **action(2, "Second")}
    page = post(web, MEDIATION, {**data, "step": "remove:agreed_actions:1"}).text
    assert 'name="agreed_actions-count" value="1"' in page
    assert 'name="agreed_actions-1-summary" type="text" value="Second"' in page
    assert 'name="agreed_actions-2-summary"' not in page and "First" not in page


def test_a_missing_item_answer_is_in_the_summary_linking_to_its_field(mediation, web):  # noqa: F811
    data = {**HELD, "agreed_actions-count": "2", **action(1, "Issue the final plan")}
    due = "agreed_actions-2-agreed_due"
    data |= {"agreed_actions-2-summary": " ", f"{due}-day": "31", f"{due}-month": "2",
             f"{due}-year": "2027"}  # fmt: skip
    answer = post(web, MEDIATION, {**data, "step": "check"})
    assert answer.status_code == 400
    assert 'href="#agreed_actions-2-summary"' in answer.text
    assert "Enter what was agreed for agreed action 2" in answer.text
    assert 'href="#agreed_actions-2-agreed_due-day"' in answer.text
    assert "Date agreed for agreed action 2 must be a real date" in answer.text
    assert 'href="#agreed_actions-2-by"' in answer.text  # who must do it was not chosen
    assert mediation.calls == []


def test_the_model_refuses_items_for_no_agreement_at_the_list(mediation, web):  # noqa: F811
    data = {**HELD, "outcome": "no_agreement", "agreed_actions-count": "1", **action(1, "X")}
    answer = post(web, MEDIATION, {**data, "step": "check"})
    assert answer.status_code == 400
    assert 'href="#agreed_actions-1-summary"' in answer.text
    assert "Agreed actions must be empty when outcome is no agreement" in answer.text


def test_check_answers_shows_each_item_with_change_then_records_them(mediation, web):  # noqa: F811
    data = {**HELD, "agreed_actions-count": "2",
            **action(1, "Issue the amended plan", order="amend_provision"),
            **action(2, "Speech therapy assessment")}  # fmt: skip
    data["agreed_actions-2-by"] = "health"
    data |= {"agreed_actions-2-agreed_due-day": "15", "agreed_actions-2-agreed_due-month": "1",
             "agreed_actions-2-agreed_due-year": "2027"}  # fmt: skip
    check = post(web, MEDIATION, {**data, "step": "check"})
    assert check.status_code == 200, check.text
    page = check.text
    assert "Agreed action 1" in page and "Agreed action 2" in page
    assert "Issue the amended plan<br>Who must do it: The council<br>" in page
    assert "Amend provision" in page and "15 January 2027" in page
    assert "The health commissioners (ICB)" in page
    assert 'value="change:agreed_actions-2-summary"' in page
    assert '<span class="govuk-visually-hidden"> agreed action 2</span>' in page
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert hidden["agreed_actions-2-summary"] == "Speech therapy assessment"
    # Change: the form again, with every item as it was
    change = post(web, MEDIATION, {**hidden, "step": "change:agreed_actions-2-summary"}).text
    assert (
        'name="agreed_actions-2-summary" type="text" value="Speech therapy assessment" '
        'autofocus="autofocus"' in change
    )
    done = post(web, MEDIATION, {**hidden, "step": "confirm"})
    assert done.status_code == 200 and "recorded" in done.text
    _, _, _, event, _ = mediation.calls[-1]
    assert [(a.summary, a.by, a.order, a.agreed_due) for a in event.agreed_actions] == [
        ("Issue the amended plan", "council", "amend_provision", None),
        ("Speech therapy assessment", "health", None, date(2027, 1, 15)),
    ]


def test_recommendations_with_and_without_who_must_answer(fake, web):  # noqa: F811
    fake.builder = CaseBuilder(make_case("plan_content", date(2026, 9, 1)))
    fake.builder.add("mediation_adviser_contacted", date(2026, 9, 2))
    fake.builder.add("mediation_certificate_issued", date(2026, 9, 3),
                     certificate_kind="information_only")  # fmt: skip
    fake.builder.add("appeal_registered", date(2026, 9, 20), tribunal_ref="EH857/26/00042",
                     health_included=True)  # fmt: skip
    page = web.get(DECISION).text
    assert "Health and social care recommendations" in page and "Add a recommendation" in page
    base = {"date-day": "25", "date-month": "11", "date-year": "2026", "outcome": "allowed",
            "orders": "amend_provision", "recommendations-count": "2",
            "recommendations-1-addressed_to": "health",
            "recommendations-1-summary": "Occupational therapy review",
            "recommendations-2-addressed_to": "social_care",
            "recommendations-2-summary": "Short breaks",
            "recommendations-2-contact-name": "Jo Social"}  # fmt: skip
    half = post(web, DECISION, {**base, "step": "check"})
    assert half.status_code == 400
    assert 'href="#recommendations-2-contact-email"' in half.text
    whole = {**base, "recommendations-2-contact-email": "jo.social@rutland.gov.uk"}
    check = post(web, DECISION, {**whole, "step": "check"})
    assert check.status_code == 200, check.text
    assert "Recommendation 2" in check.text and "Jo Social, jo.social@rutland.gov.uk" in check.text
    post(web, DECISION, {**whole, "step": "confirm", "event_id": "web:1"})
    event = fake.calls[-1][3]
    assert [(r.addressed_to, r.summary) for r in event.recommendations] == [
        ("health", "Occupational therapy review"), ("social_care", "Short breaks"),
    ]  # fmt: skip
    assert event.recommendations[0].contact is None
    assert event.recommendations[1].contact.email == "jo.social@rutland.gov.uk"


def test_a_new_caseworker_through_contact_details(fake, web):  # noqa: F811
    page = web.get(CONTACT).text
    assert "To give the case to another caseworker" in page
    assert 'name="contact-email"' in page and 'type="email"' in page
    data = {"date-day": "30", "date-month": "11", "date-year": "2026", "role": "caseworker",
            "contact-name": "Robin Caseworker", "contact-email": "robin@",
            "contact-contact_preference": "email"}  # fmt: skip
    bad = post(web, CONTACT, {**data, "step": "check"})
    assert bad.status_code == 400 and 'href="#contact-email"' in bad.text
    data["contact-email"] = "robin.cw@rutland.gov.uk"
    check = post(web, CONTACT, {**data, "step": "check"})
    assert check.status_code == 200 and "robin.cw@rutland.gov.uk" in check.text
    post(web, CONTACT, {**data, "step": "confirm", "event_id": "web:2"})
    event = fake.calls[-1][3]
    assert (event.role, event.contact.name, event.contact.email) == (
        "caseworker", "Robin Caseworker", "robin.cw@rutland.gov.uk",
    )  # fmt: skip


def test_the_case_page_changes_a_contact_from_its_row(fake, web):  # noqa: F811
    page = web.get("/cases/RUT-2026-0042").text
    link = "/cases/RUT-2026-0042/events/contact_updated?role=caseworker"
    assert f'href="{link}"' in page
    assert 'Change<span class="govuk-visually-hidden"> caseworker</span>' in page
    form = web.get(link).text
    assert re.search(r'value="caseworker"\s+checked', form)
    unknown = web.get("/cases/RUT-2026-0042/events/contact_updated?role=nobody").text
    assert not re.search(r"checked", unknown.split("Whose contact details changed?")[1][:2000])
