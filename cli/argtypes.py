"""Argument types shared by every command: strict, with errors that say what is allowed."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from cli.parser import fail
from ehcp.models import CASE_REF_HELP, CASE_REF_PATTERN, COUNCIL_CODE_HELP, COUNCIL_CODE_PATTERN

E = TypeVar("E", bound=StrEnum)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: inputs larger than this are refused before parsing (a case or event is a few KB)
MAX_JSON_BYTES = 1_000_000
#: the longest span `list --due-within` takes (ten years)
MAX_DAYS = 3660


def iso_date(text: str) -> date:
    # date.fromisoformat also takes "20261001" and week dates: be strict, people type these.
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (allowed: YYYY-MM-DD, e.g. 2026-10-01)")


def choice(enum: type[E], what: str) -> Callable[[str], E]:
    def parse(text: str) -> E:
        try:
            return enum(text)
        except ValueError:
            allowed = ", ".join(enum)
            raise argparse.ArgumentTypeError(
                f"unknown {what} {text!r} (allowed: {allowed})"
            ) from None

    return parse


def one_of(values: tuple[str, ...], what: str) -> Callable[[str], str]:
    """Like `choice`, for plain names (event kinds) rather than an enum."""

    def parse(text: str) -> str:
        if text not in values:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {text!r} (allowed: {', '.join(values)})"
            )
        return text

    return parse


def count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(
            f"not a whole number of 0 or more: {text!r} (allowed: 0, 1, 2, ...)"
        )
    return int(text)


def read_json(source: str, option: str) -> Any:
    """Read JSON from a file or '-' (stdin); any problem is a one-line error.

    At most MAX_JSON_BYTES + 1 bytes are read whatever the source (a FIFO or /dev/zero has
    no meaningful size to check first)."""
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(MAX_JSON_BYTES + 1)
        else:
            with open(source, "rb") as fh:
                raw = fh.read(MAX_JSON_BYTES + 1)
    except OSError as error:
        fail(f"{option}: cannot read {source}: {error.strerror or error}")
    if len(raw) > MAX_JSON_BYTES:
        where = "input" if source == "-" else source
        fail(f"{option}: {where} is larger than {MAX_JSON_BYTES} bytes")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        fail(f"{option}: not valid JSON ({error})")
    except (ValueError, RecursionError) as error:
        # e.g. an integer of more than 4300 digits, or arrays nested thousands deep
        fail(f"{option}: JSON that cannot be read ({type(error).__name__}: {error})")


def case_ref(text: str) -> str:
    """A case reference, checked before any connection (a typo is not a missing case)."""
    if len(text) > 40 or not CASE_REF_PATTERN.match(text):
        raise argparse.ArgumentTypeError(
            f"{text[:50]!r} is not a case reference: use {CASE_REF_HELP}"
        )
    return text


#: letters, digits and : . _ - ; stored in plaintext by Temporal, so never personal data
EVENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$")


def event_id(text: str) -> str:
    """A back-office system's own id for an event (used as the Temporal update id)."""
    if not EVENT_ID_PATTERN.match(text):
        raise argparse.ArgumentTypeError(
            f"{text[:50]!r} is not an event id (allowed: up to 128 letters, digits and "
            ": . _ - starting with a letter or digit, e.g. caseflow:evt-000123)"
        )
    return text


def days(text: str) -> int:
    """A number of days from 0 to MAX_DAYS."""
    value = count(text)
    if value > MAX_DAYS:
        raise argparse.ArgumentTypeError(
            f"{text[:20]!r} days is too many (allowed: 0 to {MAX_DAYS})"
        )
    return value


_COUNCIL_CODE = re.compile(COUNCIL_CODE_PATTERN)


def council_code(text: str) -> str:
    """A council code as cases carry it (ehcp.models.CouncilCode), e.g. rutland."""
    if not _COUNCIL_CODE.match(text):
        raise argparse.ArgumentTypeError(
            f"{text[:50]!r} is not a council code (allowed: {COUNCIL_CODE_HELP})"
        )
    return text


def email_address(text: str) -> str:
    """An email address as contacts carry it (ehcp.text_fields.EmailAddress)."""
    from pydantic import TypeAdapter, ValidationError

    from ehcp.text_fields import EmailAddress

    try:
        return TypeAdapter(EmailAddress).validate_python(text)
    except ValidationError as error:
        why = error.errors()[0]["msg"]
        raise argparse.ArgumentTypeError(f"{text[:80]!r} is not an email address ({why})") from None
