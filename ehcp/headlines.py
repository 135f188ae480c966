"""The first line and subject of every email: the action and its date ("Your appeal must
reach the SEND Tribunal by Tuesday 5 January 2027"), then the case reference. For a batch, how
many things there are and the first date. Pure: used by emails (ehcp.messages) and texts
(ehcp.texts)."""

from __future__ import annotations

from ehcp import parent_words as pw
from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.email_layout import Lead
from ehcp.notices import NoticeKind, Notification, Role

PARENT_ROLES = (Role.parent, Role.second_contact)
MEETINGS = frozenset({"way_forward_meeting", "hearing"})


def reader(role: Role | str) -> str:
    """ "parent" for the parent and second contact, else the role itself."""
    return "parent" if role in PARENT_ROLES else str(role)


def is_parent(n: Notification) -> bool:
    """True when `n` goes to the parent or the second contact."""
    return reader(n.role) == "parent"


def council_fields(council: CouncilInfo) -> dict[str, object]:
    """The placeholders words may use: the council's fields, `council_name`, and
    `advice_services` (SENDIASS is named only when its link is set, so the help list has it)."""
    sendiass = f"{council.sendiass_name} and IPSEA" if council.sendiass_url else "IPSEA"
    return {**council.model_dump(), "council_name": council.name, "advice_services": sendiass}


def base_key(n: Notification) -> str:
    """The deadline's key before any ":" ("order:1:draft_plan" -> "order")."""
    assert n.deadline is not None
    return n.deadline.key.split(":")[0]


# -- the first line (and subject): the action and its date --------------------------------


def _doer(n: Notification) -> str:
    assert n.deadline is not None
    return pw.DOER.get(str(n.deadline.party), "The council")


def late_party(n: Notification) -> str:
    """Who is late, as the parent is told: "council", "social_care" or "health"."""
    assert n.deadline is not None
    return str(n.deadline.party) if n.deadline.party in pw.LATE_WHAT_YOU_CAN_DO else "council"


def headline(n: Notification) -> Lead:
    """The action and its date, as the subject and the first line say it (no full stop)."""
    if n.kind == NoticeKind.case_closed:
        return Lead("Your SEND case is closed" if is_parent(n) else "SEND case closed")
    if n.kind == NoticeKind.delivery_failure:
        role = n.failure.role.replace("_", " ") if n.failure else "reader"
        return Lead(f"Email not delivered: contact the {role} another way")
    assert n.deadline is not None
    when = format_long_date(n.deadline.due)
    key = base_key(n)
    by = "on" if key in MEETINGS else "by"
    if n.kind == NoticeKind.recommendation_response:
        who = pw.RESPONSE_WHO.get(str(n.deadline.party), pw.RESPONSE_WHO["health"])
        number = n.deadline.key.rsplit(":", 1)[-1]
        will = "will" if n.followed else "will not"
        return Lead(f"{who} {will} follow the tribunal's recommendation {number}")
    if not is_parent(n):
        title = n.deadline.title
        if n.kind == NoticeKind.escalation:
            return Lead(f"Overdue: {title}, due by ", when)
        if n.kind == NoticeKind.late_notice:
            return Lead(f"Late: {title}, due by ", when)
        return Lead(f"{title} {by} ", when)
    duty = pw.DUTY.get(key, "do what the case needs")
    if n.kind in (NoticeKind.late_notice, NoticeKind.escalation):
        doer = pw.DOER[late_party(n)]
        return Lead(f"{doer} is late: they had to {duty} by ", when)
    if words := pw.PARENT_REMINDERS.get(key):
        before, after = words.headline.split("{when}")
        return Lead(before, when, after)
    must = "must" if _doer(n) != "You" else "need to"
    return Lead(f"{_doer(n)} {must} {duty} {by} ", when)


def subject_line(n: Notification) -> str:
    """The subject: the headline, then the case reference (and an escalation's number)."""
    extra = f", escalation {n.escalation}" if n.kind == NoticeKind.escalation else ""
    return f"{headline(n).plain} (case {n.case_ref}{extra})"


def first_line(n: Notification) -> Lead:
    """The body's first line: the headline as a sentence, its date bold in HTML."""
    lead = headline(n)
    return Lead(lead.before, lead.date, f"{lead.after}.")


def how_soon(n: Notification) -> str:
    """ "That is in 7 days." for a reminder ("today", "tomorrow"); "" for anything else."""
    if n.days_before is None:
        return ""
    lead = {0: "today", 1: "tomorrow"}.get(n.days_before, f"in {n.days_before} days")
    return f"That is {lead}."


# -- a batch: several things in one email ------------------------------------------------


def _earliest(ns: list[Notification]) -> str | None:
    dues = [n.deadline.due for n in ns if n.deadline is not None]
    return format_long_date(min(dues)) if dues else None


def batch_lead(ns: list[Notification]) -> Lead:
    """The first line of an email holding several things: how many, and the first date."""
    when = _earliest(ns)
    if when is None:
        return Lead(f"There are {len(ns)} things to tell you about your case.")
    return Lead(f"There are {len(ns)} things in this email. The first date is ", when, ".")


def batch_subject(ns: list[Notification]) -> str:
    """The subject of an email holding several things: "2 things to do by Tuesday 5 January
    2027 (case RUT-2026-0117)" when each is the parent's own deadline, else how many updates
    and the first date; for staff, how many are overdue."""
    ref, count, when = ns[0].case_ref, len(ns), _earliest(ns)
    own = [n for n in ns if n.deadline is not None and str(n.deadline.party) == "parent"]
    if is_parent(ns[0]):
        if when and len(own) == count and all(n.kind == NoticeKind.reminder for n in ns):
            dues = {n.deadline.due for n in own}
            if len(dues) == 1:
                return f"{count} things to do by {when} (case {ref})"
            return f"{count} things to do, the first by {when} (case {ref})"
        if when:
            return f"{count} updates on your SEND case, the first dated {when} (case {ref})"
        return f"{count} updates on your SEND case (case {ref})"
    overdue = sum(n.kind == NoticeKind.escalation for n in ns)
    lead = f"{overdue} overdue, " if overdue else ""
    dated = f", the first dated {when}" if when else ""
    return f"{lead}{count} items on case {ref}{dated}"
