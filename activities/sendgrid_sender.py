"""Email through SendGrid's v3 mail send API, with the official client, at most once per key.

- What is posted: `build_mail` (from, reply-to, one recipient, the subject, text and HTML
  parts, the .ics attachment, categories, and `custom_args` with only the case reference,
  deadline key, notice kind, reminder offset or escalation number and message key). Click and
  open tracking are off, so links show their real address and nothing reports back who read
  what.
- What an answer means: `classify` (pure): 2xx accepted; 429 retried at SendGrid's
  X-RateLimit-Reset; 408, 5xx, timeouts and connection errors retried with the activity's
  backoff; any other 4xx (400, 401, 403, 413, ...) is final: ApplicationError(fixed reason,
  status code, SendGrid's message, type="PermanentDeliveryError", non_retryable=True), and
  recorded in the sent ledger (`refused`) so that no retry sends that key again.
- Never twice: the sent ledger (store/sent_ledger.py, in the service's database) is checked
  before sending, the key is leased on the database's clock, and the sent record is written
  in the transaction that ends the attempt, straight after the 202. docs/email.md explains
  the one window that remains.
- Logs carry the status code and a fixed phrase (`fixed_reason`), never SendGrid's own error
  text: that goes into the error's details, i.e. only into the encrypted workflow history.

python_http_client logs the Authorization header and the whole body at DEBUG, so its logger
is held at WARNING whatever the root level is.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import urllib.error
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment,
    Category,
    ClickTracking,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    Mail,
    OpenTracking,
    ReplyTo,
    To,
    TrackingSettings,
)
from temporalio.exceptions import ApplicationError

from activities.hostclock import host_time
from ehcp.messages import Email, reader
from ehcp.notices import Delivery, Notification
from ehcp.urls import provider_url
from store.sent_ledger import (
    ACCEPTED,
    FAILED,
    REFUSED,
    SENDING,
    SENT,
    UNKNOWN,
    Attempt,
    AttemptInFlight,
    LedgerError,
    SentLedger,
)

log = logging.getLogger("ehcp.sendgrid")

HTTP_CLIENT_LOGGER = "python_http_client"


def quiet_http_client_logs() -> None:
    """Never let python_http_client log at DEBUG: it would log the API key and the body."""
    logging.getLogger(HTTP_CLIENT_LOGGER).setLevel(logging.WARNING)


quiet_http_client_logs()

PERMANENT = "PermanentDeliveryError"  # in activities.names.PERMANENT_DELIVERY_ERRORS
TRANSIENT = "TransientDeliveryError"
IN_PROGRESS = "DeliveryInProgress"
LEDGER = "SentLedgerError"

#: Longest wait taken from a 429's X-RateLimit-Reset; beyond it, the retry policy decides.
MAX_RATE_LIMIT_WAIT = timedelta(hours=1)
_ADDRESS = re.compile(r"[^\s<>\"',;:]+@[^\s<>\"',;:]+")


# -- what SendGrid's answer means --------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    action: Literal["accepted", "retry", "permanent"]
    status_code: int | None
    message: str
    #: wait this long before the next attempt (a 429's reset time); None: the backoff
    retry_after: timedelta | None = None
    #: no answer came back: SendGrid may have accepted the message anyway
    ambiguous: bool = False

    @property
    def reason(self) -> str:
        """For plaintext logs: the status code and a fixed phrase, never SendGrid's words."""
        return fixed_reason(self.status_code, self.ambiguous)

    def error(self) -> ApplicationError:
        """The activity error: a fixed message (the SDK logs it in plain text); details are
        (status code or None, SendGrid's words), which reach only the encrypted history."""
        details = (self.status_code, self.message)
        if self.action == "permanent":
            return ApplicationError(self.reason, *details, type=PERMANENT, non_retryable=True)
        return ApplicationError(
            self.reason, *details, type=TRANSIENT, next_retry_delay=self.retry_after
        )


#: fixed phrases for the logs; SendGrid's own error text goes only into (encrypted) history
STATUS_REASONS = {
    400: "bad request",
    401: "API key not accepted",
    403: "forbidden (sender identity or key permissions)",
    404: "not found",
    408: "request timed out",
    413: "message too large",
    429: "rate limited",
}


def fixed_reason(status_code: int | None, ambiguous: bool = False) -> str:
    """`"SendGrid 400 (bad request)"`: what a log line says about a provider answer."""
    if status_code is None:
        return "SendGrid: no answer (timed out or cut off)" if ambiguous else "SendGrid unreachable"
    if 200 <= status_code < 300:
        phrase = "accepted"
    elif status_code >= 500:
        phrase = "server error"
    else:
        phrase = STATUS_REASONS.get(status_code, "refused")
    return f"SendGrid {status_code} ({phrase})"


def recorded_refusal(attempt: Attempt) -> ApplicationError:
    """The permanent error for a key an earlier attempt saw refused (the ledger's `refused`)."""
    text = f"{fixed_reason(attempt.status_code)} on attempt {attempt.number}; not sent again"
    return ApplicationError(text, attempt.status_code, text, type=PERMANENT, non_retryable=True)


def classify(result: object, now: float | None = None) -> Outcome:
    """What to do after a send: `result` is the client's response or the exception it raised.
    `now` (epoch seconds) is for the 429 reset time."""
    if isinstance(result, HTTPError):
        return _classify_http_error(result, host_time() if now is None else now)
    if isinstance(result, TimeoutError):
        return Outcome("retry", None, "SendGrid did not answer in time", ambiguous=True)
    if isinstance(result, urllib.error.URLError):
        reason = result.reason
        if isinstance(reason, TimeoutError):
            return Outcome("retry", None, "SendGrid did not answer in time", ambiguous=True)
        return Outcome("retry", None, f"could not reach SendGrid: {reason}")
    if isinstance(result, ConnectionError | OSError):  # reset, refused, closed mid-answer
        return Outcome("retry", None, f"connection to SendGrid failed: {result}", ambiguous=True)
    if isinstance(result, BaseException):
        return Outcome("retry", None, f"unexpected error sending: {type(result).__name__}")
    status = getattr(result, "status_code", None)
    if isinstance(status, int) and 200 <= status < 300:
        return Outcome("accepted", status, "accepted")
    return Outcome("retry", status, f"unexpected answer from SendGrid: {status}")


def _classify_http_error(error: HTTPError, now: float) -> Outcome:
    status = int(error.status_code)
    message = f"SendGrid answered {status}: {sendgrid_message(error)}"
    if status == 429:
        return Outcome("retry", status, message, retry_after=_rate_limit_wait(error, now))
    if status == 408 or status >= 500:
        return Outcome("retry", status, message)
    return Outcome("permanent", status, sendgrid_message(error))


def sendgrid_message(error: HTTPError) -> str:
    """SendGrid's own words from `{"errors": [{"message": ...}]}`, without any address."""
    text = ""
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        body = error.body.decode() if isinstance(error.body, bytes) else str(error.body)
        errors = json.loads(body).get("errors") or []
        text = "; ".join(str(e.get("message")) for e in errors if e.get("message"))
    text = text or f"HTTP {error.status_code} {getattr(error, 'reason', '')}".strip()
    return _ADDRESS.sub("[address]", text)[:500]


def _rate_limit_wait(error: HTTPError, now: float) -> timedelta | None:
    headers = getattr(error, "headers", None)
    raw = headers.get("X-RateLimit-Reset") if headers is not None else None
    try:
        reset = float(raw)
    except (TypeError, ValueError):
        return None  # no reset given: the retry policy's backoff
    wait = timedelta(seconds=max(1.0, reset - now))
    return min(wait, MAX_RATE_LIMIT_WAIT)


# -- what is posted ----------------------------------------------------------------------


def custom_args(n: Notification) -> dict[str, str]:
    """Only what identifies the message: never names, addresses or needs."""
    args = {"case_ref": n.case_ref, "notice_kind": str(n.kind), "message_key": n.key}
    if n.deadline is not None:
        args["deadline_key"] = n.deadline.key
    if n.days_before is not None:
        args["reminder_offset"] = str(n.days_before)
    if n.escalation is not None:
        args["escalation"] = str(n.escalation)
    return args


def categories(n: Notification) -> list[str]:
    found = ["send-disagreement", str(n.kind), reader(n.role)]
    if n.deadline is not None:
        found.append(n.deadline.key.split(":")[0])
    return found


def build_mail(
    n: Notification, email: Email, from_email: str, reply_to: str, from_name: str | None = None
) -> Mail:
    mail = Mail(
        from_email=From(from_email, from_name),
        to_emails=To(n.to.email, n.to.name),
        subject=email.subject,
        plain_text_content=email.text,
        html_content=email.html,
    )
    mail.reply_to = ReplyTo(reply_to)
    for attachment in email.attachments:
        mail.add_attachment(
            Attachment(
                FileContent(base64.b64encode(attachment.data).decode("ascii")),
                FileName(attachment.filename),
                FileType(attachment.content_type),
                Disposition("attachment"),
            )
        )
    for category in categories(n):
        mail.add_category(Category(category))
    for name, value in custom_args(n).items():
        mail.add_custom_arg(CustomArg(name, value))
    tracking = TrackingSettings()
    tracking.click_tracking = ClickTracking(False, False)
    tracking.open_tracking = OpenTracking(False)
    mail.tracking_settings = tracking
    return mail


# -- the sender --------------------------------------------------------------------------


class SendGridSender:
    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        ledger: SentLedger,
        *,
        from_email: str,
        reply_to: str,
        from_name: str | None = None,
        host: str = "https://api.sendgrid.com",
        timeout_s: float = 10,
    ) -> None:
        if not api_key:
            raise ValueError("a SendGrid API key is required (without one, use the outbox)")
        self._api_key = api_key
        self._ledger = ledger
        self._from_email = from_email
        self._reply_to = reply_to
        self._from_name = from_name
        self._host = provider_url(host, "SendGrid host")
        #: seconds one request may take; the batch activity budgets its time with it
        self.timeout_s = timeout_s
        #: keys SendGrid accepted whose sent record could not be written yet (this process)
        self._accepted: dict[str, str | None] = {}
        quiet_http_client_logs()

    def client(self) -> SendGridAPIClient:
        # One per send: the client keeps per-request state (headers) on the instance.
        sg = SendGridAPIClient(self._api_key, host=self._host)
        sg.client.timeout = self.timeout_s
        return sg

    def send(self, n: Notification, email: Email) -> str | None:
        """Send once per `n.key`; return SendGrid's message id. Raises ApplicationError
        (`LEDGER` when the database cannot be used: nothing was sent, or what was sent is
        kept for the retry to record)."""
        key = n.key
        if key in self._accepted:  # accepted earlier in this process: record it, do not send
            return self._record(key, self._accepted[key], None)
        with ledger_unavailable():
            if (done := self._ledger.sent(key)) is not None:
                log.info("%s: already sent (%s), not sending again", key, done.message_id)
                return done.message_id
            refused = self._ledger.refusal(key)
        if refused is not None:  # final: a batch retry for another message must not send it
            log.info("%s: %s earlier; not sending again", key, fixed_reason(refused.status_code))
            raise recorded_refusal(refused)
        # Built before the key is claimed: between the claim and the request nothing can fail.
        mail = build_mail(
            n, email, self._from_email, email.reply_to or self._reply_to,
            email.from_name or self._from_name,
        )  # fmt: skip
        with ledger_unavailable():
            try:
                attempt, previous = self._ledger.begin(key)
            except AttemptInFlight as busy:
                raise in_progress(busy) from None
        if attempt.state == REFUSED:  # refused elsewhere between the first look and the claim
            raise recorded_refusal(attempt)
        if attempt.state == ACCEPTED:  # a crashed attempt got the 202: record it, not send
            return self._record(key, attempt.message_id, attempt)
        if attempt.state == SENT:  # recorded between our first look and the claim
            with ledger_unavailable():
                done = self._ledger.sent(key)
            return done.message_id if done is not None else None
        if previous is not None and previous.state in (SENDING, UNKNOWN):
            log.warning(
                "%s: attempt %d got no answer from SendGrid (%s) and may have been accepted; "
                "sending again (see docs/email.md)",
                key, previous.number, previous.state,
            )  # fmt: skip
        try:
            response = self.client().send(mail)
        except Exception as error:
            outcome = classify(error)
            self._end(attempt, outcome)
            log.warning("%s: not sent: %s", key, outcome.reason)
            raise outcome.error() from None
        outcome = classify(response)
        if outcome.action != "accepted":
            self._end(attempt, outcome)
            log.warning("%s: not sent: %s", key, outcome.reason)
            raise outcome.error()
        message_id = response.headers.get("X-Message-Id") if response.headers else None
        return self._record(key, message_id, attempt)

    def _end(self, attempt: Attempt, outcome: Outcome) -> None:
        """Note how a failed attempt ended; a permanent refusal with its status code, so that
        no retry (of this batch or any other) sends the key again. If the database cannot be
        reached, the lease runs out instead and the next attempt takes the key over."""
        if outcome.action == "permanent":
            state = REFUSED
        else:
            state = UNKNOWN if outcome.ambiguous else FAILED
        with contextlib.suppress(*LEDGER_ERRORS):
            self._ledger.end(attempt, state, status_code=outcome.status_code)

    def recorded(self, key: str) -> Delivery | None:
        """The delivery if the sent ledger shows `key` as sent, else None; sends nothing.
        Raises ApplicationError (`LEDGER`, retryable) when the database cannot be used."""
        with ledger_unavailable():
            done = self._ledger.sent(key)
        if done is None:  # (accepted but not yet recorded: `send` records it)
            return None
        return Delivery(key=key, transport=self.name, message_id=done.message_id)

    def _record(self, key: str, message_id: str | None, attempt: Attempt | None) -> str | None:
        """Write the sent record (ending the attempt) now; if the database refuses, keep the
        acceptance (in memory, and in the attempt row if it can be written) so the retry
        records it instead of sending again."""
        try:
            self._ledger.record_sent(key, message_id, self.name, attempt)
        except LEDGER_ERRORS as error:
            self._accepted[key] = message_id
            if attempt is not None:
                with contextlib.suppress(*LEDGER_ERRORS):
                    self._ledger.end(attempt, ACCEPTED, message_id)
            log.error("%s: accepted by SendGrid but not recorded: %s", key, type(error).__name__)
            raise ApplicationError(
                "SendGrid accepted the message but the sent ledger could not be written; "
                "the retry records it and does not send again",
                type=LEDGER,
                next_retry_delay=timedelta(seconds=5),
            ) from None
        self._accepted.pop(key, None)
        log.info("%s: sent by SendGrid (%s)", key, message_id)
        return message_id


#: what a ledger call can raise: the database's errors (and the OS's, for a SQLite file)
LEDGER_ERRORS = (LedgerError, OSError)


@contextlib.contextmanager
def ledger_unavailable():
    """Before anything is sent: a database error becomes a retryable `LEDGER` error (fixed
    words: the driver's text can quote connection details)."""
    try:
        yield
    except LEDGER_ERRORS as error:
        log.warning("sent ledger unavailable: %s; not sending yet", type(error).__name__)
        raise ApplicationError(
            "the sent ledger (database) cannot be used; nothing was sent, retrying",
            type=LEDGER,
            next_retry_delay=timedelta(seconds=5),
        ) from None


def in_progress(busy: AttemptInFlight) -> ApplicationError:
    """Another attempt holds the key: retry when its lease (database clock) runs out."""
    return ApplicationError(
        f"{busy}; trying again when it has finished",
        type=IN_PROGRESS,
        next_retry_delay=timedelta(seconds=max(1.0, busy.wait_s)),
    )
