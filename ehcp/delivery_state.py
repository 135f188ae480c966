"""Delivery receipts: the payloads (pure pydantic, no Temporal).

A `DeliveryReport` is one provider event (a SendGrid Event Webhook event, a GOV.UK Notify
delivery receipt) normalised by `webhooks/`: which message (its key, from SendGrid's
`custom_args` or Notify's `reference`), what happened, when, and the provider's reason with
any address or number removed. Reports reach the case through the workflow's
`record_delivery` update, so they are in its (encrypted) history; no search attribute holds
any of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: provider event names, as the providers spell them
ProviderStatus = Literal[
    # SendGrid Event Webhook
    "processed",
    "delivered",
    "deferred",
    "bounce",
    "dropped",
    "blocked",
    "spamreport",
    "unsubscribe",
    "group_unsubscribe",
    # GOV.UK Notify delivery receipts
    "created",
    "sending",
    "pending",
    "sent",
    "permanent-failure",
    "temporary-failure",
    "technical-failure",
]

#: the message's state on the case
DeliveryState = Literal["accepted", "delivered", "deferred", "failed", "unsubscribed"]

STATE_OF: dict[str, DeliveryState] = {
    "processed": "accepted",
    "created": "accepted",
    "sending": "accepted",
    "pending": "accepted",
    "delivered": "delivered",
    "sent": "delivered",  # Notify: an international text handed on, no receipt will follow
    "deferred": "deferred",
    "temporary-failure": "deferred",  # sent once more after a delay (receipts.py)
    "technical-failure": "deferred",
    "bounce": "failed",
    "dropped": "failed",
    "blocked": "failed",
    "spamreport": "failed",
    "permanent-failure": "failed",
    "unsubscribe": "unsubscribed",
    "group_unsubscribe": "unsubscribed",
}

#: events after which the parent has not been reached: staff are alerted
HARD_FAILURES = frozenset({"bounce", "dropped", "blocked", "spamreport", "permanent-failure"})
#: Notify events after which the message is sent once more, after a configured delay
RESEND_ONCE = frozenset({"temporary-failure", "technical-failure"})

NOT_REACHED_WARNING = "{who} not reached: contact them another way"


class DeliveryReport(BaseModel):
    """One provider event about one message we sent."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["sendgrid", "notify"]
    #: the provider's id for this event (SendGrid `sg_event_id`; Notify: its notification id
    #: and status): a report seen before changes nothing
    event_id: str = Field(min_length=1, max_length=200)
    case_ref: str = Field(min_length=1, max_length=40)
    #: our message key (SendGrid `custom_args.message_key`, Notify `reference`)
    message_key: str = Field(min_length=1, max_length=400)
    #: the provider's message id (SendGrid's X-Message-Id, Notify's notification id), as
    #: recorded on the case when it was sent: matches every notice that one email carried
    message_id: str | None = Field(default=None, max_length=200)
    status: ProviderStatus
    #: when the provider says it happened (UTC)
    occurred_at: datetime
    #: the provider's reason (bounce text, Notify status), addresses and numbers removed
    reason: str | None = Field(default=None, max_length=500)


class DeliveryReports(BaseModel):
    """The `record_delivery` update's argument: one webhook call's events for one case."""

    model_config = ConfigDict(extra="forbid")

    reports: list[DeliveryReport] = Field(min_length=1, max_length=1000)


class DeliveryReceipt(BaseModel):
    """What `record_delivery` did: counts, and how many staff alerts went out."""

    applied: int = 0
    duplicates: int = 0
    #: reports about a message this case never sent (ignored)
    unknown: int = 0
    #: reports older than the message's current state (kept out: out of order)
    stale: int = 0
    alerts: int = 0
    resends: int = 0


class NotReached(BaseModel):
    """A reader the case could not reach on one channel, until a later message on that
    channel is delivered or `contact_updated` records new details."""

    role: str
    channel: Literal["email", "sms"] = "email"
    key: str  # the message that failed
    since: datetime
    reason: str
