"""GOV.UK Notify's delivery receipts (callbacks): the bearer token and the receipt as a
`DeliveryReport`.

Notify POSTs one JSON object per status change to the callback URL set in the service's API
integration settings, with `Authorization: Bearer <token>` (the token you give it there;
`EHCP_NOTIFY_CALLBACK_TOKEN`). The token is compared in constant time (`hmac.compare_digest`).
The message is named by `reference`, which the service sets to the message key. The
recipient (`to`) is dropped.
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime

from ehcp.delivery_state import DeliveryReport
from webhooks.redact import redact
from webhooks.sendgrid_events import WebhookRefused

REASONS = {
    "permanent-failure": "the provider could not deliver it (number or address not in use)",
    "temporary-failure": "the provider could not deliver it yet (phone off, inbox full)",
    "technical-failure": "Notify had a technical problem and did not send it",
}


def check_bearer(authorization: str | None, token: str | None) -> None:
    """Raise WebhookRefused unless the header is `Bearer <token>`."""
    if not token:
        raise WebhookRefused("no Notify callback token is configured")
    scheme, _, given = (authorization or "").partition(" ")
    expected = token.encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise WebhookRefused("bad or missing bearer token")


def parse_receipt(body: bytes) -> DeliveryReport | None:
    """The receipt as a report, or None if it is not about one of our messages; raises
    ValueError if the body is not a Notify receipt."""
    receipt = json.loads(body)
    if not isinstance(receipt, dict) or "id" not in receipt or "status" not in receipt:
        raise ValueError("expected a Notify delivery receipt (an object with id and status)")
    key = receipt.get("reference") or ""
    case_ref = key.split("/", 1)[0]
    if not key or not case_ref:
        return None
    when = receipt.get("completed_at") or receipt.get("sent_at") or receipt.get("created_at")
    status = receipt["status"]
    return DeliveryReport(
        provider="notify",
        event_id=f"{receipt['id']}:{status}"[:200],
        case_ref=case_ref[:40],
        message_key=key[:400],
        message_id=str(receipt["id"])[:200],
        status=status,
        occurred_at=_instant(when),
        reason=redact(REASONS.get(status)),
    )


def _instant(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
