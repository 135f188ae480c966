"""What the codec hands on in place of a payload it refuses (no Temporal or crypto import, so
workflow code can name the error).

A payload that is not encrypted with a known key is replaced by an empty payload with the
encoding `binary/refused-unencrypted`; converting it raises `UnencryptedPayloadRefused`. An
update whose argument is refused is rejected before its validator (it never reaches history);
a workflow whose input is refused fails at once; a client reading one gets the error.
"""

from __future__ import annotations

REFUSED_ENCODING = b"binary/refused-unencrypted"
ALLOW_PLAINTEXT_VAR = "EHCP_CODEC_ALLOW_PLAINTEXT"


class UnencryptedPayloadRefused(ValueError):
    """A payload arrived unencrypted while only encrypted ones are accepted."""

    def __init__(self) -> None:
        super().__init__(
            "payload refused: it is not encrypted with a payload key of this service, so it "
            "cannot come from a holder of a key (a plaintext start or event through the "
            f"Temporal CLI, say); {ALLOW_PLAINTEXT_VAR}=true accepts plaintext only for a "
            "migration window (docs/encryption.md)"
        )
