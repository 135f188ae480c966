"""How a command that talks to Temporal runs: check input, connect, call the service layer,
map its errors to one line and an exit status, and never print a traceback."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn

from pydantic import BaseModel

from cli.parser import fail
from ehcp.settings import Settings
from service.errors import EXIT_REFUSED, ServiceError

if TYPE_CHECKING:
    from service.operations import Cases

#: seconds to wait for Temporal before saying it cannot be reached
CONNECT_TIMEOUT_S = 10


async def connect(settings: Settings) -> Cases:
    # temporalio and the workflow module are imported here, when a command talks to the
    # server: they are half the CLI's start-up time, and bad input is refused before that
    from security.keys import KeyConfigError
    from security.transport import TransportConfigError
    from service.operations import Cases
    from worker import connect as worker_connect

    try:
        client = await asyncio.wait_for(worker_connect(settings), timeout=CONNECT_TIMEOUT_S)
    except (KeyConfigError, TransportConfigError) as error:
        fail(str(error))
    except (RuntimeError, TimeoutError, OSError) as error:
        fail(
            f"cannot reach Temporal at {settings.temporal_address} ({error}); "
            "is `make run` running?",
            EXIT_REFUSED,
        )
    return Cases(client, settings)


def leave(status: int) -> NoReturn:
    """Exit once output is flushed; a reader that went away (`| head`) is not an error."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    from worker import exit_without_finalising

    exit_without_finalising(status)


def silence_stdout() -> None:
    """The reader closed the pipe: send the rest of our output nowhere (Python's advice)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run_async(
    command: Callable[[argparse.Namespace, Cases], Awaitable[int]],
    prepare: Callable[[argparse.Namespace], None] | None = None,
) -> Callable[[argparse.Namespace], int]:
    """The command, after `prepare` checked every input: bad input is refused before any
    connection is tried (and so without a server, fast, with the real reason)."""

    def run(args: argparse.Namespace) -> int:
        if prepare is not None:
            prepare(args)  # fail()s with one line and status 2 on bad input

        async def main() -> int:
            try:
                cases = await connect(Settings())
                return await command(args, cases)
            except ServiceError as error:
                fail(error.message, error.exit_status)
            except SystemExit as stop:  # fail() inside: still leave through leave() below
                return stop.code if isinstance(stop.code, int) else EXIT_REFUSED

        try:
            status = asyncio.run(main())
        except BrokenPipeError:
            silence_stdout()
            status = 0
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else EXIT_REFUSED
        leave(status)

    return run


def emit_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [d.model_dump(mode="json") if isinstance(d, BaseModel) else d for d in data]
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
