"""The web app's shell without a browser: headers, CSRF, sessions, sign-in claims, errors."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError
from starlette.testclient import TestClient

from web import auth
from web.app import create_app
from web.forms import FormErrors, read_date
from web.settings import DEMO_GROUP_MAP, DEMO_STAFF, WebSettings


def client(**settings) -> TestClient:
    return TestClient(create_app(WebSettings(**settings)), raise_server_exceptions=False)


def test_security_headers_on_pages_and_errors() -> None:
    c = client()
    for path in ("/deadline-calculator", "/no-such-page", "/static/govuk/govuk-frontend.min.css"):
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self' 'nonce-" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in r.headers  # plain HTTP: browsers ignore it


def test_hsts_behind_tls() -> None:
    r = client(https=True).get("/deadline-calculator")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


def test_the_inline_script_carries_the_nonce_of_its_response() -> None:
    r = client().get("/deadline-calculator")
    nonce = r.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in r.text
    assert r.text.count("<script") == 2  # the nonced one and /static/app.js


def test_a_form_post_without_its_csrf_token_is_refused() -> None:
    c = client()
    c.get("/deadline-calculator")
    c.cookies.set("ehcp_session", "x")  # a browser with cookies: the check applies
    r = c.post("/sign-out", data={"csrftoken": "forged"})
    assert r.status_code == 403
    assert "Your form could not be sent" in r.text
    assert "Traceback" not in r.text


def test_missing_page_is_a_gov_uk_404() -> None:
    r = client().get("/cases/RUT-1/nothing")
    assert r.status_code == 404
    assert "Page not found" in r.text


def test_an_unexpected_error_shows_no_traceback(monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("web.calculator.calculate", boom)
    r = client().get(
        "/deadline-calculator?decision-date-day=1&decision-date-month=11&decision-date-year=2026"
    )
    assert r.status_code == 500
    assert "Sorry, there is a problem with the service" in r.text
    assert "secret detail" not in r.text and "Traceback" not in r.text


def test_sign_in_is_off_without_an_issuer() -> None:
    r = client().get("/sign-in")
    assert r.status_code == 503
    assert "Staff sign-in is not set up" in r.text


def test_council_and_role_come_from_the_mapped_group() -> None:
    settings = WebSettings(oidc_group_map=DEMO_GROUP_MAP)
    sub = "alex.caseworker@rutland.gov.uk"
    staff = auth.staff_from_claims({"sub": sub, **DEMO_STAFF[sub]}, settings)
    assert staff == auth.Staff(sub, "Alex Caseworker", sub, "rutland", "caseworker")
    assert auth.staff_from_claims({"sub": "x", "groups": ["other"]}, settings) is None
    assert auth.staff_from_claims({"sub": "x"}, settings) is None


def test_group_map_is_checked_at_start() -> None:
    with pytest.raises(ValidationError, match="council:role"):
        WebSettings(oidc_group_map={"g": "rutland:superuser"})
    assert WebSettings(oidc_group_map='{"g": "rutland:viewer"}').oidc_group_map == {
        "g": "rutland:viewer"
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/cases/RUT-1", "/cases/RUT-1"),
        ("//evil.example/x", "/cases"),
        ("https://evil.example/", "/cases"),
        ("/\\evil.example", "/cases"),
        (None, "/cases"),
    ],
)
def test_sign_in_returns_only_to_this_site(given, expected) -> None:
    assert auth._safe_next(given) == expected


def test_an_idle_session_ends(monkeypatch) -> None:
    class Req:
        def __init__(self, session):
            self.session = session
            self.app = type("A", (), {"state": type("S", (), {"web_settings": WebSettings()})})
            self.state = type("St", (), {})()

    staff = auth.Staff("s", "N", "e", "rutland", "caseworker").__dict__
    fresh = Req({"staff": staff, "seen": time.time() - 60})
    assert auth.current_staff(fresh) is not None
    stale = Req({"staff": staff, "seen": time.time() - 31 * 60})
    assert auth.current_staff(stale) is None
    assert stale.session == {}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({}, "Enter the decision date"),
        ({"d-day": "1", "d-year": "2026"}, "Decision date must include a month"),
        ({"d-day": "31", "d-month": "2", "d-year": "2026"}, "Decision date must be a real date"),
        ({"d-day": "x", "d-month": "2", "d-year": "2026"}, "Decision date must be a real date"),
        ({"d-day": "1", "d-month": "2", "d-year": "26"}, "Decision date must be a real date"),
    ],
)
def test_date_input_errors_follow_the_design_system(parts, message) -> None:
    errors = FormErrors()
    assert read_date(parts, "d", "the decision date", errors) is None
    assert list(errors.by_field.values()) == [message]


def test_the_api_app_serves_the_pages_beside_its_own_problems(tmp_path) -> None:
    from api.app import create_app as create_api_app
    from ehcp.settings import Settings

    app = create_api_app(Settings(database_url=f"sqlite:///{tmp_path / 'ehcp.db'}"))
    with TestClient(app, raise_server_exceptions=False) as c:
        page = c.get("/deadline-calculator")
        assert (
            page.status_code == 200
            and "frame-ancestors 'none'" in page.headers["content-security-policy"]
        )
        assert c.get("/nowhere").headers["content-type"].startswith("text/html")
        for response in (c.get("/api/nowhere"), c.delete("/healthz")):
            assert response.headers["content-type"] == "application/problem+json"
        assert c.delete("/healthz").status_code == 405
        assert "content-security-policy" not in c.get("/healthz").headers


def test_staff_pages_ask_for_sign_in() -> None:
    c = client()
    for path in ("/cases", "/cases/new", "/cases/RUT-2026-0001"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/sign-in?next={path}"
    assert c.post("/cases/new", data={}).status_code == 403  # no session, no form
