"""Email content: plain English, GOV.UK style, no health or personal detail in subjects.

`render` turns a Notification into a subject, a plain-text part and an HTML part. The words
for each deadline live in `WHAT_TO_DO`, one entry per deadline key and reader.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.notices import NoticeKind, Notification, Role


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


PARENT_ROLES = (Role.parent, Role.second_contact)

#: What the reader should do, by deadline key (the part before any ":") and reader.
WHAT_TO_DO: dict[str, dict[str, str]] = {
    "mediation_contact": {
        "parent": "Contact the mediation adviser, {mediation_provider}, by this date. "
        "You must do this before you can appeal, unless your appeal is only about the "
        "school or placement. Mediation is free. You do not have to take part in it.",
    },
    "appeal": {
        "parent": "If you want to appeal, the SEND Tribunal must get your appeal by this "
        "date. Send it before 5pm. You can find the appeal form at {tribunal_url}. "
        "You need your mediation certificate, unless your appeal is only about the "
        "school or placement.",
    },
    "mediation_certificate": {
        "staff": "The mediation adviser must issue the mediation certificate by this date. "
        "Check with {mediation_provider} that it has been sent to the family.",
    },
    "mediation_session": {
        "staff": "Mediation must take place by this date. Check that a date is booked "
        "with {mediation_provider} and the family.",
    },
    "icb_mediation_notice": {
        "staff": "Tell the health commissioners (the ICB) what the mediation is about by "
        "this date. Then record it as done.",
    },
    "appeal_response": {
        "staff": "Send the council's response to the appeal to the SEND Tribunal by this "
        "date. Then record it as done.",
    },
    "recommendation_response": {
        "staff": "Send a written response to the tribunal's recommendation by this date. "
        "Say what you will do, or why you will not follow it. Send a copy to the family.",
    },
    "order": {
        "staff": "The tribunal ordered the council to do this by this date. "
        "Record it as done when it is done.",
        "parent": "The council must do this by this date, because the tribunal ordered it.",
    },
    "agreement_action": {
        "staff": "This was agreed in mediation. It must be done by this date. "
        "Record it as done when it is done.",
        "parent": "The council agreed to do this in mediation. It must be done by this date.",
    },
    "way_forward_meeting": {
        "parent": "Your SEND way forward meeting is on this date. It is a chance to talk "
        "about what your child needs and agree what happens next.",
        "staff": "The SEND way forward meeting is on this date.",
    },
    "hearing": {
        "parent": "The SEND Tribunal hearing is on this date. The tribunal will tell you "
        "the time and how to join.",
        "staff": "The SEND Tribunal hearing is on this date. Make sure the council's "
        "evidence and witnesses are ready.",
    },
}

CLOSED_REASONS = {
    "resolved_by_agreement": "the disagreement was settled by agreement",
    "withdrawn": "the family withdrew",
    "obligations_met": "everything the council had to do has been done",
    "appeal_dismissed": "the tribunal dismissed the appeal",
    "no_appeal": "the time to appeal has passed and no appeal was made",
}


def _reader(role: Role) -> str:
    return "parent" if role in PARENT_ROLES else "staff"


def _what_to_do(n: Notification, council: CouncilInfo) -> str:
    assert n.deadline is not None
    words = WHAT_TO_DO.get(n.deadline.key.split(":")[0], {})
    text = words.get(_reader(n.role)) or words.get("staff") or words.get("parent", "")
    return text.format(**council.model_dump())


def _help_lines(n: Notification, council: CouncilInfo) -> list[str]:
    if _reader(n.role) == "staff":
        basis = f" Legal basis: {n.deadline.basis}." if n.deadline else ""
        return [f"Case record: {n.case_ref}.{basis}"]
    return [
        "Where to get help:",
        f"- {council.name} SEND team: {council.send_team_email}, {council.send_info_url}",
        f"- {council.sendiass_name} (free, independent advice): {council.sendiass_url}",
        f"- IPSEA (free legal advice on SEND): {council.ipsea_url}",
        f"- The SEND Tribunal: {council.tribunal_url}",
        f"- {council.mediation_provider} (mediation): {council.mediation_url}",
    ]


def _subject(n: Notification) -> str:
    if n.kind == NoticeKind.case_closed:
        return f"Your SEND case {n.case_ref} is closed"
    if n.kind == NoticeKind.delivery_failure:
        return f"Email not delivered on case {n.case_ref}: action needed"
    assert n.deadline is not None
    when = format_long_date(n.deadline.due)
    if n.kind == NoticeKind.escalation:
        return f"Missed deadline on case {n.case_ref}: {n.deadline.title} (due {when})"
    if n.kind == NoticeKind.late_notice:
        return f"Update on case {n.case_ref}: a deadline has been missed"
    return f"Reminder for case {n.case_ref}: {n.deadline.title} by {when}"


def _failure_body(n: Notification) -> list[str]:
    failure = n.failure
    assert failure is not None
    code = f" (HTTP {failure.status_code})" if failure.status_code else ""
    about = f"the {failure.deadline_key} deadline" if failure.deadline_key else "the case"
    return [
        f"We could not deliver an email about {about} to the {failure.role.replace('_', ' ')}.",
        f"The email service said{code}: {failure.reason}",
        "We will not try this email again. Please check the contact details on the case "
        "and reach the person another way.",
        f"Message reference: {failure.key}",
    ]


def _body(n: Notification, council: CouncilInfo) -> list[str]:
    if n.kind == NoticeKind.delivery_failure:
        return _failure_body(n)
    if n.kind == NoticeKind.case_closed:
        reason = CLOSED_REASONS.get(n.closed_reason or "", "it has ended")
        return [
            f"We have closed case {n.case_ref} because {reason}.",
            "We keep a full record of the case. You do not need to do anything.",
            "If you think this is wrong, reply to this email.",
        ]
    assert n.deadline is not None
    when = format_long_date(n.deadline.due)
    if n.kind == NoticeKind.escalation:
        return [
            f"This deadline was missed: {n.deadline.title}.",
            f"It was due on {when}. It is still not recorded as done.",
            f"This is escalation {n.escalation}. We will send another each week until it "
            "is done or an exception is recorded.",
            f"Legal basis: {n.deadline.basis}.",
        ]
    if n.kind == NoticeKind.late_notice:
        return [
            f"The council should have done this by {when}: {n.deadline.title}.",
            "It has not been done yet. We are sorry. We have told the SEND manager.",
            "You can ask the council when it will be done. You can also get free advice "
            "from the services below, or make a complaint to the council.",
        ]
    lead = "today" if n.days_before == 0 else f"in {n.days_before} days"
    return [
        f"{n.deadline.title}: this is due {lead}, on {when}.",
        _what_to_do(n, council),
    ]


def render(n: Notification, council: CouncilInfo) -> Email:
    greeting = f"Dear {n.to.name},"
    paragraphs = [greeting, *_body(n, council)]
    help_lines = _help_lines(n, council)
    sign_off = [f"{council.name} SEND team"]
    text = "\n\n".join([*paragraphs, "\n".join(help_lines), *sign_off]) + "\n"
    html_parts = [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    if help_lines:
        html_parts.append("<p>" + "<br>".join(html.escape(h) for h in help_lines) + "</p>")
    html_parts.append(f"<p>{html.escape(sign_off[0])}</p>")
    return Email(subject=_subject(n), text=text, html="\n".join(html_parts))
