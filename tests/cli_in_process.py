"""`starter.py` run inside the test process: the real `main(argv)` with its own stdin, stdout,
stderr and environment, without the ~0.5 s of a fresh interpreter's imports per run.

For input that the CLI refuses (or answers) before it talks to Temporal. A command that gets
as far as leaving through `cli.runner.leave` (which ends the process with `os._exit`) raises
`ReachedLeave` instead, so a test fails rather than its pytest worker ending. A few tests per
file still run the real `python starter.py` for what only a process shows (exit codes at
interpreter exit, broken pipes, encodings of the real streams).
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from unittest import mock

import starter


class ReachedLeave(AssertionError):
    """The command ran to its end through the server path, which a caller did not expect."""


@dataclass(frozen=True)
class CliRun:
    """What a `python starter.py ...` run gave: exit status and both streams as text."""

    returncode: int
    stdout: str
    stderr: str


def _stream(errors: str, data: bytes = b"") -> io.TextIOWrapper:
    # as a real process's streams: UTF-8 text over bytes, stderr never failing to encode
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors=errors, newline="\n")


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", "replace")


def run_in_process(
    argv: list[str], stdin: bytes = b"", env: dict[str, str] | None = None
) -> CliRun:
    """`python starter.py *argv` with `stdin`, in this process; `env` replaces the whole
    environment for the run (as a subprocess's `env=` would). Returns status and output."""

    def leave(status: int) -> None:
        raise ReachedLeave(f"the command ran to its end (status {status})")

    out, err = _stream("strict"), _stream("backslashreplace")
    patches = [
        mock.patch.object(sys, "stdin", _stream("strict", stdin)),
        mock.patch.object(sys, "stdout", out),
        mock.patch.object(sys, "stderr", err),
        mock.patch("cli.runner.leave", leave),
    ]
    if env is not None:
        patches.append(mock.patch.dict(os.environ, env, clear=True))
    for patch in patches:
        patch.start()
    try:
        try:
            status = starter.main(argv)
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 1
            if stop.code is not None and not isinstance(stop.code, int):
                sys.stderr.write(f"{stop.code}\n")  # what the interpreter does with it
    finally:
        for patch in reversed(patches):
            patch.stop()
    return CliRun(status or 0, _text(out), _text(err))
