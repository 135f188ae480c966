"""The notification activities: one stable interface, whichever transport delivers."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import counters
from activities.names import NOTIFY_RETRY, SEND_NOTIFICATION, SEND_NOTIFICATIONS
from ehcp.council import CouncilInfo
from ehcp.messages import Email, render_batch
from ehcp.notices import Delivery, Notification, SendOutcome
from ehcp.texts import text_message

log = logging.getLogger("ehcp.notify")


#: time one message may need beyond its transport's own request timeout (ledger, rendering)
PER_MESSAGE_MARGIN_S = 3.0


class Sender(Protocol):
    name: str

    def send(self, n: Notification, email: Email) -> str | None:
        """Deliver once per `n.key`; return a message id. Raise to have Temporal retry."""
        ...

    def recorded(self, key: str) -> Delivery | None:
        """The delivery if `key` is recorded as sent, else None; a look-up, sends nothing."""
        ...


class NotificationActivities:
    """`primary` delivers (SendGrid, or the outbox with no API key); `fallback` (the outbox)
    takes the messages marked `fallback`, i.e. delivery-failure alerts to staff."""

    def __init__(
        self,
        primary: Sender,
        fallback: Sender,
        council: CouncilInfo,
        councils: Mapping[str, CouncilInfo] | None = None,
    ) -> None:
        """`council` is the service's default council (its From: name and Reply-To are the
        senders' own); `councils` every configured council by code (settings.councils): each
        message is written as its case's council (name, SEND team, help links, colours)."""
        self._primary = primary
        self._fallback = fallback
        self._council = council
        self._councils = dict(councils or {})

    def council_of(self, n: Notification) -> CouncilInfo:
        """The case's council's details; the default council's for a code not configured."""
        return self._councils.get(n.council, self._council)

    def _sender(self, n: Notification) -> Sender:
        if n.fallback:
            return self._fallback
        route = getattr(self._primary, "sender_for", None)
        if route is not None:  # a CouncilRouter: the council's provider
            return route(n)
        if n.channel == "sms" and self._primary.name != "notify":
            return self._fallback  # only Notify sends texts: the outbox shows them instead
        return self._primary

    def _unattempted(
        self, group: list[Notification], sender: Sender, last_try: bool
    ) -> list[SendOutcome]:
        """One reader's email this attempt has no time left to send: delivered if an earlier
        attempt sent it, else not delivered (retried, or a failure on the last attempt)."""
        key = group[0].key if len(group) == 1 else batch_key(group)
        try:
            delivery = sender.recorded(key)
        except (OSError, ApplicationError):  # the ledger cannot be read: not known as sent
            delivery = None
        if delivery is not None:
            return [
                SendOutcome(key=m.key, delivery=delivery.model_copy(update={"key": m.key}))
                for m in group
            ]
        return [_failed(m, OUT_OF_TIME, gave_up=last_try) for m in group]

    def deliver(self, n: Notification) -> Delivery:
        """Send `n` unless its key is already recorded as sent; counts what it sends."""
        return self.deliver_group([n])[0]

    def deliver_group(self, group: list[Notification]) -> list[Delivery]:
        """One email for every notification in `group` (one reader, one wake-up); a
        delivery for each, all with the same message id. Nothing is sent when the group's key
        is already recorded as sent (an earlier attempt sent it)."""
        n = group[0]
        sender = self._sender(n)
        if len(group) > 1:
            n = n.model_copy(update={"key": batch_key(group)})
        if (done := sender.recorded(n.key)) is not None:
            return [done.model_copy(update={"key": m.key}) for m in group]
        # Rendered here, in the activity, so the calendar entry is never a workflow payload.
        email = self._render(group)
        message_id = sender.send(n, email)
        for m in group:
            counters.sent(m, sender.name)
        # The key names the case, deadline, kind and reader's role: never an address or name.
        log.info(
            "email %s for case %s: %s (deadline %s) via %s",
            "written" if sender.name == "outbox" else "sent",
            n.case_ref,
            ", ".join(m.key for m in group),
            ", ".join(m.deadline.key if m.deadline else "-" for m in group),
            sender.name,
            extra={"case_ref": n.case_ref},
        )
        return [Delivery(key=m.key, transport=sender.name, message_id=message_id) for m in group]

    def _render(self, group: list[Notification]) -> Email:
        n = group[0]
        council = self.council_of(n)
        if n.channel == "sms":  # one text each; the outbox writes it as Notify would send it
            body = text_message(n, council)
            return Email(f"Text message for case {n.case_ref}", body, f"<p>{body}</p>", ())
        email = render_batch(group, council, now=datetime.now(UTC))
        if council is self._council or council == self._council:
            return email
        return replace(
            email, from_name=f"{council.name} SEND team", reply_to=council.send_team_email
        )

    @activity.defn(name=SEND_NOTIFICATION)
    def send_notification(self, n: Notification) -> Delivery:
        """One message per call: kept for cases whose runs started before batched sends."""
        try:
            return self.deliver(n)
        except ApplicationError as error:
            if error.non_retryable:
                counters.failed(n, counters.REFUSED, _status(error))
            raise

    @activity.defn(name=SEND_NOTIFICATIONS)
    def send_notifications(self, batch: list[Notification]) -> list[SendOutcome]:
        """Every message due at one wake-up: one outcome each, in order.

        A message that may still get through (timeout, 5xx, 429) makes the whole call retry;
        the sender's ledger skips the ones already accepted, so a retry sends only the rest,
        and a permanent refusal is recorded there too, so a retry reports it, not resends it.
        On the last attempt those become failures instead, so the case records exactly which
        messages did not go.

        An attempt never runs past its start-to-close timeout: when too little time is left
        for one more request, the rest are only looked up in the ledger (sent: delivered) and
        otherwise left to the next attempt, or reported as failed on the last one. So a slow
        last attempt cannot time out and take messages that did go down with it.
        """
        info = activity.info()
        last_try = info.attempt >= NOTIFY_RETRY.maximum_attempts
        ends_at = time.monotonic() + _budget_s(info.start_to_close_timeout)
        outcomes: dict[str, SendOutcome] = {}
        retry: list[ApplicationError] = []
        reasons: dict[str, str] = {}  # why a message failed, for ehcp_emails_failed
        for group in reader_groups(batch):
            sender = self._sender(group[0])
            if ends_at - time.monotonic() < _need_s(sender):
                for outcome in self._unattempted(group, sender, last_try):
                    if outcome.failure is not None and not last_try:
                        retry.append(OUT_OF_TIME)
                    reasons[outcome.key] = counters.NOT_ATTEMPTED
                    outcomes[outcome.key] = outcome
                continue
            try:
                deliveries = self.deliver_group(group)
                outcomes.update({d.key: SendOutcome(key=d.key, delivery=d) for d in deliveries})
            except Exception as error:  # each message ends one way or the other
                app = error if isinstance(error, ApplicationError) else _unexpected(error)
                if not app.non_retryable:
                    retry.append(app)
                for m in group:
                    if app.non_retryable:
                        reasons[m.key] = counters.REFUSED
                    outcomes[m.key] = _failed(m, app, gave_up=not app.non_retryable)
        if retry and not last_try:
            # Fixed words only: the SDK logs this in plain text (SendGrid's own text stays in
            # each message's outcome, in encrypted history).
            raise ApplicationError(
                f"{len(retry)} of {len(batch)} messages not accepted yet "
                f"(first: {_status_phrase(retry[0])})",
                type=retry[0].type,
                next_retry_delay=_longest_wait(retry),
            )
        result = [outcomes[n.key] for n in batch]
        for n, outcome in zip(batch, result, strict=True):
            if outcome.failure is not None:  # final now: counted once, when reported
                counters.failed(n, reasons.get(n.key, counters.GAVE_UP), outcome.status_code)
        return result


def reader_groups(batch: list[Notification]) -> list[list[Notification]]:
    """The batch of one wake-up, grouped by reader (address and channel), in first-seen order:
    one email each, listing every deadline (issue 10: never several emails at the same
    minute to the same person)."""
    groups: dict[tuple[bool, str, str], list[Notification]] = {}
    for n in batch:
        # texts are never combined: each is a short reminder of one deadline
        reader = n.to.email.lower() if n.channel == "email" else n.key
        groups.setdefault((n.fallback, reader, n.case_ref), []).append(n)
    return list(groups.values())


def batch_key(group: list[Notification]) -> str:
    """A stable key for one email that carries several notifications: the same group always
    gets the same key, so a retried activity never sends it twice."""
    digest = hashlib.sha256("\n".join(sorted(n.key for n in group)).encode()).hexdigest()
    return f"{group[0].case_ref}/batch/{digest[:20]}/{group[0].role}"


OUT_OF_TIME = ApplicationError(
    "not attempted: too little of the attempt's time was left", type="AttemptTimeUsedUp"
)


def _status(error: ApplicationError) -> int | None:
    return error.details[0] if error.details and isinstance(error.details[0], int) else None


def _status_phrase(error: ApplicationError) -> str:
    status = _status(error)
    return f"{error.type}" + ("" if status is None else f", status {status}")


def _budget_s(start_to_close: timedelta | None) -> float:
    """Seconds this attempt may use: its start-to-close timeout less a little for reporting."""
    if start_to_close is None:
        return float("inf")
    return max(0.0, start_to_close.total_seconds() - 2.0)


def _need_s(sender: Sender) -> float:
    """The longest one message can take with `sender` (its request timeout, plus margin)."""
    return float(getattr(sender, "timeout_s", 0.0)) + PER_MESSAGE_MARGIN_S


def _unexpected(error: Exception) -> ApplicationError:
    log.exception("unexpected error delivering a message")
    return ApplicationError(f"unexpected error: {type(error).__name__}", type="Unexpected")


def _failed(n: Notification, error: ApplicationError, gave_up: bool) -> SendOutcome:
    status = _status(error)
    # the provider's own words (details[1]) for the case record, which history encrypts
    has_text = len(error.details) > 1 and isinstance(error.details[1], str)
    reason = error.details[1] if has_text else error.message
    if gave_up:
        reason = f"still not accepted after {activity.info().attempt} attempts: {reason}"
    return SendOutcome(key=n.key, failure=reason, status_code=status)


def _longest_wait(errors: list[ApplicationError]) -> timedelta | None:
    """A 429's reset time applies to the whole batch; otherwise the retry policy's backoff."""
    waits = [e.next_retry_delay for e in errors if e.next_retry_delay]
    return max(waits, default=None)
