"""The FastAPI application: routes, problem documents, health, the OpenAPI document."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.routing import Match, Mount
from starlette.types import Scope

from api import keys, routes
from api.auth import FailureLimiter, KnownKeys
from api.deps import CasesHolder
from api.problems import install, problem_response
from ehcp.settings import Settings
from observability.http import RequestMetrics
from service.errors import ServiceError
from service.operations import Cases
from store.api_keys import ApiKeys
from webhooks import routes as webhooks

OPENAPI_URL = "/api/openapi.json"
DOCS_URL = "/api/docs"
DESCRIPTION = """\
Council back-office systems start SEND disagreement cases, record events and read deadlines.

Authenticate with an API key (`Authorization: Bearer ehcp_...`) bound to one council and one
role: **viewer** reads; **caseworker** also starts cases and records events; **manager** also
creates and revokes its council's keys. A key sees only its council's cases: another council's
case is answered 404, exactly as a missing one. Errors are RFC 9457 problem documents
(`application/problem+json`). Dates are UK dates (YYYY-MM-DD); instants are UTC.
"""


def create_app(settings: Settings | None = None, cases: Cases | None = None) -> FastAPI:
    """The app. `cases` may be given (tests); otherwise it connects to Temporal on first
    need. Migrations of the database (EHCP_DATABASE_URL) run at start."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.keys = await run_in_threadpool(ApiKeys, settings.database_url)
        yield

    app = FastAPI(
        title="SEND disagreements API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=DOCS_URL,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.cases = CasesHolder(settings, cases)
    app.state.auth_failures = FailureLimiter(settings.api_auth_failure_limit)
    app.state.known_keys = KnownKeys()
    install(app)
    app.add_middleware(RequestMetrics, app="api")  # latency by route (docs/operations.md)
    app.include_router(routes.router)
    app.include_router(keys.router)
    app.include_router(webhooks.router)  # no API key: the providers' own checks

    @app.get("/healthz", tags=["health"], summary="The API process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Temporal reachable and a worker polling the task queue",
        responses={503: {"description": "not ready; `detail` says why"}},
    )
    async def readyz() -> JSONResponse:
        try:
            pollers = await (await app.state.cases.get()).workers_polling()
        except ServiceError as error:
            return problem_response(503, "not-ready", "Not ready", error.message)
        if pollers == 0:
            return problem_response(
                503,
                "not-ready",
                "Not ready",
                f"no worker polls task queue {settings.task_queue}",
            )
        return JSONResponse({"status": "ready", "workers": pollers})

    # The caseworker pages (web/), on the same case operations, at every path that is not
    # the API's: an unknown /api/ path or a wrong method stays a problem document.
    from web.app import create_app as create_web_app

    app.router.routes.append(PagesMount("/", app=create_web_app(cases=app.state.cases)))
    return app


class PagesMount(Mount):
    """The pages' mount, which never takes a path of the API (so the API's own 404 and 405
    answer there)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if path == "/api" or path.startswith("/api/") or path in ("/healthz", "/readyz"):
            return Match.NONE, {}
        return super().matches(scope)
