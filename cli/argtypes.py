"""Argument types shared by every command: strict, with errors that say what is allowed."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from cli.parser import fail

E = TypeVar("E", bound=StrEnum)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: inputs larger than this are refused before parsing (a case or event is a few KB)
MAX_JSON_BYTES = 1_000_000


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


def count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(
            f"not a whole number of 0 or more: {text!r} (allowed: 0, 1, 2, ...)"
        )
    return int(text)


def read_json(source: str, option: str) -> Any:
    """Read JSON from a file or '-' (stdin); any problem is a one-line error."""
    try:
        raw = sys.stdin.buffer.read(MAX_JSON_BYTES + 1) if source == "-" else None
        if raw is None:
            path = Path(source)
            if path.stat().st_size > MAX_JSON_BYTES:
                fail(f"{option}: {source} is larger than {MAX_JSON_BYTES} bytes")
            raw = path.read_bytes()
        if len(raw) > MAX_JSON_BYTES:
            fail(f"{option}: input is larger than {MAX_JSON_BYTES} bytes")
        return json.loads(raw)
    except OSError as error:
        fail(f"{option}: cannot read {source}: {error.strerror or error}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        fail(f"{option}: not valid JSON ({error})")
