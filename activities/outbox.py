"""The local outbox: each message as an RFC 5322 `.eml` file, written once per key.

Used when no SendGrid API key is configured (the `make run` default), so a newcomer sees
exactly what would be sent.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from ehcp.messages import Email
from ehcp.notices import Notification


def build_message(
    n: Notification,
    email: Email,
    sender: str,
    reply_to: str,
    from_name: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The RFC 5322 message: the same subject, parts and attachments SendGrid is given.
    `now` (UTC; default the current time) is its Date: header, which RFC 5322 requires."""
    message = EmailMessage()
    message["Date"] = format_datetime(now or datetime.now(UTC), usegmt=True)
    message["From"] = formataddr((from_name, sender)) if from_name else sender
    message["To"] = formataddr((n.to.name, n.to.email))
    message["Reply-To"] = reply_to
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
    message["X-EHCP-Key"] = n.key
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    for attachment in email.attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


class OutboxSender:
    name = "outbox"

    def __init__(
        self, folder: Path, sender: str, reply_to: str, from_name: str | None = None
    ) -> None:
        self._folder = folder
        self._sender = sender
        self._reply_to = reply_to
        self._from_name = from_name

    def path_for(self, key: str) -> Path:
        # Keys hold "/" and ":"; a hash keeps names safe and unique, the prefix readable.
        readable = key.replace("/", "_").replace(":", "-")[:120]
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        return self._folder / f"{readable}.{digest}.eml"

    def send(self, n: Notification, email: Email) -> str:
        """Write the message unless this key was written before; returns its Message-ID."""
        path = self.path_for(n.key)
        if path.exists():  # a retried activity or replayed case: never twice
            with path.open("rb") as handle:
                return BytesParser(policy=default_policy).parse(handle)["Message-ID"]
        self._folder.mkdir(parents=True, exist_ok=True)
        message = build_message(n, email, self._sender, self._reply_to, self._from_name)
        partial = path.with_suffix(".partial")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, path)  # atomic: a crash never leaves half a message behind
        return message["Message-ID"]
