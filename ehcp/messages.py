"""Email content: plain English, GOV.UK style, no health or personal detail in subjects.

`render` turns a Notification into a subject, a plain-text part, an HTML part and, for a
parent's deadline or meeting reminder, a calendar entry (.ics). The words live in
`ehcp.templates`, one entry per deadline key and reader; this module arranges them. Every
transport (SendGrid, the local outbox) sends exactly what `render` returns.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

from ehcp import ics
from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.notices import NoticeKind, Notification, Role
from ehcp.reader_text import reader_basis, reader_title
from ehcp.templates import (
    CALENDAR_NOTE,
    CLOSED_PARENT,
    CLOSED_REASONS,
    CLOSED_STAFF,
    ESCALATION_ASK,
    ESCALATION_HEALTH,
    FAILURE,
    LATE_MORE,
    LATE_PARTY,
    LATE_WHAT_YOU_CAN_DO,
    REPLY_NOTE,
    RESPONSE_ADVICE,
    RESPONSE_FOLLOWED,
    RESPONSE_NOT_FOLLOWED,
    RESPONSE_WHO,
    WHAT_TO_DO,
)
from ehcp.vocabulary import Party

__all__ = ["CLOSED_REASONS", "PARENT_ROLES", "WHAT_TO_DO", "Attachment", "Email", "render"]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


PARENT_ROLES = (Role.parent, Role.second_contact)
MEETINGS = frozenset({"way_forward_meeting", "hearing"})


# -- the document: paragraphs, and a titled list of links --------------------------------


@dataclass(frozen=True)
class _Links:
    title: str
    items: tuple[tuple[str, str], ...]  # (label, url or email address)


_Block = str | _Links


def _text(blocks: list[_Block]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, _Links):
            out.append("\n".join([block.title, *(f"- {a}: {b}" for a, b in block.items)]))
        else:
            out.append(block)
    return "\n\n".join(out) + "\n"


def _href(target: str) -> str:
    return target if "://" in target else f"mailto:{target}"


def _html(blocks: list[_Block], subject: str) -> str:
    out = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(subject)}</title></head>",
        '<body style="font-family: Arial, sans-serif; font-size: 19px; line-height: 1.5;">',
    ]
    for block in blocks:
        if isinstance(block, _Links):
            out.append(f"<h2>{html.escape(block.title)}</h2>")
            out.append("<ul>")
            for label, target in block.items:
                link = f'<a href="{html.escape(_href(target))}">{html.escape(target)}</a>'
                out.append(f"<li>{html.escape(label)}: {link}</li>")
            out.append("</ul>")
        else:
            out.append(f"<p>{html.escape(block)}</p>")
    out.append("</body></html>")
    return "\n".join(out)


# -- who reads it ------------------------------------------------------------------------


def reader(role: Role | str) -> str:
    """ "parent" for the parent and second contact, else the role itself."""
    return "parent" if role in PARENT_ROLES else str(role)


def _fields(council: CouncilInfo) -> dict[str, object]:
    return {**council.model_dump(), "council_name": council.name}


def _base_key(n: Notification) -> str:
    assert n.deadline is not None
    return n.deadline.key.split(":")[0]


def has_template(n: Notification) -> bool:
    """True when the words for this reminder were written for exactly this key and reader."""
    if n.kind != NoticeKind.reminder or n.deadline is None:
        return True
    return reader(n.role) in WHAT_TO_DO.get(_base_key(n), {})


def what_to_do(n: Notification, council: CouncilInfo) -> str:
    words = WHAT_TO_DO.get(_base_key(n), {})
    who = reader(n.role)
    text = words.get(who) or words.get("caseworker") or next(iter(words.values()), "")
    return text.format(**_fields(council))


# -- the parts of each email -------------------------------------------------------------

#: Staff (never parents) see which deadlines rest on an unconfirmed reading of the law
#: (issue 11; docs/law-unconfirmed.md): a deliberate flag, not a remark on sources.
UNCONFIRMED_FOR_STAFF = (
    "Basis unconfirmed: the period is the one widely stated, not yet checked in full against "
    "the legislation."
)


def _help(n: Notification, council: CouncilInfo) -> list[_Block]:
    if reader(n.role) != "parent":
        basis = f" Legal basis: {n.deadline.basis}." if n.deadline else ""
        if n.deadline and not n.deadline.confirmed:
            # staff see which deadlines rest on an unconfirmed reading (docs/law-unconfirmed.md)
            basis += f" {UNCONFIRMED_FOR_STAFF}"
        lines: list[_Block] = [f"Case record: {n.case_ref}.{basis}"]
        if n.deadline and n.deadline.note:
            lines.append(f"How the date was worked out: {n.deadline.note}")
        return lines
    mediation = council.mediation_url
    if council.mediation_phone:
        mediation = f"{council.mediation_phone}, {council.mediation_url}"
    return [
        _Links(
            "Where to get help:",
            (
                (f"{council.name} SEND team", council.send_team_email),
                (f"SEND information from {council.name}", council.send_info_url),
                (f"{council.sendiass_name}, free advice for families", council.sendiass_url),
                ("IPSEA, free legal advice about SEND", council.ipsea_url),
                ("The SEND Tribunal, how to appeal and the appeal form", council.tribunal_url),
                (f"{council.mediation_provider}, free mediation", mediation),
            ),
        ),
        REPLY_NOTE,
    ]


def _subject(n: Notification) -> str:
    if n.kind == NoticeKind.case_closed:
        if reader(n.role) == "parent":
            return f"Your SEND case {n.case_ref} is closed"
        return f"SEND case {n.case_ref} is closed"
    if n.kind == NoticeKind.delivery_failure:
        return f"Email not delivered on case {n.case_ref}: action needed"
    assert n.deadline is not None
    when = format_long_date(n.deadline.due)
    if n.kind == NoticeKind.escalation:
        return f"Missed deadline on case {n.case_ref}: {n.deadline.title} (due {when})"
    if n.kind == NoticeKind.late_notice:
        return f"Update on case {n.case_ref}: a deadline has been missed"
    if n.kind == NoticeKind.recommendation_response:
        return f"Update on case {n.case_ref}: a reply to the tribunal's recommendation"
    on_or_by = "on" if _base_key(n) in MEETINGS else "by"
    return f"Reminder for case {n.case_ref}: {n.deadline.title} {on_or_by} {when}"


def _failure_body(n: Notification) -> list[_Block]:
    failure = n.failure
    assert failure is not None
    about = f"the {failure.deadline_key} deadline" if failure.deadline_key else "the case"
    words = {
        "about": about,
        "role": failure.role.replace("_", " "),
        "code": f" (HTTP {failure.status_code})" if failure.status_code else "",
        "reason": failure.reason,
        "key": failure.key,
    }
    return [line.format(**words) for line in FAILURE]


def _closed_body(n: Notification) -> list[_Block]:
    reason = CLOSED_REASONS.get(n.closed_reason or "", "it has ended")
    lines = CLOSED_PARENT if reader(n.role) == "parent" else CLOSED_STAFF
    return [line.format(case_ref=n.case_ref, reason=reason) for line in lines]


def _escalation_body(n: Notification) -> list[_Block]:
    assert n.deadline is not None
    when = format_long_date(n.deadline.due)
    blocks: list[_Block] = [
        f"This deadline was missed: {n.deadline.title}.",
        f"It was due on {when}. It is still not recorded as done.",
        f"This is escalation {n.escalation}. We will send another each week until it is "
        "done or an exception is recorded. The family has been told that it is late.",
    ]
    if n.deadline.party == Party.health:
        blocks.append(ESCALATION_HEALTH)
    blocks.append(ESCALATION_ASK.get(reader(n.role), ESCALATION_ASK["caseworker"]))
    return blocks


def _late_body(n: Notification) -> list[_Block]:
    assert n.deadline is not None
    party = n.deadline.party if n.deadline.party in LATE_PARTY else "council"
    when = format_long_date(n.deadline.due)
    blocks: list[_Block] = [
        f"{LATE_PARTY[party]} should have done this by {when}: {n.deadline.title}.",
        "It has not been done yet. We are sorry. We have told the SEND manager.",
    ]
    if more := LATE_MORE.get(_base_key(n)):
        blocks.append(more)
    blocks.append(LATE_WHAT_YOU_CAN_DO[party])
    return blocks


def _response_body(n: Notification, council: CouncilInfo) -> list[_Block]:
    assert n.deadline is not None
    number = n.deadline.key.rsplit(":", 1)[-1]
    who = RESPONSE_WHO.get(str(n.deadline.party), RESPONSE_WHO["health"])
    blocks: list[_Block] = [
        f"{who} has replied to the SEND Tribunal's recommendation {number} on your case.",
        f"The reply was due by {format_long_date(n.deadline.due)}: {n.deadline.title}.",
    ]
    if n.followed:
        blocks.append(RESPONSE_FOLLOWED)
    else:
        blocks += [RESPONSE_NOT_FOLLOWED, n.reasons or "No reasons were recorded."]
    blocks.append(RESPONSE_ADVICE.format(**_fields(council)))
    return blocks


def _reminder_body(n: Notification, council: CouncilInfo, calendar: bool) -> list[_Block]:
    assert n.deadline is not None
    when = format_long_date(n.deadline.due)
    lead = {0: "today", 1: "tomorrow"}.get(n.days_before or 0, f"in {n.days_before} days")
    is_due = "is" if _base_key(n) in MEETINGS else "is due"  # a meeting is not "due"
    blocks: list[_Block] = [
        f"{n.deadline.title}: this {is_due} {lead}, on {when}.",
        what_to_do(n, council),
    ]
    if calendar:
        blocks.append(CALENDAR_NOTE)
    return blocks


def _wants_calendar(n: Notification) -> bool:
    """Parents' reminders for their own deadlines and for meetings carry a calendar entry."""
    return n.kind == NoticeKind.reminder and n.deadline is not None and reader(n.role) == "parent"


def _body(n: Notification, council: CouncilInfo, calendar: bool) -> list[_Block]:
    if n.kind == NoticeKind.delivery_failure:
        return _failure_body(n)
    if n.kind == NoticeKind.case_closed:
        return _closed_body(n)
    if n.kind == NoticeKind.escalation:
        return _escalation_body(n)
    if n.kind == NoticeKind.late_notice:
        return _late_body(n)
    if n.kind == NoticeKind.recommendation_response:
        return _response_body(n, council)
    return _reminder_body(n, council, calendar)


def calendar_attachment(n: Notification, council: CouncilInfo, now: datetime) -> Attachment:
    assert n.deadline is not None
    data = ics.deadline_calendar(n.case_ref, n.deadline, what_to_do(n, council), council, now)
    return Attachment(ics.filename(n.deadline.key), "text/calendar", data)


def for_readers(n: Notification) -> Notification:
    """`n` with its deadline's title and basis as readers see them: without the remarks on
    sources that titles recorded on older cases may carry (ehcp.reader_text)."""
    if n.deadline is None:
        return n
    deadline = n.deadline.model_copy(
        update={"title": reader_title(n.deadline.title), "basis": reader_basis(n.deadline.basis)}
    )
    return n.model_copy(update={"deadline": deadline})


def render(n: Notification, council: CouncilInfo, now: datetime | None = None) -> Email:
    """The email for `n`. `now` stamps the calendar entry (DTSTAMP, SEQUENCE)."""
    n = for_readers(n)
    calendar = _wants_calendar(n)
    blocks: list[_Block] = [
        f"Dear {n.to.name},",
        *_body(n, council, calendar),
        *_help(n, council),
        f"{council.name} SEND team",
    ]
    subject = _subject(n)
    attachments = ()
    if calendar:
        attachments = (calendar_attachment(n, council, now or datetime.now(UTC)),)
    return Email(subject, _text(blocks), _html(blocks, subject), attachments)


def render_batch(
    notifications: list[Notification], council: CouncilInfo, now: datetime | None = None
) -> Email:
    """One email for several notifications to the same reader at one wake-up: each deadline
    in its own numbered part, the help once, and one calendar file holding every deadline
    that carries an entry. A single notification renders exactly as `render`."""
    if len(notifications) == 1:
        return render(notifications[0], council, now)
    ns = [for_readers(n) for n in notifications]
    first = ns[0]
    blocks: list[_Block] = [
        f"Dear {first.to.name},",
        f"There are {len(ns)} things to tell you about case {first.case_ref}.",
    ]
    entries = []
    for number, n in enumerate(ns, start=1):
        blocks.append(f"{number}. {_subject(n)}")
        blocks += _body(n, council, calendar=False)
        if reader(n.role) != "parent" and n.deadline is not None:
            blocks += _help(n, council)  # the case record and legal basis of this part
        if _wants_calendar(n):
            entries.append((n.deadline, what_to_do(n, council)))
    if entries:
        blocks.append(CALENDAR_NOTE)
    if reader(first.role) == "parent":
        blocks += _help(first, council)
    blocks.append(f"{council.name} SEND team")
    subject = _batch_subject(ns)
    attachments = ()
    if entries:
        data = ics.deadlines_calendar(first.case_ref, entries, council, now or datetime.now(UTC))
        attachments = (Attachment("deadlines.ics", "text/calendar", data),)
    return Email(subject, _text(blocks), _html(blocks, subject), attachments)


def _batch_subject(ns: list[Notification]) -> str:
    ref = ns[0].case_ref
    if all(n.kind == NoticeKind.reminder for n in ns):
        return f"Reminders for case {ref}: {len(ns)} dates coming up"
    if any(n.kind == NoticeKind.escalation for n in ns):
        return f"Missed deadlines and updates on case {ref}: {len(ns)} items"
    return f"Updates on case {ref}: {len(ns)} items"
