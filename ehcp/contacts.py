"""A person the case writes to: name, email, and optionally a UK mobile for text messages."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from ehcp.phone import UKMobile
from ehcp.text_fields import EmailAddress, Name

ContactPreference = Literal["email", "text", "both"]


class Contact(BaseModel):
    """A person the service writes to. `name` is one line of text (it goes into the To:
    header); `email` is stored in ASCII, an internationalised domain as IDNA ("xn--").
    `mobile` is a UK mobile number (stored as E.164,
    ehcp/phone.py); `contact_preference` says how reminders reach them: `email` (the
    default), `text` (text messages at the text offsets instead of those reminder emails) or
    `both`. `text` and `both` need a mobile number. Unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailAddress
    mobile: UKMobile | None = None
    contact_preference: ContactPreference = "email"

    @model_validator(mode="after")
    def _text_needs_mobile(self) -> Contact:
        if self.contact_preference != "email" and self.mobile is None:
            raise ValueError(
                f"contact_preference {self.contact_preference!r} needs a mobile number "
                "(a UK mobile, 07...); or use 'email'"
            )
        return self

    def texts(self) -> bool:
        """Whether reminders go to this contact as text messages."""
        return self.mobile is not None and self.contact_preference in ("text", "both")

    def emails_reminders(self) -> bool:
        """Whether reminders at the text offsets also go by email."""
        return self.contact_preference != "text"
