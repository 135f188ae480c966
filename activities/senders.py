"""Which senders deliver email: SendGrid when an API key is configured, else the outbox.

`build_senders(settings) -> (primary, fallback)`. The fallback is always the local outbox:
the workflow uses it for delivery-failure alerts to staff (`Notification.fallback`), so an
alert never depends on the channel that just failed. With no API key (the `make run`
default) the outbox is both, with exactly the same content.
"""

from __future__ import annotations

import logging

from activities.ledger import SentLedger
from activities.names import SEND_TIMEOUT
from activities.notify import Sender
from activities.outbox import OutboxSender
from activities.sendgrid_sender import SendGridSender
from ehcp.settings import Settings

log = logging.getLogger("ehcp.senders")


def from_name(settings: Settings) -> str:
    return f"{settings.council.name} SEND team"


def build_senders(settings: Settings) -> tuple[Sender, Sender]:
    outbox = OutboxSender(
        settings.outbox_dir, settings.from_email, settings.reply_to_email, from_name(settings)
    )
    key = settings.sendgrid_api_key.get_secret_value() if settings.sendgrid_api_key else ""
    if not key.strip():
        log.info("no SendGrid API key: email goes to the outbox at %s", settings.outbox_dir)
        return outbox, outbox
    sendgrid = SendGridSender(
        key.strip(),
        SentLedger(settings.sent_ledger_dir, in_flight_s=SEND_TIMEOUT.total_seconds()),
        from_email=settings.from_email,
        reply_to=settings.reply_to_email,
        from_name=from_name(settings),
        host=settings.sendgrid_host,
        timeout_s=settings.sendgrid_timeout_s,
    )
    log.info(
        "email through SendGrid at %s (sent ledger %s); staff alerts fall back to %s",
        settings.sendgrid_host, settings.sent_ledger_dir, settings.outbox_dir,
    )  # fmt: skip
    return sendgrid, outbox
