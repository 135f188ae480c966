"""argparse with one-line errors: the back office parses our stderr, so no usage dumps."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

#: exit status for bad arguments or bad input (argparse's convention)
USAGE_ERROR = 2
#: an error line never grows past this, whatever the input echoed in it
MAX_ERROR_CHARS = 2000


def one_line(message: str) -> str:
    """The message on one line of bounded length: input echoed into an error (a pasted
    value with newlines, a megabyte of text) must not break the one-line contract."""
    text = message.replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 3] + "..."
    return text


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {one_line(message)}\n")
        raise SystemExit(USAGE_ERROR)


def fail(message: str, status: int = USAGE_ERROR) -> NoReturn:
    """Print one line to stderr and exit: the one error style of the CLI."""
    sys.stderr.write(f"error: {one_line(message)}\n")
    raise SystemExit(status)
