"""Free-text fields, checked for every place they go: email headers (To:, From:), SendGrid's
JSON, .ics entries, CSV exports and HTML. One definition each, used by every model
(`ehcp.models`, `ehcp.council`, `ehcp.settings`), so a bad value is refused where it comes in,
with one line naming the field, and nothing the service sends can carry a header break.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

import email_validator
from pydantic import AfterValidator, EmailStr, StringConstraints

#: Unicode categories no free text may hold: control characters (CR, LF, NUL, ...), line and
#: paragraph separators, unpaired surrogates, private use and unassigned code points. A line
#: break in a name would end an email header early (a second "Bcc:" line), and every later
#: email to that person would fail; the same characters break SendGrid's JSON, an .ics line,
#: a CSV row. Refused where they come in, so nothing sent can carry one.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs", "Co", "Cn"})
#: In multi-line text (notes, reasons) a line feed and a tab are kept: .ics, CSV and HTML
#: writers escape them, and such text never goes into an email header.
_MULTILINE_ALLOWED = frozenset("\n\t")


def _refused_char(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    for char in value:
        if char not in allowed and unicodedata.category(char) in _REFUSED_CATEGORIES:
            return char
    return None


def _one_line(value: str) -> str:
    """Single-line free text (names, summaries): no line break or control character."""
    if (char := _refused_char(value)) is not None:
        raise ValueError(
            f"contains a line break or control character (U+{ord(char):04X}); "
            "use one line of plain text"
        )
    return value


def _multi_line(value: str) -> str:
    """Notes and reasons: lines are kept (CRLF becomes LF); other control characters refused."""
    value = value.replace("\r\n", "\n")
    if (char := _refused_char(value, _MULTILINE_ALLOWED)) is not None:
        raise ValueError(
            f"contains a control character (U+{ord(char):04X}); "
            "use plain text (line breaks are allowed)"
        )
    return value


def _deliverable_email(value: str) -> str:
    """The address as every channel can send it: an internationalised domain becomes its
    ASCII (IDNA, "xn--") form; a local part with non-ASCII letters is refused, because
    SendGrid and most mail servers cannot deliver to it (no SMTPUTF8)."""
    try:
        result = email_validator.validate_email(
            value, check_deliverability=False, allow_smtputf8=False
        )
    except email_validator.EmailNotValidError as error:
        local = value.rsplit("@", 1)[0]
        if not local.isascii():
            raise ValueError(
                f"the part before the @ ({local!r}) has letters outside plain ASCII; "
                "emails cannot be delivered to it: give an address with only ASCII letters, "
                "digits and . _ - + before the @"
            ) from None
        raise ValueError(f"value is not a valid email address: {error}") from None
    return result.ascii_email or result.normalized


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_one_line),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_one_line),
]
Notes = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_multi_line)
]
#: An email address as it is stored and sent: ASCII only (see `_deliverable_email`).
EmailAddress = Annotated[EmailStr, AfterValidator(_deliverable_email)]
#: One line of configured text (a council's name, a help link): nothing that breaks a header.
OneLine = Annotated[str, AfterValidator(_one_line)]
