"""UK mobile numbers, the contact preference, and which reminders go as texts."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from ehcp.case_state import NoticeRecord
from ehcp.council import CouncilInfo
from ehcp.models import Contact, describe_validation_error, parse_event
from ehcp.notices import Role, due_notices
from ehcp.texts import personalisation, text_message, with_texts
from ehcp.uktime import london_to_utc
from tests.email.cases import NOW, SAMPLE_DECISION, SAMPLE_REF
from tests.unit.casebuilder import CaseBuilder, make_case


@pytest.mark.parametrize(
    "given",
    ["07400 123456", "07400123456", "+44 7400 123456", "0044 7400 123456", "(07400) 123-456"],
)
def test_uk_mobiles_are_normalised_to_e164(given: str) -> None:
    contact = Contact(name="Sam", email="sam@example.org", mobile=given)
    assert contact.mobile == "+447400123456"


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("01572 722577", "a landline, which cannot receive text messages"),
        ("0800 123 4567", "a freephone number"),
        ("+33 6 12 34 56 78", "not a UK number (country code +33)"),
        ("+1 202 555 0143", "not a UK number (country code +1)"),
        ("07400 1234", "not a valid UK number"),
        ("call me", "not a phone number"),
    ],
)
def test_other_numbers_are_refused_with_the_reason(given: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Contact(name="Sam", email="sam@example.org", mobile=given)
    message = describe_validation_error(caught.value)
    assert message.startswith("mobile: ") and reason in message


def test_texts_need_a_mobile() -> None:
    with pytest.raises(ValidationError) as caught:
        Contact(name="Sam", email="sam@example.org", contact_preference="text")
    assert "needs a mobile number" in describe_validation_error(caught.value)


def test_contact_updated_event_names_a_bad_number() -> None:
    bad = {"name": "Sam", "email": "sam@example.org", "mobile": "01572 722577"}
    with pytest.raises(ValidationError) as caught:
        parse_event(
            {"kind": "contact_updated", "date": "2026-11-10", "role": "parent", "contact": bad}
        )
    assert "contact.mobile: a landline" in describe_validation_error(caught.value)


def _state(preference: str):
    parent = Contact(
        name="Sam Taylor",
        email="sam.taylor@example.org",
        mobile="07400 123456",
        contact_preference=preference,
    )
    case = make_case(
        case_ref=SAMPLE_REF,
        decision_type="plan_content",
        decision_date=SAMPLE_DECISION,
        parent=parent,
    )
    return CaseBuilder(case).state


def _due(state, offset: int):
    due = state.deadlines["appeal"].due
    at = london_to_utc(date.fromordinal(due.toordinal() - offset), 9)
    return [
        n for n in due_notices(state, at) if n.deadline.key == "appeal" and n.role == Role.parent
    ]


@pytest.mark.parametrize(
    ("preference", "offset", "channels"),
    [
        ("both", 2, ["email", "sms"]),
        ("both", 0, ["email", "sms"]),
        ("both", 7, ["email"]),  # not a text offset
        ("text", 2, ["sms"]),  # the text replaces that day's email
        ("text", 14, ["email"]),
        ("email", 2, ["email"]),
    ],
)
def test_which_reminders_go_as_texts(preference: str, offset: int, channels: list[str]) -> None:
    state = _state(preference)
    sent = with_texts(state, _due(state, offset))
    assert [n.channel for n in sent] == channels
    for n in sent:
        assert n.key.endswith("/sms") == (n.channel == "sms")


def test_a_text_is_short_plain_english_with_the_date_in_full_and_the_case_ref() -> None:
    state = _state("text")
    (text,) = with_texts(state, _due(state, 2))
    fields = personalisation(text, CouncilInfo())
    body = fields["message"]
    assert body == text_message(text, CouncilInfo())
    assert fields["due_date"] == "Tuesday 5 January 2027"
    assert fields["case_ref"] == SAMPLE_REF
    assert "Tuesday 5 January 2027" in body and SAMPLE_REF in body
    assert "Sam" not in body  # no name on a lock screen
    assert len(body) <= 300  # at most two text message fragments


def test_a_sent_text_is_not_sent_again() -> None:
    state = _state("both")
    first = with_texts(state, _due(state, 2))
    emails = [n for n in first if n.channel == "email"]
    state.notices += [
        NoticeRecord(
            key=n.key, deadline_key="appeal", kind=n.kind, role=n.role, sent_at=NOW, transport="x"
        )
        for n in first
    ]
    assert [n.channel for n in with_texts(state, emails)] == ["email"]
