"""A real ECDSA P-256 key pair, signing requests as SendGrid's Event Webhook does."""

from __future__ import annotations

import base64
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from webhooks.sendgrid_events import SIGNATURE_HEADER, TIMESTAMP_HEADER


class SendGridSigner:
    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        #: as SendGrid shows it under Mail Settings > Event Webhook: base64 DER
        self.public_key = base64.b64encode(der).decode()

    def sign(self, body: bytes, at: float | None = None) -> dict[str, str]:
        timestamp = str(int(time.time() if at is None else at))
        signature = self.private_key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            SIGNATURE_HEADER: base64.b64encode(signature).decode(),
            TIMESTAMP_HEADER: timestamp,
        }


def sendgrid_event(case_ref: str, key: str, event: str, event_id: str, at: float, **more) -> dict:
    """One event as SendGrid posts it: custom_args copied onto the event."""
    return {
        "email": "sam.parent@example.org",
        "timestamp": int(at),
        "event": event,
        "sg_event_id": event_id,
        "sg_message_id": "abc.filter0001",
        "case_ref": case_ref,
        "message_key": key,
        "notice_kind": "reminder",
        **more,
    }


def body_of(*events: dict) -> bytes:
    return json.dumps(list(events)).encode()
