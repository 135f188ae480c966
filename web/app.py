"""The web app: middleware (security headers, CSRF, session), sign-in, pages, error pages.

Order of the layers, outermost first: security headers (every response, errors included),
CSRF (every unsafe method), session, then the routes. No error shows a traceback: every
exception ends on an error page, logged with its detail on the server only.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from asgi_csrf import asgi_csrf
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ehcp.settings import Settings
from observability.http import RequestMetrics
from service.errors import Forbidden, NotFound, ServiceError, Unavailable
from web import auth, calculator, record, start
from web import cases as case_pages
from web.headers import SecurityHeaders
from web.settings import WebSettings
from web.templating import ENV, render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "ehcp_session"
CSRF_COOKIE = "ehcp_csrf"


def create_app(web_settings: WebSettings | None = None, cases: Any = None) -> Any:
    """The ASGI app. `cases` (a `service.operations.Cases`, or a holder of one) is given by
    tests; otherwise the pages connect to Temporal on first need."""
    web_settings = web_settings or WebSettings()
    # the configured councils: a case of another is refused; the pages show their names
    councils = Settings().councils
    ENV.globals["councils"] = councils
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.councils = councils
    app.state.web_settings = web_settings
    app.state.oauth = auth.build_oauth(web_settings)
    app.state.cases = cases
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    app.include_router(calculator.router)
    app.include_router(start.router)  # before /cases/{case_ref}: "new" is no case reference
    app.include_router(case_pages.router)
    app.include_router(record.router)
    _pages(app)
    _error_pages(app)
    # latency by route (docs/operations.md)
    app.add_middleware(RequestMetrics, app="pages", mounts=("/static",))
    app.add_middleware(
        SessionMiddleware,
        secret_key=web_settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=web_settings.session_idle_minutes * 60,
        same_site="lax",  # the identity provider's redirect back is a top-level GET
        https_only=web_settings.https,
    )
    # Outside FastAPI's own stack: a failed check is answered before any route runs.
    protected = asgi_csrf(
        app,
        cookie_name=CSRF_COOKIE,
        signing_secret=web_settings.session_secret.get_secret_value(),
        cookie_secure=web_settings.https,
        cookie_samesite="Strict",
        send_csrf_failed=_csrf_failed,
    )
    return SecurityHeaders(protected, https=web_settings.https)


async def _csrf_failed(scope: dict, send: Any, _message_id: object) -> None:
    """The form's CSRF token did not match: a GOV.UK page, never the library's text."""
    page = ENV.get_template("error.html").render(
        cspNonce=scope.get("csp_nonce", ""),
        title="Your form could not be sent",
        body="For your security, the form had expired or came from another site. "
        "Go back, reload the page and try again.",
        staff=None,
        csrf_token=lambda: "",
    )
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": page.encode()})


def _pages(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        staff = auth.current_staff(request)
        return RedirectResponse("/cases" if staff else "/deadline-calculator", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}


ERROR_TEXT = {
    400: ("There is a problem with this request", "Check the address or the form and try again."),
    403: ("You cannot do this", "Your role does not allow it. Ask your SEND manager."),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. "
        "A case of another council is not shown.",
    ),
    405: ("Page not found", "If you typed the web address, check it is correct."),
    503: (
        "Sorry, the service is unavailable",
        "The case records cannot be reached. Try again in a few minutes.",
    ),
}


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(auth.NotSignedIn)
    async def not_signed_in(request: Request, exc: auth.NotSignedIn) -> Response:
        if request.method != "GET":
            return _error(request, 403)
        return RedirectResponse(f"/sign-in?next={quote(exc.next_path)}", status_code=303)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        if isinstance(exc, NotFound):
            return _error(request, 404)
        if isinstance(exc, Forbidden):
            return _error(request, 403)
        if isinstance(exc, Unavailable):
            log.warning("case operations unavailable: %s", exc.message)
            return _error(request, 503)
        return render(
            request,
            "error.html",
            {"title": "This could not be done", "body": exc.message},
            status=exc.http_status,
        )

    @app.exception_handler(RequestValidationError)
    async def bad_path(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 404)  # e.g. a case reference that cannot be one

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return render(
            request,
            "error.html",
            {
                "title": "Sorry, there is a problem with the service",
                "body": "Try again later. Nothing you entered was recorded unless a "
                "confirmation page said so.",
            },
            status=500,
        )


def _error(request: Request, status: int) -> Response:
    title, body = ERROR_TEXT.get(status, ERROR_TEXT[400])
    return render(request, "error.html", {"title": title, "body": body}, status=status)
