"""Text messages and email through GOV.UK Notify, with the official client, once per key.

- What is posted: a template id and its personalisation (`ehcp/texts.py` for texts; the
  rendered subject and plain-text body for email), the recipient, and `reference` = the
  message key, which Notify sends back in its delivery receipts (`POST /webhooks/notify`).
  The templates a council must create are in docs/notify-templates.md.
- What an answer means (`classify_notify`, pure): 201 accepted; 429 (rate or daily limit) and
  5xx retried with the activity's backoff, like SendGrid's; a timeout or dropped connection
  too (the client reports those as 503); 400 and 403 (bad template, personalisation or number;
  a revoked or test-only key) and any other 4xx are final: the same
  `PermanentDeliveryError` as SendGrid's, so the case records the failure with Notify's words
  and staff are alerted.
- Never twice: the same sent ledger as SendGrid's (store/sent_ledger.py: the database, leases
  on its clock).

The client logs a failed request at WARNING with Notify's message (which can quote the phone
number or address), so its logger is held at ERROR; our lines carry status codes only.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from temporalio.exceptions import ApplicationError

from activities.sendgrid_sender import (
    LEDGER,
    LEDGER_ERRORS,
    PERMANENT,
    TRANSIENT,
    in_progress,
    ledger_unavailable,
)
from ehcp.council import CouncilInfo
from ehcp.messages import Email
from ehcp.notices import Delivery, Notification
from ehcp.texts import personalisation
from ehcp.urls import provider_url
from store.sent_ledger import (
    ACCEPTED,
    FAILED,
    REFUSED,
    SENT,
    UNKNOWN,
    Attempt,
    AttemptInFlight,
    SentLedger,
)

log = logging.getLogger("ehcp.notify_sender")
CLIENT_LOGGER = "notifications_python_client"
_ADDRESS = re.compile(r"[^\s<>\"',;:]+@[^\s<>\"',;:]+|\+?\d[\d ]{8,}\d")


def quiet_client_logs() -> None:
    """The client's warnings quote Notify's message, which may hold a number or address."""
    logging.getLogger(CLIENT_LOGGER).setLevel(logging.ERROR)


@dataclass(frozen=True)
class NotifyOutcome:
    action: Literal["retry", "permanent"]
    status_code: int
    message: str  # Notify's words, addresses and numbers removed: encrypted history only

    @property
    def reason(self) -> str:
        """For plaintext logs: the status code and a fixed phrase."""
        if self.status_code == 429:
            return "Notify 429 (rate limited)"
        if self.status_code >= 500:
            return f"Notify {self.status_code} (server error or no answer)"
        return f"Notify {self.status_code} (refused)"

    def error(self) -> ApplicationError:
        details = (self.status_code, self.message)
        if self.action == "permanent":
            return ApplicationError(self.reason, *details, type=PERMANENT, non_retryable=True)
        return ApplicationError(self.reason, *details, type=TRANSIENT)


def classify_notify(error: APIError) -> NotifyOutcome:
    """What a failed Notify request means. The client raises `HTTPError` for any non-2xx
    answer and for timeouts and connection errors (status 503, no response)."""
    status = int(error.status_code)
    message = f"Notify answered {status}: {notify_message(error)}"
    if status == 429 or status >= 500 or status == 408:
        return NotifyOutcome("retry", status, message)
    return NotifyOutcome("permanent", status, notify_message(error))


def notify_message(error: APIError) -> str:
    """Notify's words from `{"errors": [{"error": ..., "message": ...}]}`, without any
    address or number."""
    text = ""
    with contextlib.suppress(Exception):
        found = error.message
        if isinstance(found, list):
            text = "; ".join(f"{e.get('error')}: {e.get('message')}" for e in found)
        else:
            text = str(found)
    return _ADDRESS.sub("[redacted]", text or f"HTTP {error.status_code}")[:500]


@dataclass(frozen=True)
class NotifyTemplateIds:
    email: str
    text_reminder: str


class NotifySender:
    """Sends `Notification`s through Notify: `channel == "sms"` as a text to `to.mobile`,
    otherwise as an email (subject and body through the council's email template)."""

    name = "notify"

    def __init__(
        self,
        api_key: str,
        ledger: SentLedger,
        templates: NotifyTemplateIds,
        *,
        council: CouncilInfo,
        base_url: str = "https://api.notifications.service.gov.uk",
        timeout_s: float = 10,
    ) -> None:
        if not api_key:
            raise ValueError("a GOV.UK Notify API key is required")
        self._api_key = api_key
        self._ledger = ledger
        self._templates = templates
        self._council = council
        self._base_url = provider_url(base_url, "Notify base URL")
        #: seconds one request may take; the batch activity budgets its time with it
        self.timeout_s = timeout_s
        quiet_client_logs()

    def client(self) -> NotificationsAPIClient:
        return NotificationsAPIClient(
            self._api_key, base_url=self._base_url, timeout=self.timeout_s
        )

    def send(self, n: Notification, email: Email) -> str | None:
        """Send once per `n.key`; return Notify's notification id. Raises ApplicationError."""
        key = n.key
        with ledger_unavailable():
            if (done := self._ledger.sent(key)) is not None:
                return done.message_id
            try:
                attempt, _previous = self._ledger.begin(key)
            except AttemptInFlight as busy:
                raise in_progress(busy) from None
        if attempt.state == REFUSED:  # final: never sent again under this key
            text = f"Notify {attempt.status_code} (refused) earlier; not sent again"
            raise ApplicationError(
                text, attempt.status_code, text, type=PERMANENT, non_retryable=True
            )
        if attempt.state == ACCEPTED:  # a crashed attempt got Notify's 201: record it
            return self._record(key, attempt.message_id, attempt)
        if attempt.state == SENT:  # recorded between the first look and the claim
            with ledger_unavailable():
                done = self._ledger.sent(key)
            return done.message_id if done is not None else None
        try:
            answer = self._post(n, email)
        except APIError as error:
            outcome = classify_notify(error)
            state = REFUSED if outcome.action == "permanent" else FAILED
            if outcome.status_code == 503 and getattr(error, "response", None) is None:
                state = UNKNOWN  # no answer: Notify may have accepted it
            with contextlib.suppress(*LEDGER_ERRORS):
                self._ledger.end(attempt, state, status_code=outcome.status_code)
            log.warning("%s: not sent: %s", key, outcome.reason)
            raise outcome.error() from None
        message_id = answer.get("id") if isinstance(answer, dict) else None
        return self._record(key, message_id, attempt)

    def _record(self, key: str, message_id: str | None, attempt: Attempt) -> str | None:
        """The sent record, in the transaction that ends the attempt; if the database
        refuses, the attempt row keeps `accepted` when it can, for the retry to record."""
        try:
            self._ledger.record_sent(key, message_id, self.name, attempt)
        except LEDGER_ERRORS as error:
            with contextlib.suppress(*LEDGER_ERRORS):
                self._ledger.end(attempt, ACCEPTED, message_id)
            log.error("%s: accepted by Notify but not recorded: %s", key, type(error).__name__)
            raise ApplicationError(
                "Notify accepted the message but the sent ledger could not be written",
                type=LEDGER,
                next_retry_delay=timedelta(seconds=5),
            ) from None
        log.info("%s: sent by Notify (%s)", key, message_id)
        return message_id

    def _post(self, n: Notification, email: Email) -> dict:
        client = self.client()
        if n.channel == "sms":
            if n.to.mobile is None:
                raise ApplicationError(
                    "no mobile number for a text message", type=PERMANENT, non_retryable=True
                )
            return client.send_sms_notification(
                phone_number=n.to.mobile,
                template_id=self._templates.text_reminder,
                personalisation=personalisation(n, self._council),
                reference=n.key,
            )
        return client.send_email_notification(
            email_address=str(n.to.email),
            template_id=self._templates.email,
            personalisation={"subject": email.subject, "body": email.text},
            reference=n.key,
        )

    def recorded(self, key: str) -> Delivery | None:
        """The delivery if the sent ledger shows `key` as sent, else None; sends nothing.
        Raises ApplicationError (`LEDGER`, retryable) when the database cannot be used."""
        with ledger_unavailable():
            done = self._ledger.sent(key)
        if done is None:
            return None
        return Delivery(key=key, transport=self.name, message_id=done.message_id)
