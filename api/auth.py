"""Bearer API keys: who is calling. Keys are never logged; a failed authentication is logged
with the key's id only, and limited per client address (the `limits` library)."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from service.callers import Caller, Permission
from service.errors import ServiceError
from store.api_keys import ApiKeys, key_id_of

log = logging.getLogger("ehcp.api.auth")

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="ehcp_<key id>_<secret>",
    description="An API key from `starter.py api-key create` (or POST /api/v1/api-keys).",
)


class Unauthenticated(ServiceError):
    http_status = 401
    slug = "not-authenticated"
    title = "Not authenticated"


class TooManyFailures(ServiceError):
    http_status = 429
    slug = "too-many-failed-authentications"
    title = "Too many failed authentications"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        #: whole seconds until this address may try again (the Retry-After header)
        self.retry_after_s = retry_after_s


#: seconds a successful authentication is remembered by this process (a revocation made
#: elsewhere, e.g. by `starter.py api-key revoke`, takes effect within this time)
AUTH_CACHE_S = 5.0


class KnownKeys:
    """Recently verified keys -> their caller, so that each request does not read the
    database; keyed by the key's hash, never the key itself."""

    def __init__(self, ttl_s: float = AUTH_CACHE_S, refused_ttl_s: float = 60.0) -> None:
        self._cache: TTLCache[str, Caller] = TTLCache(maxsize=10_000, ttl=ttl_s)
        #: keys refused lately: a misconfigured system repeating its one bad key from a
        #: locked-out address is refused from memory, without reading the database each time
        self._refused: TTLCache[str, bool] = TTLCache(maxsize=10_000, ttl=refused_ttl_s)

    @staticmethod
    def _id(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> Caller | None:
        return self._cache.get(self._id(token))

    def put(self, token: str, caller: Caller) -> None:
        self._cache[self._id(token)] = caller

    def was_refused(self, token: str) -> bool:
        return self._id(token) in self._refused

    def refuse(self, token: str) -> None:
        self._refused[self._id(token)] = True

    def forget_all(self) -> None:
        """After a revocation through this process: no delay at all."""
        self._cache.clear()
        self._refused.clear()


class FailureLimiter:
    """At most `rate` failed authentications per client address (e.g. "20/minute")."""

    def __init__(self, rate: str) -> None:
        self.item = parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        #: addresses with a failure in the last window: every other request (nearly all) is
        #: let through without asking the limiter, which takes a lock and searches a window
        self._failing: TTLCache[str, bool] = TTLCache(
            maxsize=100_000, ttl=self.item.get_expiry(), timer=lambda: time.time()
        )

    def blocked(self, client: str) -> bool:
        if client not in self._failing:
            return False
        return not self.limiter.test(self.item, client)

    def retry_after_s(self, client: str, now: float | None = None) -> int:
        """Whole seconds until `client` may try again: a moving window lets one more try in
        when the oldest failure still counted leaves it (the window's reset time), rounded
        up so that a client waiting this long is let in. At least 1."""
        stats = self.limiter.get_window_stats(self.item, client)
        wait = stats.reset_time - (time.time() if now is None else now)
        return max(1, math.ceil(wait))

    def failed(self, client: str) -> None:
        self._failing[client] = True
        self.limiter.hit(self.item, client)


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller a request's key stands for; 401 when missing, malformed, unknown or revoked.

    A valid key is always served, even from an address locked out by failures (one
    misconfigured system behind a shared proxy address must not lock out every other): only
    a failed attempt from a locked-out address is answered 429, so guessing stays throttled.
    Checking the key first costs no more than refusing it: a key is verified by one SHA-256
    and one read by primary key (no slow hash, see store.api_keys), a recently verified key
    by neither; from a locked-out address, a malformed key or one refused in the last minute
    by neither."""
    keys: ApiKeys = request.app.state.keys
    limiter: FailureLimiter = request.app.state.auth_failures
    client = request.client.host if request.client else "unknown"
    if credentials is None:
        raise Unauthenticated("send an API key: Authorization: Bearer ehcp_...")
    token = credentials.credentials
    known: KnownKeys = request.app.state.known_keys
    caller = known.get(token)
    if caller is not None:
        return caller
    blocked = limiter.blocked(client)
    if blocked and (key_id_of(token) is None or known.was_refused(token)):
        caller = None  # malformed or refused lately: refused without reading the database
    else:
        caller = await run_in_threadpool(keys.authenticate, token)
    if caller is not None:
        known.put(token, caller)
        return caller
    known.refuse(token)
    if blocked:
        # not counted again: the lockout ends when the failures that caused it are a window old
        wait = limiter.retry_after_s(client)
        raise TooManyFailures(
            f"too many failed authentications from this address; try again in {wait} s", wait
        )
    limiter.failed(client)
    log.warning(
        "authentication failed from %s (key id %s)",
        client,
        key_id_of(token) or "none: malformed key",
    )
    raise Unauthenticated("the API key is unknown, revoked or malformed")


CallerDep = Annotated[Caller, Depends(current_caller)]


def allowed(permission: Permission):
    """A dependency: the caller, once its role is known to allow `permission` (checked before
    the body, so a caller who may not do something learns that first)."""

    async def check(caller: CallerDep) -> Caller:
        caller.require(permission)
        return caller

    return Depends(check)


Reader = Annotated[Caller, allowed(Permission.read)]
Starter = Annotated[Caller, allowed(Permission.start)]
Recorder = Annotated[Caller, allowed(Permission.record_event)]
KeyManager = Annotated[Caller, allowed(Permission.manage_keys)]
