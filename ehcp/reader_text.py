"""What a reader sees, kept apart from notes on sources.

Deadline titles and legal bases are written for people: a remark about the sources ("some
sources say ...", "numbering unconfirmed") belongs in the statutory table
(`ehcp.timescales.Rule.source_note`), never in an email, a subject or a calendar entry.
Titles and bases already recorded on running cases may still carry such a remark, so every
email is built from `reader_title` and `reader_basis`, which drop it.
"""

from __future__ import annotations

import re

#: Words that mark a remark about the sources or about our own choices, not about the duty.
SOURCE_NOTE_WORDS = ("some sources", "we track", "unconfirmed", "by analogy", "sources say")

_REMARK = re.compile(
    r"\s*\([^()]*(?:" + "|".join(re.escape(w) for w in SOURCE_NOTE_WORDS) + r")[^()]*\)",
    re.IGNORECASE,
)


def strip_source_notes(text: str) -> str:
    """`text` without any bracketed remark on sources, e.g. "Mediation takes place (some
    sources say 'is arranged'; we track 'takes place')" -> "Mediation takes place"."""
    return _REMARK.sub("", text).strip()


def reader_title(title: str) -> str:
    """A deadline's title as a reader sees it (subject, body, calendar entry)."""
    return strip_source_notes(title)


def reader_basis(basis: str) -> str:
    """A deadline's legal basis as staff see it in an email: the citations only."""
    return strip_source_notes(basis)


def has_source_note(text: str) -> bool:
    """True when `text` still holds a remark on sources (tests check every reader string)."""
    lowered = text.lower()
    return any(word in lowered for word in SOURCE_NOTE_WORDS)
