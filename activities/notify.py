"""The notification activities: one stable interface, whichever transport delivers."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.names import NOTIFY_RETRY, SEND_NOTIFICATION, SEND_NOTIFICATIONS
from ehcp.council import CouncilInfo
from ehcp.messages import Email, render_batch
from ehcp.notices import Delivery, Notification, SendOutcome

log = logging.getLogger("ehcp.notify")


class Sender(Protocol):
    name: str

    def send(self, n: Notification, email: Email) -> str | None:
        """Deliver once per `n.key`; return a message id. Raise to have Temporal retry."""
        ...


class NotificationActivities:
    """`primary` delivers (SendGrid, or the outbox with no API key); `fallback` (the outbox)
    takes the messages marked `fallback`, i.e. delivery-failure alerts to staff."""

    def __init__(self, primary: Sender, fallback: Sender, council: CouncilInfo) -> None:
        self._primary = primary
        self._fallback = fallback
        self._council = council

    def deliver(self, n: Notification) -> Delivery:
        return self.deliver_group([n])[0]

    def deliver_group(self, group: list[Notification]) -> list[Delivery]:
        """One email for every notification in `group` (one reader, one wake-up); a
        delivery for each, all with the same message id."""
        n = group[0]
        sender = self._fallback if n.fallback else self._primary
        # Rendered here, in the activity, so the calendar entry is never a workflow payload.
        email = render_batch(group, self._council, now=datetime.now(UTC))
        if len(group) > 1:
            n = n.model_copy(update={"key": batch_key(group)})
        message_id = sender.send(n, email)
        # The key names the case, deadline, kind and reader's role: never an address or name.
        log.info(
            "email %s for case %s: %s (deadline %s) via %s",
            "written" if sender.name == "outbox" else "sent",
            n.case_ref,
            ", ".join(m.key for m in group),
            ", ".join(m.deadline.key if m.deadline else "-" for m in group),
            sender.name,
        )
        return [Delivery(key=m.key, transport=sender.name, message_id=message_id) for m in group]

    @activity.defn(name=SEND_NOTIFICATION)
    def send_notification(self, n: Notification) -> Delivery:
        """One message per call: kept for cases whose runs started before batched sends."""
        return self.deliver(n)

    @activity.defn(name=SEND_NOTIFICATIONS)
    def send_notifications(self, batch: list[Notification]) -> list[SendOutcome]:
        """Every message due at one wake-up: one outcome each, in order.

        A message that may still get through (timeout, 5xx, 429) makes the whole call retry;
        the sender's ledger skips the ones already accepted, so a retry sends only the rest.
        On the last attempt those become failures instead, so the case records exactly which
        messages did not go.
        """
        last_try = activity.info().attempt >= NOTIFY_RETRY.maximum_attempts
        outcomes: dict[str, SendOutcome] = {}
        retry: list[ApplicationError] = []
        for group in reader_groups(batch):
            try:
                deliveries = self.deliver_group(group)
                outcomes.update({d.key: SendOutcome(key=d.key, delivery=d) for d in deliveries})
            except Exception as error:  # each message ends one way or the other
                app = error if isinstance(error, ApplicationError) else _unexpected(error)
                if not app.non_retryable:
                    retry.append(app)
                for n in group:
                    outcomes[n.key] = _failed(n, app, gave_up=not app.non_retryable)
        if retry and not last_try:
            raise ApplicationError(
                f"{len(retry)} of {len(batch)} messages not accepted yet: {retry[0].message}",
                type=retry[0].type,
                next_retry_delay=_longest_wait(retry),
            )
        return [outcomes[n.key] for n in batch]


def reader_groups(batch: list[Notification]) -> list[list[Notification]]:
    """The batch of one wake-up, grouped by reader (address and channel), in first-seen order:
    one email each, listing every deadline (issue 10: never several emails at the same
    minute to the same person)."""
    groups: dict[tuple[bool, str, str], list[Notification]] = {}
    for n in batch:
        groups.setdefault((n.fallback, n.to.email.lower(), n.case_ref), []).append(n)
    return list(groups.values())


def batch_key(group: list[Notification]) -> str:
    """A stable key for one email that carries several notifications: the same group always
    gets the same key, so a retried activity never sends it twice."""
    digest = hashlib.sha256("\n".join(sorted(n.key for n in group)).encode()).hexdigest()
    return f"{group[0].case_ref}/batch/{digest[:20]}/{group[0].role}"


def _unexpected(error: Exception) -> ApplicationError:
    log.exception("unexpected error delivering a message")
    return ApplicationError(f"unexpected error: {type(error).__name__}", type="Unexpected")


def _failed(n: Notification, error: ApplicationError, gave_up: bool) -> SendOutcome:
    status = error.details[0] if error.details and isinstance(error.details[0], int) else None
    reason = error.message
    if gave_up:
        reason = f"still not accepted after {activity.info().attempt} attempts: {reason}"
    return SendOutcome(key=n.key, failure=reason, status_code=status)


def _longest_wait(errors: list[ApplicationError]) -> timedelta | None:
    """A 429's reset time applies to the whole batch; otherwise the retry policy's backoff."""
    waits = [e.next_retry_delay for e in errors if e.next_retry_delay]
    return max(waits, default=None)
