"""argparse with one-line errors: the back office parses our stderr, so no usage dumps."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

#: exit status for bad arguments or bad input (argparse's convention)
USAGE_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(USAGE_ERROR)


def fail(message: str, status: int = USAGE_ERROR) -> NoReturn:
    """Print one line to stderr and exit: the one error style of the CLI."""
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(status)
