"""Request latency of the HTTP API and the caseworker pages, for Prometheus.

One histogram, `ehcp_http_request_duration_seconds{app, method, route, status}` (and its
`_count`, `_sum`, `_bucket` series), recorded by `RequestMetrics`, an ASGI middleware added
to the API app and to the pages app:

- `route` is the route's template (`/api/v1/cases/{case_ref}`, `/cases/{case_ref}/timeline`),
  never the path a request asked for: no case reference, name or query string ever becomes a
  label. A request that matches no route is `unmatched`; static files are `/static`. When
  the pages are mounted in the API app, the pages' middleware records the request (with the
  page's route) and the API's does not count it again.
- `app`: `api` (`/api/...`, `/webhooks/...`, `/healthz`, `/readyz` of the API) or `pages`.
- `status`: the HTTP status code answered (500 for an exception that escaped).

The series live in the process's default prometheus_client registry (with the client's
`process_*` and `python_*` series) and are served by `serve(address)` on their own port
(EHCP_HTTP_METRICS_ADDRESS), not on the public one: an operator's scraper reaches it on the
internal network, a browser never does (docs/operations.md).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from prometheus_client import Histogram, start_http_server

REQUEST_DURATION = "ehcp_http_request_duration_seconds"
#: seconds; pages and API calls wait on Temporal (queries, updates): up to a few seconds
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNMATCHED = "unmatched"
#: the request being timed by the innermost RequestMetrics: an inner one (the pages', inside
#: the API's) marks its parent's as recorded, so each request is counted once
_TIMING: ContextVar[dict[str, bool] | None] = ContextVar("ehcp_request_timing", default=None)

DURATION = Histogram(
    REQUEST_DURATION,
    "Time to answer an HTTP request of the API or the caseworker pages, by route template",
    ["app", "method", "route", "status"],
    buckets=BUCKETS,
)
API_PREFIXES = ("/api/", "/webhooks/")
API_ONLY = ("/api", "/healthz", "/readyz")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: dict[str, Any], mounts: tuple[str, ...] = ()) -> str:
    """The matched route's template; a mount's prefix (`/static`) for a path under one of
    `mounts`; `unmatched` otherwise. Never the requested path itself."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    asked = scope.get("path", "")
    for prefix in mounts:
        if asked.startswith(prefix + "/"):
            return prefix
    return UNMATCHED


def app_of(template: str, default: str) -> str:
    if template.startswith(API_PREFIXES) or template in API_ONLY:
        return "api"
    return default


class RequestMetrics:
    """ASGI middleware: time each HTTP request and record it under its route template.
    `app`: the label for routes that are not the API's (`pages`); `mounts`: prefixes of
    mounted sub-apps (static files) to label by their prefix."""

    def __init__(self, asgi_app: Any, app: str = "pages", mounts: tuple[str, ...] = ()) -> None:
        self.asgi_app = asgi_app
        self.app = app
        self.mounts = mounts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.asgi_app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        parent = _TIMING.get()
        mine = {"recorded": False}
        token = _TIMING.set(mine)

        async def remember_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.asgi_app(scope, receive, remember_status)
        finally:
            _TIMING.reset(token)
            if parent is not None:
                parent["recorded"] = True
            if not mine["recorded"]:
                template = route_template(scope, self.mounts)
                method = scope.get("method", "GET")
                DURATION.labels(
                    app=app_of(template, self.app),
                    method=method if method in METHODS else "other",
                    route=template,
                    status=str(status),
                ).observe(time.perf_counter() - started)


def serve(address: str) -> None:
    """Serve this process's metrics at http://<address>/metrics (`host:port`), in a daemon
    thread; nothing when `address` is empty."""
    if not address:
        return
    host, _, port = address.rpartition(":")
    start_http_server(int(port), addr=host)
