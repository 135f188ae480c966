"""SendGrid's signed Event Webhook: verification and the events as `DeliveryReport`s.

SendGrid signs each POST with ECDSA (P-256, SHA-256) over the timestamp header followed by the
raw body; the verification key is shown under Settings > Mail Settings > Event Webhook
(`EHCP_SENDGRID_WEBHOOK_PUBLIC_KEY`). The check uses the SendGrid library's `EventWebhook`
helper (on `cryptography`). A request is refused (`WebhookRefused`, answered 401, nothing
changes) when the signature or timestamp header is missing, the signature does not match the
body, or the timestamp is further from now than the configured tolerance (a replay).

Each event names its message by the `custom_args` the service sends with every email
(`case_ref`, `message_key`; SendGrid copies them onto each event). Events without them (mail
sent by something else) are skipped. Only the event id, status, time and reason are kept; the
recipient's address in each event is dropped, and addresses in reasons are redacted.
"""

from __future__ import annotations

import binascii
import json
from datetime import UTC, datetime
from typing import get_args

from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader

from ehcp.delivery_state import DeliveryReport, ProviderStatus
from webhooks.redact import redact

SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE  # X-Twilio-Email-Event-Webhook-Signature
TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP  # X-Twilio-Email-Event-Webhook-Timestamp
_KNOWN = frozenset(get_args(ProviderStatus))


class WebhookRefused(Exception):
    """The request is not from the provider, or is a replay: answer 401, change nothing.
    The message is fixed words, safe to log and to answer with."""


def public_key_text(configured: str) -> str:
    """The key as the helper wants it: base64 DER without PEM armour (SendGrid shows it so;
    a PEM block is accepted too)."""
    lines = [line.strip() for line in configured.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


def verify(
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    public_key: str | None,
    tolerance_s: int,
    now: float | None = None,
) -> None:
    """Raise WebhookRefused unless `body` is signed by SendGrid at a time within
    `tolerance_s` seconds of `now` (epoch seconds)."""
    if not public_key:
        raise WebhookRefused("no SendGrid webhook verification key is configured")
    if not signature or not timestamp:
        raise WebhookRefused("unsigned request")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookRefused("bad timestamp header") from None
    current = datetime.now(UTC).timestamp() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        raise WebhookRefused("stale or future timestamp")
    try:
        helper = EventWebhook(public_key_text(public_key))
        text = body.decode("utf-8")
        good = helper.verify_signature(text, signature, timestamp)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        good = False
    if not good:
        raise WebhookRefused("signature does not match")


def parse_events(body: bytes) -> list[DeliveryReport]:
    """The body's events about our messages, as reports; raises ValueError if the body is
    not SendGrid's JSON array of event objects."""
    events = json.loads(body)
    if not isinstance(events, list):
        raise ValueError("expected a JSON array of events")
    reports = []
    for event in events:
        if not isinstance(event, dict):
            raise ValueError("expected each event to be a JSON object")
        status, key, case_ref = event.get("event"), event.get("message_key"), event.get("case_ref")
        if status not in _KNOWN or not key or not case_ref or not event.get("sg_event_id"):
            continue  # not ours, or an engagement event (open, click) we do not track
        reason = event.get("reason") or event.get("response")
        if event.get("type") and reason:  # bounce type: "bounce" or "blocked"
            reason = f"{event['type']}: {reason}"
        reports.append(
            DeliveryReport(
                provider="sendgrid",
                event_id=str(event["sg_event_id"])[:200],
                case_ref=str(case_ref)[:40],
                message_key=str(key)[:400],
                # "<X-Message-Id>.filter...": the id SendGrid answered the send with
                message_id=str(event.get("sg_message_id") or "").split(".")[0][:200] or None,
                status=status,
                occurred_at=datetime.fromtimestamp(int(event.get("timestamp", 0)), UTC),
                reason=redact(reason),
            )
        )
    return reports
