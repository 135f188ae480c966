"""The app's shared state: settings, the key store, and the case operations on a Temporal
client connected on first need (so the API starts, and says 503, while Temporal is down)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from ehcp.settings import Settings
from service.errors import Unavailable
from service.operations import Cases

CONNECT_TIMEOUT_S = 5


class CasesHolder:
    """One `Cases` per app, connected lazily and reconnected after a failed connect."""

    def __init__(self, settings: Settings, cases: Cases | None = None) -> None:
        self.settings = settings
        self._cases = cases
        self._lock = asyncio.Lock()

    async def get(self) -> Cases:
        if self._cases is not None:
            return self._cases
        async with self._lock:
            if self._cases is None:
                from security.keys import KeyConfigError
                from security.transport import TransportConfigError
                from worker import connect

                try:
                    client = await asyncio.wait_for(
                        connect(self.settings), timeout=CONNECT_TIMEOUT_S
                    )
                except KeyConfigError as error:
                    raise Unavailable(f"payload keys are not configured ({error})") from None
                except TransportConfigError as error:
                    raise Unavailable(
                        f"the Temporal connection settings are wrong ({error})"
                    ) from None
                except (RuntimeError, TimeoutError, OSError) as error:
                    raise Unavailable(
                        f"cannot reach Temporal at {self.settings.temporal_address} "
                        f"({type(error).__name__})"
                    ) from None
                self._cases = Cases(client, self.settings)
        return self._cases


# Dependencies are `async def` so that FastAPI calls them on the event loop: a plain `def` is
# run in the thread pool, a thread hop per request for what is an attribute read.


async def cases(request: Request) -> CasesHolder:
    """The holder: endpoints call `get()` after their input is checked, so bad input is a 422
    even while Temporal is down."""
    return request.app.state.cases


CasesDep = Annotated[CasesHolder, Depends(cases)]


async def settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(settings)]
