"""The notification activity: one stable interface, whichever transport delivers."""

from __future__ import annotations

from typing import Protocol

from temporalio import activity

from activities.names import SEND_NOTIFICATION
from ehcp.council import CouncilInfo
from ehcp.messages import Email, render
from ehcp.notices import Delivery, Notification


class Sender(Protocol):
    name: str

    def send(self, n: Notification, email: Email) -> str:
        """Deliver once per `n.key`; return a message id. Raise to have Temporal retry."""
        ...


class NotificationActivities:
    def __init__(self, sender: Sender, council: CouncilInfo) -> None:
        self._sender = sender
        self._council = council

    @activity.defn(name=SEND_NOTIFICATION)
    def send_notification(self, n: Notification) -> Delivery:
        message_id = self._sender.send(n, render(n, self._council))
        return Delivery(key=n.key, transport=self._sender.name, message_id=message_id)
