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
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from ehcp.case_state import CaseState, Deadline, DeliveryFailure
from ehcp.deadline import DeadlineSpec
from ehcp.models import Contact
from ehcp.uktime import london_date, london_to_utc
from ehcp.vocabulary import ESCALATING_PARTIES, DeadlineStatus, DecisionType, Party

ESCALATION_INTERVAL = timedelta(days=7)


class NoticeKind(StrEnum):
    reminder = "reminder"
    escalation = "escalation"  # to the caseworker and SEND manager: a duty was missed
    late_notice = "late_notice"  # to the parent: the council (or health) is late
    case_closed = "case_closed"  # final summary
    delivery_failure = "delivery_failure"  # to staff: a message could not be delivered
    #: to the parent: health or social care replied to a tribunal recommendation
    recommendation_response = "recommendation_response"


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
    #: for recommendation_response notices: whether it will be followed, and why not
    followed: bool | None = None
    reasons: str | None = None


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


def due_notices(state: CaseState, now: datetime, *, learned: bool = False) -> list[Notification]:
    """Every message due at `now` and not sent yet, for deadlines still open.

    `learned` (runs on the workflow's NOTICES_AFTER_LEARNED patch; see `_due_for_learned`):
    escalations and late notices wait for the first working-day reminder time after the
    case learned of the deadline and are numbered by how many were sent; a reminder whose
    time had passed when the deadline was learned goes at the next reminder time instead.
    """
    sent = state.sent_keys()
    due: list[Notification] = []
    for deadline in state.deadlines.values():
        if learned:
            for kind, detail, days_before in _due_for_learned(state, deadline, now):
                due += [
                    n
                    for n in _messages(state, deadline, kind, detail, days_before)
                    if n.key not in sent
                ]
            continue
        for kind, detail in _due_for(state, deadline, now):
            due += [n for n in _messages(state, deadline, kind, detail) if n.key not in sent]
    return due


def next_wakeup(state: CaseState, now: datetime, *, learned: bool = False) -> datetime | None:
    """The earliest future moment a message falls due or a deadline's day ends (`learned`:
    as in `due_notices`)."""
    future = _future_times_learned if learned else _future_times
    times = [t for d in state.deadlines.values() for t in future(state, d, now)]
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


@lru_cache(maxsize=16384)  # pure; asked for every reminder time (one entry per open case)
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


# -- timing from when the case learned of a deadline (NOTICES_AFTER_LEARNED) -------------


def first_slot_after(state: CaseState, instant: datetime, *, working: bool) -> datetime:
    """The first reminder time (the policy's London time plus the case's slot) strictly after
    `instant`; with `working`, on a Monday to Friday. Bank holidays are not skipped here:
    workflow code cannot read the holiday calendar deterministically (its data changes
    between releases), and escalations themselves start on a working day (`escalate_from`)."""
    day = london_date(instant)
    while _at(state, day) <= instant or (working and day.weekday() >= 5):
        day += timedelta(days=1)
    return _at(state, day)


def _escalations_sent(state: CaseState, deadline: Deadline) -> tuple[int, datetime | None]:
    """How many escalations went out for this deadline and due date, and when the last did."""
    prefix = notice_key(
        state.case.case_ref, f"{deadline.key}@{deadline.due.isoformat()}", "escalation", None, ""
    ).rstrip("/")
    numbers: dict[int, datetime] = {}
    records = [(n.key, n.sent_at) for n in state.notices]
    records += [(f.key, f.failed_at) for f in state.delivery_failures]
    for key, at in records:
        if key.startswith(prefix + "/"):
            number = int(key[len(prefix) + 1 :].split("/", 1)[0])
            numbers[number] = max(at, numbers.get(number, at))
    if not numbers:
        return 0, None
    # Numbers run 1, 2, 3, ...: the highest is the count, also once earlier records are
    # compacted away (ehcp.bounds.compact_notices).
    return max(numbers), numbers[max(numbers)]


def _next_escalation_at(state: CaseState, deadline: Deadline) -> tuple[int, datetime]:
    """The number of the next escalation (1 for the first) and when it is due: the first
    no earlier than escalate_from's reminder time nor the first working-day reminder time
    after the case learned of the deadline (so a back office entering a case's history has
    time to record what was done); each later one a week after the last one sent."""
    assert deadline.escalate_from is not None
    count, last = _escalations_sent(state, deadline)
    if last is None:
        gate = first_slot_after(state, deadline.created_at, working=True)
        return 1, max(_at(state, deadline.escalate_from), gate)
    return count + 1, _at(state, london_date(last) + ESCALATION_INTERVAL)


def _catch_up_reminder(state: CaseState, deadline: Deadline) -> tuple[int, datetime] | None:
    """A reminder whose time had passed when the case learned of the deadline (an appeal due
    in 2 days on a case started at 09:40): (its offset, the next reminder time), unless a
    later planned reminder or the end of the due day comes first."""
    missed = [
        (offset, at)
        for offset, at in _planned_reminders(state, deadline)
        if at < deadline.created_at
    ]
    if not missed:
        return None
    offset = missed[-1][0]
    at = first_slot_after(state, deadline.created_at, working=False)
    planned = [t for _, t in _reminder_times(state, deadline)]
    if london_date(at) > deadline.due or any(t <= at for t in planned):
        return None
    return offset, at


def _planned_reminders(state: CaseState, deadline: Deadline) -> list[tuple[int, datetime]]:
    return [
        (offset, _at(state, deadline.due - timedelta(days=offset)))
        for offset in sorted(state.policy.offsets, reverse=True)
    ]


def _due_for_learned(
    state: CaseState, deadline: Deadline, now: datetime
) -> list[tuple[NoticeKind, int, int | None]]:
    """(kind, key detail, days before the due date for the words) of what is due at `now`."""
    if deadline.status == DeadlineStatus.pending:
        catch_up = _catch_up_reminder(state, deadline)
        passed = [(o, at) for o, at in _reminder_times(state, deadline) if at <= now]
        if catch_up and catch_up[1] <= now:
            passed = sorted([*passed, catch_up], key=lambda item: item[1])
        if not passed:
            return []
        offset, at = passed[-1]
        return [(NoticeKind.reminder, offset, (deadline.due - london_date(at)).days)]
    if deadline.status == DeadlineStatus.missed and _escalates(deadline):
        n, at = _next_escalation_at(state, deadline)
        if at <= now:
            return [(NoticeKind.escalation, n, None), (NoticeKind.late_notice, 0, None)]
    return []


def _future_times_learned(state: CaseState, deadline: Deadline, now: datetime) -> list[datetime]:
    times: list[datetime] = []
    if deadline.status == DeadlineStatus.pending:
        times += [at for _, at in _reminder_times(state, deadline)]
        if catch_up := _catch_up_reminder(state, deadline):
            times.append(catch_up[1])
        times.append(london_to_utc(deadline.due + timedelta(days=1), 0) + case_slot(state))
    elif deadline.status == DeadlineStatus.missed and _escalates(deadline):
        times.append(_next_escalation_at(state, deadline)[1])
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
    state: CaseState,
    deadline: Deadline,
    kind: NoticeKind,
    detail: int,
    days_before: int | None = None,
) -> list[Notification]:
    messages = [
        _notification(state, deadline, kind, detail, role, contact)
        for role, contact in _recipients(state, deadline, kind)
    ]
    if days_before is not None and days_before != detail:
        # a reminder sent later than planned says how far off the date is now
        messages = [n.model_copy(update={"days_before": days_before}) for n in messages]
    return messages


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
