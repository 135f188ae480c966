"""Staff references: a caseworker named in Temporal visibility without their email address.

Search attributes are plaintext on the Temporal server, so the caseworker's email (personal
data) never goes there. `EhcpCaseworker` holds instead a keyed hash of it: HMAC-SHA-256 of the
normalised address (trimmed, lower case) under a server secret, so that the same person always
gets the same reference (the Cases page's "Assigned to me" and "by caseworker" filters hash the
address typed or signed in with) while someone reading visibility cannot guess it back from a
list of likely addresses.

The key: `EHCP_STAFF_REF_KEY` (base64 of 32+ random bytes, or `EHCP_STAFF_REF_KEY_FILE`),
the same for the worker and the API. Unset, it is derived from the current payload key
(security/keys.py); set it in production so that rotating payload keys leaves references as
they are. No Temporal import: the worker's activity and the service layer both use this.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Protocol

from pydantic import SecretStr

from security.keys import KeyConfigError, keyring_from_settings

#: "st_" and 32 hex digits (128 bits of the HMAC)
STAFF_REF_PATTERN = re.compile(r"^st_[0-9a-f]{32}$")
MIN_KEY_BYTES = 32
_DERIVE_LABEL = b"ehcp staff reference v1"


class StaffRefSettings(Protocol):
    staff_ref_key: SecretStr | None
    codec_keys: SecretStr | None
    codec_current_key: str | None
    codec_key_file: object


def normalise_email(email: str) -> str:
    """The address as compared: surrounding space dropped, lower case."""
    return email.strip().lower()


def staff_ref(email: str, key: bytes) -> str:
    """The staff reference of `email` under `key` ("st_" + 32 hex digits)."""
    digest = hmac.new(key, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()
    return "st_" + digest[:32]


def parse_key(text: str) -> bytes:
    """EHCP_STAFF_REF_KEY's bytes; KeyConfigError says what is wrong with it."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(
            "EHCP_STAFF_REF_KEY is not base64 (make one: openssl rand -base64 32)"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise KeyConfigError(
            f"EHCP_STAFF_REF_KEY is {len(key)} bytes; it needs at least {MIN_KEY_BYTES}"
        )
    return key


def staff_ref_key(settings: StaffRefSettings) -> bytes:
    """The HMAC key from the settings, else derived from the current payload key;
    KeyConfigError when neither is configured."""
    if settings.staff_ref_key is not None:
        return parse_key(settings.staff_ref_key.get_secret_value())
    ring = keyring_from_settings(settings)  # type: ignore[arg-type]
    return hmac.new(ring.current_key, _DERIVE_LABEL, hashlib.sha256).digest()
