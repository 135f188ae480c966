"""Which emails are due, to whom, and when the case next needs to wake: pure and deterministic.

Every message has a stable key (case, deadline and its due date, kind, offset or escalation
number, role): the workflow records sent keys, and the sender refuses a key it has already
sent. The due date is in the key so that a deadline an event moved (an appeal deadline moved
by a certificate, a second meeting) is reminded again for its new date.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from ehcp.case_state import CaseState, Deadline, DeliveryFailure
from ehcp.deadline import DeadlineSpec
from ehcp.models import Contact
from ehcp.uktime import london_to_utc
from ehcp.vocabulary import ESCALATING_PARTIES, DeadlineStatus, DecisionType, Party

ESCALATION_INTERVAL = timedelta(days=7)


class NoticeKind(StrEnum):
    reminder = "reminder"
    escalation = "escalation"  # to the caseworker and SEND manager: a duty was missed
    late_notice = "late_notice"  # to the parent: the council (or health) is late
    case_closed = "case_closed"  # final summary
    delivery_failure = "delivery_failure"  # to staff: a message could not be delivered


class Role(StrEnum):
    parent = "parent"
    second_contact = "second_contact"
    caseworker = "caseworker"
    send_manager = "send_manager"
    health = "health"
    social_care = "social_care"


class Notification(BaseModel):
    """One email to one person: the notification activity's stable input."""

    key: str
    kind: NoticeKind
    role: Role
    to: Contact
    case_ref: str
    council: str
    decision_type: DecisionType
    deadline: DeadlineSpec | None = None
    days_before: int | None = None
    escalation: int | None = None
    closed_reason: str | None = None
    #: deliver through the fallback channel (the local outbox), not the email provider
    fallback: bool = False
    #: for delivery_failure alerts: what could not be delivered, and why
    failure: DeliveryFailure | None = None
    #: "email", or "sms": a text message to `to.mobile` (ehcp/texts.py)
    channel: Literal["email", "sms"] = "email"


class Delivery(BaseModel):
    """What the notification activity reports back for one message."""

    key: str
    transport: str  # "outbox", "sendgrid" or "notify"
    message_id: str | None = None


class SendOutcome(BaseModel):
    """How one message of a batch ended: delivered, or refused for good / given up on."""

    key: str
    delivery: Delivery | None = None
    #: set when not delivered: SendGrid's message, or why retrying stopped
    failure: str | None = None
    status_code: int | None = None


def due_notices(state: CaseState, now: datetime) -> list[Notification]:
    """Every message due at `now` and not sent yet, for deadlines still open."""
    sent = state.sent_keys()
    due: list[Notification] = []
    for deadline in state.deadlines.values():
        for kind, detail in _due_for(state, deadline, now):
            due += [n for n in _messages(state, deadline, kind, detail) if n.key not in sent]
    return due


def next_wakeup(state: CaseState, now: datetime) -> datetime | None:
    """The earliest future moment a message falls due or a deadline's day ends."""
    times = [t for d in state.deadlines.values() for t in _future_times(state, d, now)]
    return min(times, default=None)


def failure_alerts(state: CaseState, failure: DeliveryFailure) -> list[Notification]:
    """Tell the caseworker and SEND manager, through the fallback channel, that a message
    did not reach its reader (never the parent: their address may be what failed)."""
    case = state.case
    people = [
        (Role.caseworker, case.caseworker),
        (Role.send_manager, case.send_manager or state.policy.send_manager),
    ]
    return [
        Notification(
            key=f"{failure.key}/delivery_failure/{role}",
            kind=NoticeKind.delivery_failure,
            role=role,
            to=contact,
            case_ref=case.case_ref,
            council=case.council,
            decision_type=case.decision_type,
            fallback=True,
            failure=failure,
        )
        for role, contact in people
        if not (failure.role == role and failure.kind == NoticeKind.delivery_failure)
    ]


def closure_notices(state: CaseState) -> list[Notification]:
    people = [*_parents(state), (Role.caseworker, state.case.caseworker)]
    return [
        _notification(state, None, NoticeKind.case_closed, None, role, contact)
        for role, contact in people
    ]


# -- timing --------------------------------------------------------------------------------


def _at(state: CaseState, day: date) -> datetime:
    """The policy's London wall-clock time on `day`, as a UTC instant, plus the case's slot."""
    at = state.policy.at
    return london_to_utc(day, at.hour, at.minute, at.second) + case_slot(state)


def case_slot(state: CaseState) -> timedelta:
    """This case's place in the spread: the same for every wake-up of the case (crc32, not
    hash(): Python salts str hashes per process, and replay must get the same answer)."""
    return timedelta(seconds=slot_seconds(state.case.case_ref, state.policy.spread_s))


def slot_seconds(case_ref: str, spread_s: int) -> int:
    return zlib.crc32(case_ref.encode()) % spread_s if spread_s else 0


def _reminder_times(state: CaseState, deadline: Deadline) -> list[tuple[int, datetime]]:
    """(days before, when) for reminders planned after the deadline existed, latest last."""
    times = [
        (offset, _at(state, deadline.due - timedelta(days=offset)))
        for offset in sorted(state.policy.offsets, reverse=True)
    ]
    return [(offset, at) for offset, at in times if at >= deadline.created_at]


def _escalation_time(state: CaseState, deadline: Deadline, n: int) -> datetime:
    assert deadline.escalate_from is not None
    day = deadline.escalate_from + ESCALATION_INTERVAL * (n - 1)
    return _at(state, day)


def _escalates(deadline: Deadline) -> bool:
    return deadline.party in ESCALATING_PARTIES and deadline.escalate_from is not None


def _due_for(state: CaseState, deadline: Deadline, now: datetime) -> list[tuple[NoticeKind, int]]:
    if deadline.status == DeadlineStatus.pending:
        # Only the latest reminder already due: after an outage, one message, not a burst.
        passed = [offset for offset, at in _reminder_times(state, deadline) if at <= now]
        return [(NoticeKind.reminder, passed[-1])] if passed else []
    if deadline.status == DeadlineStatus.missed and _escalates(deadline):
        n = _escalations_due(state, deadline, now)
        if n:
            return [(NoticeKind.escalation, n), (NoticeKind.late_notice, 0)]
    return []


def _escalations_due(state: CaseState, deadline: Deadline, now: datetime) -> int:
    n = 0
    while _escalation_time(state, deadline, n + 1) <= now:
        n += 1
    return n


def _future_times(state: CaseState, deadline: Deadline, now: datetime) -> list[datetime]:
    times: list[datetime] = []
    if deadline.status == DeadlineStatus.pending:
        times += [at for _, at in _reminder_times(state, deadline) if at > now]
        missed_at = london_to_utc(deadline.due + timedelta(days=1), 0) + case_slot(state)
        times.append(missed_at)  # the day has ended: missed
    elif deadline.status == DeadlineStatus.missed and _escalates(deadline):
        times.append(_escalation_time(state, deadline, _escalations_due(state, deadline, now) + 1))
    return [t for t in times if t > now]


# -- recipients and keys -------------------------------------------------------------------


def _parents(state: CaseState) -> list[tuple[Role, Contact]]:
    people = [(Role.parent, state.case.parent)]
    if state.case.second_contact:
        people.append((Role.second_contact, state.case.second_contact))
    return people


def _recipients(
    state: CaseState, deadline: Deadline, kind: NoticeKind
) -> list[tuple[Role, Contact]]:
    case = state.case
    caseworker = (Role.caseworker, case.caseworker)
    if kind == NoticeKind.escalation:
        return [caseworker, (Role.send_manager, case.send_manager or state.policy.send_manager)]
    if kind == NoticeKind.late_notice or deadline.party == Party.parent:
        return _parents(state)
    if deadline.party == Party.everyone:
        return [*_parents(state), caseworker]
    if deadline.party == Party.health:
        named = deadline.contact or case.health_contact
        return [(Role.health, named), caseworker] if named else [caseworker]
    if deadline.party == Party.social_care and deadline.contact:
        return [(Role.social_care, deadline.contact), caseworker]
    return [caseworker]


def _messages(
    state: CaseState, deadline: Deadline, kind: NoticeKind, detail: int
) -> list[Notification]:
    return [
        _notification(state, deadline, kind, detail, role, contact)
        for role, contact in _recipients(state, deadline, kind)
    ]


def notice_key(case_ref: str, deadline_key: str | None, kind: str, detail, role: str) -> str:
    parts = [case_ref, deadline_key or "case", kind]
    if detail is not None:
        parts.append(str(detail))
    return "/".join([*parts, role])


def _notification(
    state: CaseState,
    deadline: Deadline | None,
    kind: NoticeKind,
    detail: int | None,
    role: Role,
    contact: Contact,
) -> Notification:
    case = state.case
    if kind == NoticeKind.late_notice:
        detail = None  # once per deadline, whatever the escalation number
    return Notification(
        key=notice_key(
            case.case_ref,
            deadline and f"{deadline.key}@{deadline.due.isoformat()}",
            kind,
            detail,
            role,
        ),
        kind=kind,
        role=role,
        to=contact,
        case_ref=case.case_ref,
        council=case.council,
        decision_type=case.decision_type,
        deadline=DeadlineSpec(**deadline.model_dump(include=set(DeadlineSpec.model_fields)))
        if deadline
        else None,
        days_before=detail if kind == NoticeKind.reminder else None,
        escalation=detail if kind == NoticeKind.escalation else None,
        closed_reason=state.closed_reason if kind == NoticeKind.case_closed else None,
    )


def rebuild(state: CaseState, record) -> list[Notification]:
    """The email(s) of an earlier reminder (a `NoticeRecord`), built again from the case as
    it is now, for sending once more after a temporary failure; [] for other kinds."""
    parts = record.key.split("/")
    deadline = state.deadlines.get(record.deadline_key or "")
    if deadline is None or len(parts) < 5 or parts[2] != NoticeKind.reminder:
        return []
    return [
        n
        for n in _messages(state, deadline, NoticeKind.reminder, int(parts[3]))
        if n.role == record.role
    ]
