"""Staff sign-in with OpenID Connect (Authlib), the signed-in person, the idle timeout.

The identity provider says who the person is; the configured group mapping
(`EHCP_WEB_OIDC_GROUP_MAP`) says which council and role that gives them. Nothing else is
trusted: a person in no mapped group is refused. The session (a signed, HttpOnly, SameSite
cookie: Starlette's SessionMiddleware) keeps only who they are and when they were last seen.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from web.settings import WebSettings
from web.templating import render

log = logging.getLogger(__name__)
router = APIRouter()
SESSION_KEY = "staff"
SEEN_KEY = "seen"


@dataclass(frozen=True)
class Staff:
    """A signed-in member of staff: `name` is what events record as `recorded_by`."""

    sub: str
    name: str
    email: str
    council: str
    role: str


class NotSignedIn(Exception):
    """The page needs a signed-in person; `next` is where to come back to."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def build_oauth(settings: WebSettings) -> OAuth | None:
    """The OIDC client, or None when no issuer is configured (sign-in off)."""
    if not settings.oidc_issuer:
        return None
    oauth = OAuth()
    oauth.register(
        name="staff",
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        client_kwargs={"scope": settings.oidc_scopes},
    )
    return oauth


def staff_from_claims(claims: dict[str, Any], settings: WebSettings) -> Staff | None:
    """Council and role from the groups claim through the configured mapping; None if no
    group of the person is mapped."""
    groups = claims.get(settings.oidc_groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    for group in groups:
        if target := settings.oidc_group_map.get(str(group)):
            council, _, role = target.partition(":")
            email = str(claims.get("email") or "")
            name = str(claims.get(settings.oidc_name_claim) or email or claims["sub"])[:100]
            return Staff(sub=str(claims["sub"]), name=name, email=email, council=council, role=role)
    return None


def current_staff(request: Request) -> Staff | None:
    """The signed-in person, or None; ends a session idle for too long."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    settings: WebSettings = request.app.state.web_settings
    now = time.time()
    if now - request.session.get(SEEN_KEY, 0) > settings.session_idle_minutes * 60:
        request.session.clear()
        return None
    request.session[SEEN_KEY] = now
    return Staff(**data)


def require_staff(request: Request) -> Staff:
    """Dependency of every staff page: the person, or NotSignedIn (answered by a redirect)."""
    staff = current_staff(request)
    if staff is None:
        raise NotSignedIn(request.url.path)
    return staff


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/cases"


@router.get("/sign-in", include_in_schema=False)
async def sign_in(request: Request, next: str | None = None) -> Response:
    oauth: OAuth | None = request.app.state.oauth
    if oauth is None:
        return render(request, "sign_in_off.html", status=503)
    request.session["next"] = _safe_next(next)
    # from the base URL, not url_for: the pages may be mounted inside the API app
    base = request.app.state.web_settings.base_url or str(request.base_url)
    redirect_uri = base.rstrip("/") + "/auth/callback"
    try:
        return await oauth.staff.authorize_redirect(request, redirect_uri)
    except Exception:  # the provider is down or misconfigured: say so, log why
        log.exception("cannot start sign-in with the identity provider")
        return render(request, "sign_in_failed.html", {"reason": "unreachable"}, status=503)


@router.get("/auth/callback", name="auth_callback", include_in_schema=False)
async def auth_callback(request: Request) -> Response:
    oauth: OAuth | None = request.app.state.oauth
    if oauth is None:
        return render(request, "sign_in_off.html", status=503)
    try:
        token = await oauth.staff.authorize_access_token(request)
    except OAuthError as error:
        log.warning("sign-in refused: %s", error.error)
        return render(request, "sign_in_failed.html", {"reason": "refused"}, status=400)
    except Exception:
        log.exception("sign-in failed at the identity provider")
        return render(request, "sign_in_failed.html", {"reason": "unreachable"}, status=503)
    claims = dict(token.get("userinfo") or {})
    staff = staff_from_claims(claims, request.app.state.web_settings)
    if staff is None:
        log.warning("sign-in of %s refused: no mapped group", claims.get("sub"))
        return render(request, "sign_in_failed.html", {"reason": "no_group"}, status=403)
    next_path = _safe_next(request.session.get("next"))
    request.session.clear()  # a fresh session at sign-in: nothing carried over
    request.session[SESSION_KEY] = staff.__dict__
    request.session[SEEN_KEY] = time.time()
    log.info("signed in: %s (%s, %s)", staff.sub, staff.council, staff.role)
    return RedirectResponse(next_path, status_code=303)


@router.post("/sign-out", include_in_schema=False)
async def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/signed-out", status_code=303)


@router.get("/signed-out", include_in_schema=False)
async def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html")
