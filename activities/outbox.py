"""The local outbox: each message as an RFC 5322 `.eml` file, written once per key.

Used when no SendGrid API key is configured (the `make run` default), so a newcomer sees
exactly what would be sent. The messages hold parents' names and addresses: the folder is
0700 and each file 0600 (security/files.py).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from ehcp.messages import Email
from ehcp.notices import Delivery, Notification
from security.files import private_dir, replace_private


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
    if n.channel == "sms" and n.to.mobile:  # a text message, shown as Notify would send it
        message["X-EHCP-Text-To"] = n.to.mobile
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
        private_dir(self._folder)
        message = build_message(
            n, email, self._sender, email.reply_to or self._reply_to,
            email.from_name or self._from_name,
        )  # fmt: skip
        replace_private(path, message.as_bytes())  # a crash never leaves half a message
        return message["Message-ID"]

    def recorded(self, key: str) -> Delivery | None:
        """The delivery if this key's message is in the outbox, else None; writes nothing."""
        path = self.path_for(key)
        if not path.exists():
            return None
        with path.open("rb") as handle:
            message_id = BytesParser(policy=default_policy).parse(handle)["Message-ID"]
        return Delivery(key=key, transport=self.name, message_id=message_id)
