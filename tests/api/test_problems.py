"""Problem details in-process: each bad field in words (never a regular expression or a
library's phrase), at its real location, a body that is not JSON at its line and column, the
lockout's exact Retry-After, and councils that are not configured."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import api.auth
from api.app import create_app
from api.auth import FailureLimiter
from api.examples import CASE_EXAMPLE
from api.openapi import document
from ehcp.error_words import PATTERN_WORDS, describe
from ehcp.settings import Settings
from service.callers import Role
from store.api_keys import ApiKeys
from tests.api.test_app import client_for, closed_port

#: pydantic's own phrases that say nothing about what is allowed, or quote a pattern
LIBRARY_PHRASES = re.compile(
    r"should match pattern|String should|Input should|Field required|Extra inputs|"
    r"JSON decode error|valid (date|boolean|integer)|\^\[|\]\{"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        temporal_address=f"127.0.0.1:{closed_port()}",
        database_url=f"sqlite:///{tmp_path / 'ehcp.db'}",
        api_auth_failure_limit="3/minute",
        codec_keys="test:" + "A" * 43 + "=",
        codec_current_key="test",
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in client_for(create_app(settings)):
        yield c


def auth(settings: Settings, role: str = "caseworker", council: str = "rutland") -> dict:
    token, _ = ApiKeys(settings.database_url).create("t", council, Role(role), "tests")
    return {"Authorization": f"Bearer {token}"}


def problems(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert not LIBRARY_PHRASES.search(response.text), body
    return body["errors"]


# -- every pattern has words ------------------------------------------------------------------


def _patterns(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(_patterns(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(v) for v in node))
    return set()


def test_every_pattern_of_the_contract_has_words():
    missing = _patterns(document()) - set(PATTERN_WORDS)
    assert not missing, f"add these to ehcp.error_words.PATTERN_WORDS: {missing}"


@pytest.mark.parametrize("pattern", sorted(PATTERN_WORDS))
def test_a_pattern_mismatch_says_what_is_allowed_in_words(pattern):
    message = describe(
        {"type": "string_pattern_mismatch", "loc": ("x",), "msg": "", "input": "?!",
         "ctx": {"pattern": pattern}}
    )  # fmt: skip
    assert message == f"'?!' is not in the right form (allowed: {PATTERN_WORDS[pattern]})"
    assert pattern not in message


# -- each field with a pattern, through the API -----------------------------------------------


async def test_case_ref_in_the_body(client, settings):
    body = {**CASE_EXAMPLE, "case_ref": "rut 42"}
    (error,) = problems(await client.post("/api/v1/cases", json=body, headers=auth(settings)))
    assert error == {
        "pointer": "/case_ref",
        "in": "body",
        "detail": "'rut 42' is not a case reference: use capital letters and digits in groups "
        "joined by hyphens, starting with a letter, at most 40 characters, e.g. RUT-2026-0042",
    }


async def test_case_ref_in_the_path(client, settings):
    (error,) = problems(await client.get("/api/v1/cases/rut-1", headers=auth(settings)))
    assert error["pointer"] == "/case_ref" and error["in"] == "path"
    assert error["detail"].startswith("'rut-1' is not in the right form (allowed: capital")


async def test_council_in_the_body_and_the_query(client, settings):
    headers = auth(settings)
    body = {**CASE_EXAMPLE, "council": "Rut land"}
    (error,) = problems(await client.post("/api/v1/cases", json=body, headers=headers))
    assert error["pointer"] == "/council" and error["in"] == "body"
    assert error["detail"].startswith("'Rut land' is not in the right form (allowed: 2 to 40")
    body = {**CASE_EXAMPLE, "council": "leicester"}
    (error,) = problems(await client.post("/api/v1/cases", json=body, headers=headers))
    assert error["detail"] == (
        "'leicester' is not the council of your credentials (allowed: rutland, or leave it out)"
    )
    (error,) = problems(await client.get("/api/v1/cases?council=Rut%20land", headers=headers))
    assert error == {
        "pointer": "/council",
        "in": "query",
        "detail": "'Rut land' is not in the right form (allowed: 2 to 40 lower-case letters, "
        "digits and hyphens, starting with a letter, e.g. rutland)",
    }


async def test_tribunal_ref_in_an_event(client, settings):
    event = {"kind": "appeal_registered", "date": "2026-11-20", "tribunal_ref": "!"}
    response = await client.post(
        "/api/v1/cases/RUT-2026-0001/events", json=event, headers=auth(settings)
    )
    (error,) = problems(response)
    assert error == {
        "pointer": "/tribunal_ref",
        "in": "body",
        "detail": "'!' is not in the right form (allowed: 3 to 30 letters, digits, spaces, / "
        "and -, starting with a letter or digit, e.g. EH857/26/00042)",
    }


async def test_idempotency_key_in_the_header(client, settings):
    event = {"kind": "mediation_declined", "date": "2026-11-20"}
    response = await client.post(
        "/api/v1/cases/RUT-2026-0001/events",
        json=event,
        headers={**auth(settings), "Idempotency-Key": "has spaces"},
    )
    (error,) = problems(response)
    assert error["in"] == "header" and error["pointer"] == "/idempotency-key"
    assert error["detail"] == (
        "'has spaces' is not in the right form (allowed: up to 128 letters, digits and "
        ": . _ - starting with a letter or digit, e.g. caseflow:evt-000123)"
    )


async def test_key_id_in_the_path_and_key_name_in_the_body(client, settings):
    headers = auth(settings, "manager")
    (error,) = problems(await client.delete("/api/v1/api-keys/XYZ", headers=headers))
    assert error["in"] == "path" and error["pointer"] == "/key_id"
    assert "(allowed: the key id: 8 characters 0-9 and a-f" in error["detail"]
    response = await client.post(
        "/api/v1/api-keys", json={"name": "", "role": "viewer"}, headers=headers
    )
    (error,) = problems(response)
    assert error == {
        "pointer": "/name",
        "in": "body",
        "detail": "empty (allowed: at least 1 character)",
    }


# -- other kinds of error, in words -----------------------------------------------------------


async def test_missing_extra_range_enum_and_type_errors_are_in_words(client, settings):
    headers = auth(settings)
    response = await client.post(
        "/api/v1/cases/RUT-2026-0001/events",
        json={"kind": "hearing_listed", "date": "2026-11-20", "colour": "red"},
        headers=headers,
    )
    errors = {e["pointer"]: e["detail"] for e in problems(response)}
    assert errors["/hearing_date"] == "required, but missing (give a value)"
    assert errors["/colour"] == (
        "not a field here: remove it (allowed fields: date, recorded_by, notes, hearing_date)"
    )
    query = "/api/v1/cases?due_within=-1&stage=nowhere&overdue=perhaps"
    errors = {e["pointer"]: e for e in problems(await client.get(query, headers=headers))}
    assert errors["/due_within"]["detail"] == "'-1' is too small (allowed: 0 or more)"
    assert errors["/stage"]["detail"].startswith("'nowhere' is not one of the allowed values")
    assert errors["/overdue"]["detail"] == "'perhaps' is not true or false (allowed: true, false)"
    assert {e["in"] for e in errors.values()} == {"query"}


# -- where each error is ------------------------------------------------------------------------


async def test_a_service_check_of_a_query_parameter_is_in_the_query(client, settings):
    headers = auth(settings, "viewer")
    (error,) = problems(await client.get("/api/v1/cases?council=leicester", headers=headers))
    assert (error["pointer"], error["in"]) == ("/council", "query")
    response = await client.get(
        "/api/v1/deadlines?decision_date=2026-03-01&certificate_date=2026-01-01", headers=headers
    )
    (error,) = problems(response)
    assert (error["pointer"], error["in"]) == ("/certificate_date", "query")


async def test_a_body_that_is_not_json_is_the_whole_body_at_its_line_and_column(client, settings):
    response = await client.post(
        "/api/v1/cases",
        content=b'{\n  "case_ref": "RUT-1",\n  oops\n}',
        headers={**auth(settings), "content-type": "application/json"},
    )
    (error,) = problems(response)
    assert error == {
        "pointer": "",
        "in": "body",
        "detail": "not valid JSON: Expecting property name enclosed in double quotes at line 3, "
        "column 3 (allowed: one JSON object, UTF-8)",
    }
    assert json.loads(response.text)["detail"].startswith("body /: not valid JSON")


# -- the lockout's Retry-After ----------------------------------------------------------------


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_retry_after_is_when_the_oldest_counted_failure_leaves_the_window(monkeypatch):
    import limits.storage.memory

    clock = Clock(1_000_000.0)
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(api.auth, "time", clock)
    limiter = FailureLimiter("3/minute")
    for at in (0.0, 10.0, 20.5):
        clock.now = 1_000_000.0 + at
        limiter.failed("10.0.0.1")
    assert limiter.blocked("10.0.0.1")
    assert limiter.retry_after_s("10.0.0.1") == 40  # the first failure leaves at 60 s
    clock.now = 1_000_000.0 + 59.5
    assert limiter.retry_after_s("10.0.0.1") == 1
    clock.now = 1_000_000.0 + 60.0
    assert not limiter.blocked("10.0.0.1")  # let in exactly when Retry-After said


async def test_the_lockout_answer_carries_the_exact_retry_after(client, settings, monkeypatch):
    import limits.storage.memory

    clock = Clock(2_000_000.0)
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(api.auth, "time", clock)
    wrong = {"Authorization": "Bearer ehcp_0badc0de_" + "x" * 43}
    for _ in range(3):
        assert (await client.get("/api/v1/cases", headers=wrong)).status_code == 401
    clock.now += 15
    limited = await client.get("/api/v1/cases", headers=wrong)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "45"
    assert limited.json()["detail"].endswith("try again in 45 s")


# -- councils -----------------------------------------------------------------------------------


async def test_a_case_of_a_council_not_configured_is_refused_listing_the_councils(settings):
    settings.councils = {"rutland": settings.council_info("rutland")}
    app = create_app(settings)
    async for client in client_for(app):
        headers = auth(settings, council="rutlnd")  # a typo in the key's council
        response = await client.post(
            "/api/v1/cases", json={**CASE_EXAMPLE, "council": "rutlnd"}, headers=headers
        )
        (error,) = problems(response)
        assert error == {
            "pointer": "/council",
            "in": "body",
            "detail": "'rutlnd' is not a council of this service (allowed: rutland)",
        }
        made = await client.post(
            "/api/v1/api-keys",
            json={"name": "x", "role": "viewer"},
            headers=auth(settings, "manager", council="rutlnd"),
        )
        assert made.status_code == 403, made.text
        assert made.json()["detail"] == (
            "your key's council 'rutlnd' is not a council of this service (allowed: rutland); "
            "no key was made"
        )


async def test_listing_another_councils_cases_is_refused_naming_the_keys_council(client, settings):
    response = await client.get("/api/v1/cases?council=leicester", headers=auth(settings))
    (error,) = problems(response)
    assert error == {
        "pointer": "/council",
        "in": "query",
        "detail": "your key is for council rutland (allowed: rutland)",
    }
    # its own council passes the check (and reaches the service: no Temporal here, so 503)
    mine = await client.get("/api/v1/cases?council=rutland", headers=auth(settings))
    assert mine.status_code == 503, mine.text


async def test_an_unknown_parameter_or_field_lists_what_this_request_takes(client, settings):
    headers = auth(settings, "manager")
    cases = await client.get("/api/v1/cases?colour=red", headers=headers)
    (error,) = problems(cases)
    assert error == {
        "pointer": "/colour",
        "in": "query",
        "detail": "not a field here: remove it (allowed fields: overdue, due_within, stage, "
        "decision_type, council, caseworker, closed, case_ref, cursor, limit)",
    }
    calc = await client.get(
        "/api/v1/deadlines?decision_date=2026-01-01&colour=red", headers=headers
    )
    (error,) = problems(calc)
    assert error["detail"].startswith(
        "not a field here: remove it (allowed fields: decision_date, decision_type, "
    )
    key = await client.post(
        "/api/v1/api-keys", json={"name": "x", "role": "viewer", "colour": 1}, headers=headers
    )
    (error,) = problems(key)
    assert error["detail"] == "not a field here: remove it (allowed fields: name, role)"


def test_a_bad_email_and_a_body_that_is_not_json_say_what_is_allowed():
    """Found by a fresh user: an email error without its "allowed", and a text/plain body
    quoted back as a Python bytes value."""
    from ehcp.error_words import describe

    email = describe(
        {
            "type": "value_error",
            "loc": ("parent", "email"),
            "msg": "value is not a valid email address: An email address must have an @-sign.",
            "input": "not-an-email",
        }
    )
    assert email == (
        "'not-an-email' is not an email address: it must have an @-sign "
        "(allowed: an email address, e.g. sam@example.org)"
    )
    text = describe({"type": "model_attributes_type", "loc": ("body",), "input": b"hello"})
    assert text == "not JSON (allowed: a JSON object, sent as Content-Type: application/json)"
    array = describe({"type": "model_type", "loc": ("body",), "input": [1, 2]})
    assert array.endswith("is not an object (allowed: a JSON object with this request's fields)")
