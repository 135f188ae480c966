"""`starter.py` run inside the test process: the real `main(argv)` with its own stdin, stdout,
stderr and environment, without the ~0.5 s (several seconds on a loaded machine) of a fresh
interpreter's imports per run.

`main` runs on a thread of its own, so a command that talks to Temporal (its own
`asyncio.run`) works from an async test too. A command that talks to Temporal ends through
`cli.runner.leave`, which in a real process flushes and ends it with `os._exit(status)`: here
it raises SystemExit(status) instead, after the same flush; with `expect_server=False` it
raises `ReachedLeave`, for input the CLI must refuse before any connection. A few tests per
file still run the real `python starter.py` for what only a process shows (exit at
interpreter end, broken pipes, the real streams' encodings).
"""

from __future__ import annotations

import io
import os
import sys
import threading
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
    argv: list[str],
    stdin: bytes | str = b"",
    env: dict[str, str] | None = None,
    expect_server: bool = False,
) -> CliRun:
    """`python starter.py *argv` with `stdin`, in this process; `env` replaces the whole
    environment for the run (as a subprocess's `env=` would). Returns status and output."""

    def leave(status: int) -> None:
        if not expect_server:
            raise ReachedLeave(f"the command ran to its end (status {status})")
        sys.stdout.flush()
        raise SystemExit(status)

    data = stdin.encode() if isinstance(stdin, str) else stdin
    out, err = _stream("strict"), _stream("backslashreplace")
    patches = [
        mock.patch.object(sys, "argv", ["starter.py", *argv]),  # as `python starter.py ...`
        mock.patch.object(sys, "stdin", _stream("strict", data)),
        mock.patch.object(sys, "stdout", out),
        mock.patch.object(sys, "stderr", err),
        mock.patch("cli.runner.leave", leave),
    ]
    if env is not None:
        patches.append(mock.patch.dict(os.environ, env, clear=True))
    outcome: list[BaseException | int] = []

    def call_main() -> None:
        try:
            outcome.append(starter.main(argv))
        except BaseException as error:  # handed to the caller's thread
            outcome.append(error)

    for patch in patches:
        patch.start()
    try:
        thread = threading.Thread(target=call_main, name="starter-main")
        thread.start()
        thread.join()
        [result] = outcome
        if isinstance(result, SystemExit):
            status = result.code if isinstance(result.code, int) else 1
            if result.code is not None and not isinstance(result.code, int):
                sys.stderr.write(f"{result.code}\n")  # what the interpreter does with it
        elif isinstance(result, BaseException):
            raise result
        else:
            status = result
    finally:
        for patch in reversed(patches):
            patch.stop()
    return CliRun(status or 0, _text(out), _text(err))
