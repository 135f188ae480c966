"""Bounded waits: poll a condition until it holds or a deadline passes, then fail loudly.
No correctness in the bench rests on a bare sleep."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

POLL_S = 0.1


class BenchTimeout(RuntimeError):
    """A wait ran out: the message says what was awaited and for how long."""


async def wait_until(
    check: Callable[[], bool | Awaitable[bool]], what: str, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        outcome = check()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() > deadline:
            raise BenchTimeout(f"timed out after {timeout_s:.0f} s waiting for {what}")
        await asyncio.sleep(POLL_S)


async def wait_for_progress(
    count: Callable[[], int], target: int, what: str, stall_s: float
) -> None:
    """Until count() reaches target; fail only when it stops moving for `stall_s` (a large
    run may take long, but it must keep going)."""
    last, last_change = count(), time.monotonic()
    while last < target:
        await asyncio.sleep(POLL_S)
        now = count()
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            raise BenchTimeout(f"{what}: stuck at {now}/{target} for {stall_s:.0f} s")
