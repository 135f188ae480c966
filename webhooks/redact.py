"""Provider reasons without addresses or phone numbers: they reach only encrypted history."""

from __future__ import annotations

import re

_ADDRESS = re.compile(r"[^\s<>\"',;:()\[\]]+@[^\s<>\"',;:()\[\]]+")
_NUMBER = re.compile(r"\+?\d[\d ()-]{8,}\d")


def redact(text: str | None, limit: int = 500) -> str | None:
    """`text` with email addresses and phone numbers replaced, cut to `limit` characters."""
    if not text:
        return None
    return _NUMBER.sub("[number]", _ADDRESS.sub("[address]", str(text)))[:limit]
