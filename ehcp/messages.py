"""Email content: what each email says, in the GOV.UK content style, and no health or personal
detail in subjects.

`render` turns a Notification into a subject, a plain-text part, an HTML part and, for a
parent's reminder, a calendar entry (.ics); `render_batch` makes one email of several. The
subject and first line say the action and its date ("Your appeal must reach the SEND
Tribunal by Tuesday 5 January 2027"), then why it matters, what to send, how, what happens if
they do nothing, and where to get help; the legal basis comes once, at the end. Parents'
words are in `ehcp.parent_words`, staff's in `ehcp.templates`, the layout in
`ehcp.email_layout`. Every transport (SendGrid, the local outbox) sends what `render` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ehcp import ics
from ehcp import parent_words as pw
from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.email_layout import Block, Heading, Lead, Link, Links, Quote, html_part, text_part
from ehcp.headlines import (
    PARENT_ROLES,
    base_key,
    batch_lead,
    batch_subject,
    council_fields,
    first_line,
    headline,
    how_soon,
    is_parent,
    late_party,
    reader,
    subject_line,
)
from ehcp.notices import NoticeKind, Notification
from ehcp.reader_text import reader_basis, reader_title
from ehcp.templates import (
    CLOSED_REASONS,
    CLOSED_STAFF,
    ESCALATION_ASK,
    ESCALATION_HEALTH,
    FAILURE,
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
    #: the From: name and Reply-To of the case's council when it is not the service's
    #: default (EHCP_COUNCILS_FILE); None: the sender's own (EHCP_REPLY_TO_EMAIL, ...)
    from_name: str | None = None
    reply_to: str | None = None


#: Staff (never parents) see which deadlines rest on an unconfirmed reading of the law
#: (issue 11; docs/law-unconfirmed.md): a deliberate flag, not a remark on sources.
UNCONFIRMED_FOR_STAFF = (
    "Basis unconfirmed: the period is the one widely stated, not yet checked in full against "
    "the legislation."
)


def has_template(n: Notification) -> bool:
    """True when the words for this reminder were written for exactly this key and reader."""
    if n.kind != NoticeKind.reminder or n.deadline is None:
        return True
    if is_parent(n):
        return base_key(n) in pw.PARENT_REMINDERS
    return reader(n.role) in WHAT_TO_DO.get(base_key(n), {})


def what_to_do(n: Notification, council: CouncilInfo) -> str:
    """Staff's words for a reminder (a reader without their own words gets the caseworker's)."""
    words = WHAT_TO_DO.get(base_key(n), {})
    text = words.get(reader(n.role)) or words.get("caseworker") or next(iter(words.values()), "")
    return text.format(**council_fields(council))


# -- parents' emails ---------------------------------------------------------------------


def _say(council: CouncilInfo, lines: tuple[str, ...]) -> str:
    return " ".join(lines).format(**council_fields(council))


def _parent_reminder(n: Notification, council: CouncilInfo, calendar: bool) -> list[Block]:
    lead = first_line(n)
    blocks: list[Block] = [Lead(lead.before, lead.date, f"{lead.after} {how_soon(n)}".rstrip())]
    words = pw.PARENT_REMINDERS.get(base_key(n))
    if words is None:  # somebody else's deadline: nothing for the parent to do
        blocks.append("You do not need to do anything. We will tell you if it is late.")
    else:
        blocks += [Heading("Why this matters"), _say(council, words.why)]
        blocks += [Heading("What you need to do"), _say(council, words.send)]
        if words.how and (url := getattr(council, words.how[1])):
            blocks.append(Link(words.how[0].format(**council_fields(council)), url))
        blocks += [Heading("If you do nothing"), _say(council, words.if_nothing)]
    if calendar:
        blocks.append(pw.CALENDAR_NOTE)
    return blocks


def _parent_late(n: Notification, council: CouncilInfo) -> list[Block]:
    blocks: list[Block] = [
        first_line(n),
        "It has not been done yet. We are sorry. We have told the SEND manager.",
    ]
    if more := pw.LATE_MORE.get(base_key(n)):
        blocks.append(_say(council, more))
    blocks += [Heading("What you can do"), _say(council, pw.LATE_WHAT_YOU_CAN_DO[late_party(n)])]
    return blocks


def _parent_response(n: Notification, council: CouncilInfo) -> list[Block]:
    assert n.deadline is not None
    when = format_long_date(n.deadline.due)
    blocks: list[Block] = [
        first_line(n),
        f"Their reply was due by {when}.",
    ]
    if n.followed:
        blocks.append(_say(council, pw.RESPONSE_FOLLOWED))
    else:
        blocks += [_say(council, pw.RESPONSE_NOT_FOLLOWED), Quote(n.reasons or "None recorded.")]
    blocks += [Heading("What you can do"), _say(council, pw.RESPONSE_ADVICE)]
    return blocks


def _parent_closed(n: Notification, council: CouncilInfo) -> list[Block]:
    reason = pw.CLOSED_REASONS.get(n.closed_reason or "", "it has ended")
    return [first_line(n), " ".join(pw.CLOSED_PARENT).format(reason=reason)]


def _parent_help(council: CouncilInfo) -> list[Block]:
    mediation = f"{council.mediation_provider}: free mediation"
    if council.mediation_phone:
        mediation += f", phone {council.mediation_phone}"
    items = [
        (f"Email the {council.name} SEND team", council.send_team_email),
        (f"{council.name}: if you disagree with a SEND decision", council.send_info_url),
        (f"{council.name} local offer: SEND support near you", council.local_offer_url),
        (f"{council.sendiass_name}: free advice for families", council.sendiass_url),
        ("IPSEA: free legal advice about SEND", council.ipsea_url),
        ("The SEND Tribunal on GOV.UK: how to appeal", council.tribunal_url),
        (mediation, council.mediation_url),
    ]
    return [
        Heading("Get help"),
        Links(
            "Ask us, or get free, independent advice:", tuple((w, url) for w, url in items if url)
        ),
        pw.REPLY_NOTE.format(**council_fields(council)),
    ]


# -- staff emails ------------------------------------------------------------------------


def _staff_record(n: Notification) -> list[Block]:
    basis = f" Legal basis: {n.deadline.basis}." if n.deadline else ""
    if n.deadline and not n.deadline.confirmed:
        basis += f" {UNCONFIRMED_FOR_STAFF}"
    lines: list[Block] = [f"Case record: {n.case_ref}.{basis}"]
    if n.deadline and n.deadline.note:
        lines.append(f"How the date was worked out: {n.deadline.note}")
    return lines


def _staff_body(n: Notification, council: CouncilInfo) -> list[Block]:
    if n.kind == NoticeKind.delivery_failure:
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
        return [first_line(n), *(line.format(**words) for line in FAILURE)]
    if n.kind == NoticeKind.case_closed:
        reason = CLOSED_REASONS.get(n.closed_reason or "", "it has ended")
        return [
            first_line(n),
            *(x.format(case_ref=n.case_ref, reason=reason) for x in CLOSED_STAFF),
        ]
    assert n.deadline is not None
    blocks: list[Block] = [first_line(n)]
    if n.kind == NoticeKind.escalation:
        # what to do first; then why it matters and what happens next
        blocks.append("It is still not recorded as done.")
        if n.deadline.party == Party.health:
            blocks.append(ESCALATION_HEALTH)
        blocks += [
            ESCALATION_ASK.get(reader(n.role), ESCALATION_ASK["caseworker"]),
            "The family has been told that it is late.",
            f"This is escalation {n.escalation}. We will send another each week until it is "
            "done or an exception is recorded.",
        ]
    elif n.kind == NoticeKind.reminder:
        if soon := how_soon(n):
            blocks.append(soon)
        blocks.append(what_to_do(n, council))
    elif n.kind == NoticeKind.late_notice:
        blocks.append("It has not been recorded as done.")
    else:  # a reply to a recommendation
        blocks.append(n.reasons or "No reasons were recorded.")
    return blocks


# -- the whole email ---------------------------------------------------------------------


def _body(n: Notification, council: CouncilInfo, calendar: bool) -> list[Block]:
    if not is_parent(n) or n.kind == NoticeKind.delivery_failure:
        return _staff_body(n, council)
    if n.kind == NoticeKind.case_closed:
        return _parent_closed(n, council)
    if n.kind in (NoticeKind.late_notice, NoticeKind.escalation):
        return _parent_late(n, council)
    if n.kind == NoticeKind.recommendation_response:
        return _parent_response(n, council)
    return _parent_reminder(n, council, calendar)


def _ending(ns: list[Notification], council: CouncilInfo) -> list[Block]:
    first = ns[0]
    if not is_parent(first):
        return [f"{council.name} SEND team"]
    blocks: list[Block] = [*_parent_help(council), f"Your case reference is {first.case_ref}."]
    bases = [n.deadline.basis for n in ns if n.deadline is not None]
    if bases:
        blocks.append("For reference, the law behind the dates: " + "; ".join(bases) + ".")
    return [*blocks, f"{council.name} SEND team"]


def _footer(n: Notification, council: CouncilInfo) -> list[str]:
    if not is_parent(n):
        return [f"This is an automatic email from the {council.name} SEND disagreements service."]
    return [
        f"This email is about your SEND case {n.case_ref}.",
        f"To reply, reply to this email or write to {council.send_team_email}"
        + (f" (phone {council.send_team_phone})." if council.send_team_phone else "."),
        "To stop these emails or change how we contact you, reply and tell us.",
    ]


def _wants_calendar(n: Notification) -> bool:
    """Parents' reminders for their own deadlines and for meetings carry a calendar entry."""
    return n.kind == NoticeKind.reminder and n.deadline is not None and is_parent(n)


def calendar_entry(n: Notification, council: CouncilInfo) -> tuple[str, str, str | None]:
    """(summary, description, link) of a parent's calendar entry: the action, then what to
    do with the link that does it."""
    words = pw.PARENT_REMINDERS.get(base_key(n))
    if words is None:
        return headline(n).before.removesuffix(" by ").removesuffix(" on "), "", None
    url = getattr(council, words.how[1]) if words.how else None
    url = url or council.send_info_url
    description = _say(council, words.send)
    if url:
        how = words.how[0] if words.how and getattr(council, words.how[1]) else "Find out more"
        description += f"\n\n{how.format(**council_fields(council))}: {url}"
    return words.calendar, description, url


def calendar_attachment(n: Notification, council: CouncilInfo, now: datetime) -> Attachment:
    assert n.deadline is not None
    data = ics.deadline_calendar(n.case_ref, n.deadline, calendar_entry(n, council), council, now)
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


def _email(subject: str, blocks: list[Block], footer: list[str], council: CouncilInfo,
           attachments: tuple[Attachment, ...]) -> Email:  # fmt: skip
    text = text_part(council, blocks, footer)
    return Email(subject, text, html_part(council, blocks, footer, subject), attachments)


def render(n: Notification, council: CouncilInfo, now: datetime | None = None) -> Email:
    """The email for `n`. `now` stamps the calendar entry (DTSTAMP, SEQUENCE)."""
    n = for_readers(n)
    calendar = _wants_calendar(n)
    blocks: list[Block] = [f"Dear {n.to.name},", *_body(n, council, calendar)]
    if not is_parent(n) and n.deadline is not None:
        blocks += _staff_record(n)
    blocks += _ending([n], council)
    attachments = ()
    if calendar:
        attachments = (calendar_attachment(n, council, now or datetime.now(UTC)),)
    return _email(subject_line(n), blocks, _footer(n, council), council, attachments)


def render_batch(
    notifications: list[Notification], council: CouncilInfo, now: datetime | None = None
) -> Email:
    """One email for several notifications to the same reader at one wake-up: a first line
    saying how many things there are, each in its own numbered part, the help and the legal
    basis once, and one calendar file holding every entry. A single notification renders
    exactly as `render`."""
    if len(notifications) == 1:
        return render(notifications[0], council, now)
    ns = [for_readers(n) for n in notifications]
    first = ns[0]
    subject = batch_subject(ns)
    blocks: list[Block] = [f"Dear {first.to.name},", batch_lead(ns)]
    entries = []
    for number, n in enumerate(ns, start=1):
        blocks.append(Heading(f"{number}. {headline(n).plain}"))
        part = _body(n, council, calendar=False)[1:]  # its first line is the heading
        blocks += [Heading(b.text, 3) if isinstance(b, Heading) else b for b in part]
        if not is_parent(n) and n.deadline is not None:
            blocks += _staff_record(n)  # the case record and legal basis of this part
        if _wants_calendar(n):
            entries.append((n.deadline, calendar_entry(n, council)))
    if entries:
        blocks.append(pw.CALENDAR_NOTE)
    blocks += _ending(ns, council)
    attachments = ()
    if entries:
        data = ics.deadlines_calendar(first.case_ref, entries, council, now or datetime.now(UTC))
        attachments = (Attachment("deadlines.ics", "text/calendar", data),)
    return _email(subject, blocks, _footer(first, council), council, attachments)
