"""The Jinja environment: our templates (web/templates) beside the GOV.UK Frontend macros."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ehcp.dates_text import format_day_month_year, format_long_date
from web.headers import NONCE_KEY

TEMPLATES = Path(__file__).parent / "templates"
SERVICE_NAME = "SEND disagreements"


def _long_date(value: date | None) -> str:
    return format_long_date(value) if value else ""


def _short_date(value: date | None) -> str:
    return format_day_month_year(value) if value else ""


def _words(value: object) -> str:
    """A stable name as words: 'mediation_certificate_issued' -> 'Mediation certificate issued'."""
    text = str(getattr(value, "value", value) or "").replace("_", " ")
    return text[:1].upper() + text[1:]


def _council_name(code: object) -> str:
    """A council code as its configured name ('rutland' -> 'Rutland County Council'); a code
    not configured (EHCP_COUNCILS_FILE) is shown as words."""
    councils = ENV.globals.get("councils") or {}
    found = councils.get(str(code))
    return found.name if found is not None else _words(code)


def build_environment() -> Environment:
    """Autoescaping Jinja with our templates first, then the GOV.UK Frontend macros under
    `govuk_frontend_jinja/`, and the date and wording filters."""
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        long_date=_long_date, short_date=_short_date, words=_words, council_name=_council_name
    )
    env.globals["service_name"] = SERVICE_NAME
    return env


ENV = build_environment()


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A page: the template with the request's CSP nonce, CSRF token and signed-in person."""

    def csrf_token() -> str:
        return request.scope["csrftoken"]() if "csrftoken" in request.scope else ""

    page = ENV.get_template(template).render(
        request=request,
        cspNonce=request.scope.get(NONCE_KEY, ""),
        csrf_token=csrf_token,
        staff=request.session.get("staff") if "session" in request.scope else None,
        **(context or {}),
    )
    return HTMLResponse(page, status_code=status, headers={"cache-control": "no-store"})
