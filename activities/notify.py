"""The notification activity: one stable interface, whichever transport delivers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from temporalio import activity

from activities.names import SEND_NOTIFICATION
from ehcp.council import CouncilInfo
from ehcp.messages import Email, render
from ehcp.notices import Delivery, Notification


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

    @activity.defn(name=SEND_NOTIFICATION)
    def send_notification(self, n: Notification) -> Delivery:
        sender = self._fallback if n.fallback else self._primary
        # Rendered here, in the activity, so the calendar entry is never a workflow payload.
        email = render(n, self._council, now=datetime.now(UTC))
        message_id = sender.send(n, email)
        return Delivery(key=n.key, transport=sender.name, message_id=message_id)
