"""The notification activities: one stable interface, whichever transport delivers."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import counters
from activities.names import NOTIFY_RETRY, SEND_NOTIFICATION, SEND_NOTIFICATIONS
from ehcp.council import CouncilInfo
from ehcp.messages import Email, render
from ehcp.notices import Delivery, Notification, SendOutcome
from ehcp.texts import personalisation, text_body

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

    def __init__(self, primary: Sender, fallback: Sender, council: CouncilInfo) -> None:
        self._primary = primary
        self._fallback = fallback
        self._council = council

    def _sender(self, n: Notification) -> Sender:
        if n.fallback:
            return self._fallback
        route = getattr(self._primary, "sender_for", None)
        if route is not None:  # a CouncilRouter: the council's provider
            return route(n)
        if n.channel == "sms" and self._primary.name != "notify":
            return self._fallback  # only Notify sends texts: the outbox shows them instead
        return self._primary

    def _unattempted(self, n: Notification, sender: Sender, last_try: bool) -> SendOutcome:
        """A message this attempt has no time left to send: delivered if an earlier attempt
        sent it, else not delivered (retried, or a failure on the last attempt)."""
        try:
            delivery = sender.recorded(n.key)
        except OSError:
            delivery = None
        if delivery is not None:
            return SendOutcome(key=n.key, delivery=delivery)
        return _failed(n, OUT_OF_TIME, gave_up=last_try)

    def deliver(self, n: Notification) -> Delivery:
        """Send `n` unless its key is already recorded as sent; counts what it sends."""
        sender = self._sender(n)
        if (done := sender.recorded(n.key)) is not None:  # an earlier attempt sent it
            return done
        # Rendered here, in the activity, so the calendar entry is never a workflow payload.
        email = self._render(n)
        message_id = sender.send(n, email)
        counters.sent(n, sender.name)
        log.info("%s: sent by %s", n.key, sender.name, extra={"case_ref": n.case_ref})
        return Delivery(key=n.key, transport=sender.name, message_id=message_id)

    def _render(self, n: Notification) -> Email:
        if n.channel == "sms":  # the outbox writes the text exactly as Notify would send it
            body = text_body(personalisation(n, self._council.name))
            return Email(f"Text message for case {n.case_ref}", body, f"<p>{body}</p>", ())
        return render(n, self._council, now=datetime.now(UTC))

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
        outcomes: list[SendOutcome] = []
        retry: list[ApplicationError] = []
        reasons: dict[str, str] = {}  # why a message failed, for ehcp_emails_failed
        for n in batch:
            sender = self._sender(n)
            if ends_at - time.monotonic() < _need_s(sender):
                outcome = self._unattempted(n, sender, last_try)
                if outcome.failure is not None and not last_try:
                    retry.append(OUT_OF_TIME)
                reasons[n.key] = counters.NOT_ATTEMPTED
                outcomes.append(outcome)
                continue
            try:
                outcomes.append(SendOutcome(key=n.key, delivery=self.deliver(n)))
            except Exception as error:  # each message ends one way or the other
                app = error if isinstance(error, ApplicationError) else _unexpected(error)
                if not app.non_retryable:
                    retry.append(app)
                else:
                    reasons[n.key] = counters.REFUSED
                outcomes.append(_failed(n, app, gave_up=not app.non_retryable))
        if retry and not last_try:
            # Fixed words only: the SDK logs this in plain text (SendGrid's own text stays in
            # each message's outcome, in encrypted history).
            raise ApplicationError(
                f"{len(retry)} of {len(batch)} messages not accepted yet "
                f"(first: {_status_phrase(retry[0])})",
                type=retry[0].type,
                next_retry_delay=_longest_wait(retry),
            )
        for n, outcome in zip(batch, outcomes, strict=True):
            if outcome.failure is not None:  # final now: counted once, when reported
                counters.failed(n, reasons.get(n.key, counters.GAVE_UP), outcome.status_code)
        return outcomes


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
