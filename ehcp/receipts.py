"""Delivery receipts applied to a case: pure and deterministic (the workflow calls these).

- Each report updates its message's state (`NoticeRecord.delivery`): accepted, deferred,
  delivered, failed (with the provider's reason) or unsubscribed. A report whose event id was
  applied before changes nothing (providers retry webhooks). Reports can arrive out of order:
  a final state (delivered, failed) is never replaced by an earlier-stage one, and between
  states of the same stage the later `occurred_at` wins.
- A hard failure (bounce, dropped, blocked, spam report, Notify permanent-failure) records a
  `DeliveryFailure` (staff are alerted through the outbox, as for a refused send) and marks
  the reader as not reached on that channel: the case shows "parent not reached: contact them
  another way" until a later message to them on that channel is delivered, or a
  `contact_updated` event records corrected details.
- A Notify temporary or technical failure is sent once more after the case's delay.
- A due-day or 2-day reminder with no `delivered` report within `undelivered_flag_hours` is
  flagged (`undelivered_reminders`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ehcp.case_state import CaseState, DeliveryFailure, NoticeRecord
from ehcp.delivery_state import (
    HARD_FAILURES,
    NOT_REACHED_WARNING,
    RESEND_ONCE,
    STATE_OF,
    DeliveryReceipt,
    DeliveryReport,
    NotReached,
)
from ehcp.notices import NoticeKind, Notification
from ehcp.notices import _messages as messages_for  # the same messages due_notices builds

#: how far along a message is: a report never moves a message back
_STAGE = {"accepted": 0, "deferred": 1, "unsubscribed": 1, "delivered": 2, "failed": 2}
#: reminders whose missing `delivered` report is flagged (days before the due date)
FLAGGED_OFFSETS = (2, 0)
#: providers that send receipts (the outbox does not)
RECEIPT_TRANSPORTS = ("sendgrid", "notify")


@dataclass
class Applied:
    """What `apply_reports` did: the receipt, the failures to alert staff about, and the
    messages to send once more (key, when)."""

    receipt: DeliveryReceipt = field(default_factory=DeliveryReceipt)
    failures: list[DeliveryFailure] = field(default_factory=list)
    resend: list[NoticeRecord] = field(default_factory=list)


def apply_reports(state: CaseState, reports: list[DeliveryReport], now: datetime) -> Applied:
    """Apply provider reports to `state` (in place), in the order given."""
    done = Applied()
    seen = set(state.delivery_event_ids)
    by_key = {n.key: n for n in state.notices}
    by_id: dict[str, list[NoticeRecord]] = {}
    for n in state.notices:
        if n.message_id:
            by_id.setdefault(n.message_id, []).append(n)
    for report in reports:
        if report.event_id in seen:
            done.receipt.duplicates += 1
            continue
        targets = _targets(report, by_key, by_id)
        if not targets or report.case_ref != state.case.case_ref:
            done.receipt.unknown += 1
            continue
        seen.add(report.event_id)
        state.delivery_event_ids.append(report.event_id)
        moved = [r for r in targets if _apply(state, r, report, now, done, first=r is targets[0])]
        if moved:
            done.receipt.applied += 1
        else:
            done.receipt.stale += 1
    return done


def _targets(
    report: DeliveryReport, by_key: dict[str, NoticeRecord], by_id: dict[str, list[NoticeRecord]]
) -> list[NoticeRecord]:
    """The notices one report is about: its key, or every notice its email carried (one
    email per reader can carry several, all with the provider's message id)."""
    if report.message_key in by_key:
        return [by_key[report.message_key]]
    return list(by_id.get(report.message_id or "", []))


def _apply(
    state: CaseState,
    record: NoticeRecord,
    report: DeliveryReport,
    now: datetime,
    done: Applied,
    first: bool,
) -> bool:
    new = STATE_OF[report.status]
    if not _moves(record, new, report.occurred_at):
        return False
    before = record.delivery
    record.delivery = new
    record.delivery_at = report.occurred_at
    record.delivery_reason = _reason(report) if new != "delivered" else None
    if new == "delivered":
        _reached(state, record)
    elif report.status in HARD_FAILURES and before != "failed":
        failure = _failure(state, record, report, now)
        if first:  # one alert per email, however many notices it carried
            done.failures.append(failure)
    elif report.status in RESEND_ONCE and _first_try(state, record.key):
        state.resent.append(resend_key(record.key))
        done.resend.append(record)
        done.receipt.resends += 1
    return True


RESEND_SUFFIX = "/resend"


def resend_key(key: str) -> str:
    """The key of the one extra attempt after a temporary failure."""
    return key + RESEND_SUFFIX


def _first_try(state: CaseState, key: str) -> bool:
    """Only a first attempt is sent once more, and only once."""
    return not key.endswith(RESEND_SUFFIX) and resend_key(key) not in state.resent


def _moves(record: NoticeRecord, new: str, at: datetime) -> bool:
    if record.delivery is None:
        return True
    old_stage, new_stage = _STAGE[record.delivery], _STAGE[new]
    if new_stage != old_stage:
        return new_stage > old_stage
    return record.delivery_at is None or at >= record.delivery_at


def _reason(report: DeliveryReport) -> str:
    words = f"{report.provider} reported {report.status}"
    return f"{words}: {report.reason}" if report.reason else words


def _failure(
    state: CaseState, record: NoticeRecord, report: DeliveryReport, now: datetime
) -> DeliveryFailure:
    reason = _reason(report)
    failure = DeliveryFailure(
        key=record.key,
        deadline_key=record.deadline_key,
        kind=record.kind,
        role=record.role,
        failed_at=now,
        reason=reason,
    )
    state.delivery_failures.append(failure)
    state.not_reached = [
        r for r in state.not_reached if (r.role, r.channel) != (record.role, record.channel)
    ]
    state.not_reached.append(
        NotReached(
            role=record.role,
            channel="sms" if record.channel == "sms" else "email",
            key=record.key,
            since=report.occurred_at,
            reason=reason,
        )
    )
    return failure


def _reached(state: CaseState, record: NoticeRecord) -> None:
    """A message delivered after the failure clears the reader's warning on that channel."""
    state.not_reached = [
        r
        for r in state.not_reached
        if not (r.role == record.role and r.channel == record.channel and record.sent_at > r.since)
    ]


def contact_corrected(state: CaseState, role: str) -> None:
    """New contact details for `role` (a `contact_updated` event): the warning goes."""
    state.not_reached = [r for r in state.not_reached if r.role != role]


def warnings(state: CaseState) -> list[str]:
    """What the case shows about readers not reached, e.g. "parent not reached: ..."."""
    out = []
    for role in dict.fromkeys(r.role for r in state.not_reached):
        channels = " and ".join(
            "text message" if r.channel == "sms" else "email"
            for r in state.not_reached
            if r.role == role
        )
        who = role.replace("_", " ")
        out.append(NOT_REACHED_WARNING.format(who=who) + f" ({channels} failed)")
    return out


def _offset(key: str) -> int | None:
    """The reminder offset in a reminder's key (case/deadline@due/reminder/N/role[...])."""
    parts = key.split("/")
    if len(parts) > 4 and parts[2] == "reminder" and parts[3].isdigit():
        return int(parts[3])
    return None


def undelivered_reminders(state: CaseState, now: datetime) -> list[str]:
    """Keys of due-day and 2-day reminders sent through a provider with receipts that have
    had no `delivered` report within `policy.undelivered_flag_hours`."""
    wait = timedelta(hours=state.policy.undelivered_flag_hours)
    return [
        n.key
        for n in state.notices
        if n.transport in RECEIPT_TRANSPORTS
        and _offset(n.key) in FLAGGED_OFFSETS
        and n.delivery != "delivered"
        and n.sent_at + wait <= now
    ]


def rebuild(state: CaseState, record: NoticeRecord) -> list[Notification]:
    """The email(s) of an earlier reminder (a `NoticeRecord`), built again from the case as
    it is now, for sending once more after a temporary failure; [] for other kinds."""
    parts = record.key.split("/")
    deadline = state.deadlines.get(record.deadline_key or "")
    if deadline is None or len(parts) < 5 or parts[2] != NoticeKind.reminder:
        return []
    return [
        n
        for n in messages_for(state, deadline, NoticeKind.reminder, int(parts[3]))
        if n.role == record.role
    ]
