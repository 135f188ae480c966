"""Every free-text field is checked for every place it goes (issue 10, fault 9): a line
break or control character is refused at input, naming the field; an internationalised
domain is stored and sent as IDNA ASCII; a non-ASCII local part is refused with a reason.
Whatever is accepted builds an email header, a SendGrid request and an .ics entry."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from activities.outbox import build_message
from activities.sendgrid_sender import build_mail
from ehcp.council import CouncilInfo
from ehcp.messages import render
from ehcp.models import Case, Contact, describe_validation_error, parse_event
from tests.email.cases import COUNCIL, NOW, parent_reminder

BAD = ["Sam\r\nBcc: x@example.org", "Sam\x00Parent", "Sam\nParent", "Sam\u2028Parent", "A\x1bB"]
CONTACTS = ["parent", "second_contact", "caseworker", "health_contact", "send_manager"]


def _case(**changes) -> dict:
    data = {
        "case_ref": "RUT-2026-0301",
        "decision_type": "plan_content",
        "decision_date": "2026-10-01",
        "parent": {"name": "Sam Parent", "email": "sam@example.org"},
        "caseworker": {"name": "Alex Worker", "email": "alex@rutland.gov.uk"},
    }
    data.update(changes)
    return data


def _refusal(build) -> str:
    with pytest.raises(ValidationError) as error:
        build()
    return describe_validation_error(error.value)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("role", CONTACTS)
def test_a_name_with_a_line_break_or_control_character_is_refused(role, bad) -> None:
    contact = {"name": bad, "email": "someone@example.org"}
    message = _refusal(lambda: Case.model_validate(_case(**{role: contact})))
    assert message.startswith(f"{role}.name: ")
    assert "line break or control character" in message
    assert message.count("\n") == 0


EVENT_FIELDS = [
    ({"kind": "mediation_declined", "recorded_by": "{bad}"}, "recorded_by"),
    (
        {"kind": "mediation_held", "outcome": "agreement",
         "agreed_actions": [{"summary": "{bad}"}]},
        "agreed_actions.0.summary",
    ),
    (
        {"kind": "tribunal_decision", "outcome": "allowed",
         "recommendations": [{"addressed_to": "health", "summary": "{bad}"}]},
        "recommendations.0.summary",
    ),
    (
        {"kind": "tribunal_decision", "outcome": "allowed",
         "recommendations": [{"addressed_to": "health", "summary": "Therapy",
                              "contact": {"name": "{bad}", "email": "a@nhs.example"}}]},
        "recommendations.0.contact.name",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("data", "field"), EVENT_FIELDS, ids=lambda v: str(v)[:30])
def test_single_line_event_fields_refuse_line_breaks(data, field) -> None:
    raw = json.dumps(data).replace("{bad}", "Sam\\r\\nBcc: x@example.org")
    message = _refusal(lambda: parse_event({"date": "2026-10-02", **json.loads(raw)}))
    assert field in message and "line break" in message


@pytest.mark.parametrize("field", ["notes", "reasons"])
def test_multi_line_text_keeps_lines_but_refuses_other_control_characters(field) -> None:
    base = {"kind": "recommendation_response_sent", "date": "2026-10-02", "recommendation": 1,
            "followed": False, "reasons": "Too far"}  # fmt: skip
    event = parse_event({**base, field: "line one\r\nline two"})
    assert getattr(event, field) == "line one\nline two"
    message = _refusal(lambda: parse_event({**base, field: "bell\x07"}))
    assert field in message and "U+0007" in message


def test_an_internationalised_domain_is_stored_and_sent_in_ascii() -> None:
    contact = Contact(name="Siân Jones", email="sian@llŷr.cymru")
    assert contact.email == "sian@xn--llr-k2a.cymru"
    n = parent_reminder().model_copy(update={"to": contact})
    email = render(n, COUNCIL, now=NOW)
    message = build_message(n, email, "send-reminders@rutland.gov.uk", "send@rutland.gov.uk")
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    assert parsed["To"].addresses[0].addr_spec == "sian@xn--llr-k2a.cymru"
    mail = build_mail(n, email, "send-reminders@rutland.gov.uk", "send@rutland.gov.uk")
    body = mail.get()
    assert body["personalizations"][0]["to"][0]["email"] == "sian@xn--llr-k2a.cymru"
    json.dumps(body).encode("ascii")  # the whole request is ASCII JSON


def test_a_non_ascii_local_part_is_refused_with_the_reason() -> None:
    message = _refusal(lambda: Contact(name="Siân", email="siân@example.org"))
    assert message.startswith("email: ")
    assert "before the @" in message and "ASCII" in message


def test_configured_council_text_refuses_line_breaks_too() -> None:
    message = _refusal(lambda: CouncilInfo(name="Rutland\r\nBcc: x@example.org"))
    assert message.startswith("name: ")


NAMES = st.text(min_size=1, max_size=100).filter(lambda s: s.strip())


@settings(max_examples=150, deadline=None)
@given(name=NAMES)
def test_any_accepted_name_builds_one_header_and_a_sendgrid_request(name: str) -> None:
    try:
        contact = Contact(name=name, email="sam@example.org")
    except ValidationError:
        return  # refused at input: nothing to send
    n = parent_reminder().model_copy(update={"to": contact})
    email = render(n, COUNCIL, now=NOW)
    message = build_message(n, email, "send-reminders@rutland.gov.uk", "send@rutland.gov.uk")
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["sam@example.org"]
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    json.dumps(build_mail(n, email, "a@rutland.gov.uk", "b@rutland.gov.uk").get())
