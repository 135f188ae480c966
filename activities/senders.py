"""Which senders deliver: per council, SendGrid, GOV.UK Notify or the outbox.

`build_senders(settings) -> (primary, fallback)`. The fallback is always the local outbox:
the workflow uses it for delivery-failure alerts to staff (`Notification.fallback`), so an
alert never depends on the channel that just failed. With no provider configured (the
`make run` default) the outbox is both, with exactly the same content.

The primary is a `CouncilRouter`: `EHCP_DELIVERY__<COUNCIL>__PROVIDER` picks `sendgrid`,
`notify` (with that council's Notify API key and template ids) or `outbox` for each council;
a council not named there uses SendGrid when `EHCP_SENDGRID_API_KEY` is set, else the outbox.
Text messages (`channel == "sms"`) need Notify; for a council on SendGrid they go to the
outbox, so they are never lost silently (docs/notify-templates.md).
"""

from __future__ import annotations

import logging

from activities.hostclock import host_time
from activities.names import SEND_TIMEOUT
from activities.notify import Sender
from activities.notify_sender import NotifySender, NotifyTemplateIds
from activities.outbox import OutboxSender
from activities.sendgrid_sender import SendGridSender
from ehcp.messages import Email
from ehcp.notices import Delivery, Notification
from ehcp.settings import CouncilDelivery, Settings
from store.sent_ledger import SentLedger

log = logging.getLogger("ehcp.senders")


def from_name(settings: Settings) -> str:
    """The From: name of the default council's emails (another council's emails carry their
    own: activities/notify.py)."""
    return f"{settings.council_info(settings.council_code).name} SEND team"


class CouncilRouter:
    """Sends each message through its council's sender (texts through its text sender)."""

    def __init__(
        self,
        default: Sender,
        by_council: dict[str, Sender] | None = None,
        texts: dict[str, Sender] | None = None,
        text_default: Sender | None = None,
    ) -> None:
        self._default = default
        self._by_council = by_council or {}
        self._texts = texts or {}
        self._text_default = text_default or default
        self.name = default.name
        everyone = [default, *self._by_council.values(), *self._texts.values()]
        self.timeout_s = max(float(getattr(s, "timeout_s", 0.0)) for s in everyone)

    def sender_for(self, n: Notification) -> Sender:
        if n.channel == "sms":
            return self._texts.get(n.council, self._text_default)
        return self._by_council.get(n.council, self._default)

    def send(self, n: Notification, email: Email) -> str | None:
        return self.sender_for(n).send(n, email)

    def recorded_for(self, n: Notification) -> Delivery | None:
        return self.sender_for(n).recorded(n.key)

    def recorded(self, key: str) -> Delivery | None:
        """Any sender's record of `key` (keys are unique across councils and channels)."""
        seen: set[int] = set()
        for sender in [self._default, *self._by_council.values(), *self._texts.values()]:
            if id(sender) in seen:
                continue
            seen.add(id(sender))
            if (found := sender.recorded(key)) is not None:
                return found
        return None


def _ledger(settings: Settings) -> SentLedger:
    """The sent ledger in the service's database (EHCP_DATABASE_URL): leased for as long as
    one send attempt may run."""
    return SentLedger(settings.database_url, SEND_TIMEOUT.total_seconds(), host_time)


def _sendgrid(settings: Settings, key: str) -> SendGridSender:
    return SendGridSender(
        key,
        _ledger(settings),
        from_email=settings.from_email,
        reply_to=settings.reply_to_email,
        from_name=from_name(settings),
        host=settings.sendgrid_host,
        timeout_s=settings.sendgrid_timeout_s,
    )


def _notify(settings: Settings, council: str, config: CouncilDelivery) -> NotifySender:
    assert config.notify_api_key is not None  # CouncilDelivery checks it
    return NotifySender(
        config.notify_api_key.get_secret_value().strip(),
        _ledger(settings),
        NotifyTemplateIds(
            email=config.templates.email, text_reminder=config.templates.text_reminder
        ),
        council=settings.council_info(council),
        base_url=settings.notify_base_url,
        timeout_s=settings.notify_timeout_s,
    )


def _backend(url: str) -> str:
    """`sqlite` or `postgresql`: what a log line may say of the URL (never its password)."""
    return url.split(":", 1)[0].split("+", 1)[0]


def build_senders(settings: Settings) -> tuple[Sender, Sender]:
    outbox = OutboxSender(
        settings.outbox_dir, settings.from_email, settings.reply_to_email, from_name(settings)
    )
    key = settings.sendgrid_api_key.get_secret_value() if settings.sendgrid_api_key else ""
    sendgrid = _sendgrid(settings, key.strip()) if key.strip() else None
    by_council: dict[str, Sender] = {}
    texts: dict[str, Sender] = {}
    for council, config in settings.delivery.items():
        if config.provider == "notify":
            by_council[council] = texts[council] = _notify(settings, council, config)
        elif config.provider == "outbox":
            by_council[council] = outbox
        elif sendgrid is None:
            raise ValueError(
                f"EHCP_DELIVERY__{council.upper()}__PROVIDER=sendgrid needs EHCP_SENDGRID_API_KEY"
            )
        else:
            by_council[council] = sendgrid
        log.info("council %s: messages through %s", council, by_council[council].name)
    if sendgrid is None and not settings.delivery:
        log.info("no email provider configured: messages go to the outbox at %s",
                 settings.outbox_dir)  # fmt: skip
        return outbox, outbox
    if sendgrid is not None:
        log.info(
            "email through SendGrid at %s (sent ledger in the %s database); staff alerts "
            "fall back to %s",
            settings.sendgrid_host, _backend(settings.database_url), settings.outbox_dir,
        )  # fmt: skip
    if not settings.delivery:
        return sendgrid, outbox  # (texts, which SendGrid cannot send, go to the fallback)
    return CouncilRouter(sendgrid or outbox, by_council, texts, text_default=outbox), outbox
