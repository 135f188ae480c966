"""`classify`: what each SendGrid answer means, as a pure function (no network)."""

from __future__ import annotations

import json
import urllib.error
from dataclasses import dataclass
from datetime import timedelta
from http.client import RemoteDisconnected

import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_http_client.exceptions import (
    BadRequestsError,
    ForbiddenError,
    HTTPError,
    InternalServerError,
    PayloadTooLargeError,
    TooManyRequestsError,
    UnauthorizedError,
    err_dict,
)

from activities.names import NOTIFY_RETRY, PERMANENT_DELIVERY_ERRORS
from activities.sendgrid_sender import (
    MAX_RATE_LIMIT_WAIT,
    PERMANENT,
    TRANSIENT,
    classify,
    fixed_reason,
)

NOW = 1_800_000_000.0


def http_error(status: int, message: str | None = "Bad things", headers=None) -> HTTPError:
    body = b"<html>Bad Gateway</html>"
    if message is not None:
        body = json.dumps(
            {"errors": [{"message": message, "field": "from.email", "help": None}]}
        ).encode()
    cls = err_dict.get(status, HTTPError)
    return cls(status, "Reason", body, headers or {})


@dataclass
class Response:
    status_code: int


def test_accepted() -> None:
    assert classify(Response(202)).action == "accepted"


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (BadRequestsError, 400),
        (UnauthorizedError, 401),
        (ForbiddenError, 403),
        (PayloadTooLargeError, 413),
    ],
)
def test_refusals_are_final_with_sendgrid_s_message_and_the_status(cls, status) -> None:
    error = http_error(status, "The from address does not match a verified Sender Identity.")
    assert type(error) is cls
    outcome = classify(error, NOW)
    assert outcome.action == "permanent"
    assert outcome.message == "The from address does not match a verified Sender Identity."
    app = outcome.error()
    assert app.type == PERMANENT and app.type in PERMANENT_DELIVERY_ERRORS
    assert app.non_retryable
    # the workflow reads details[0] as the status code; SendGrid's words are details[1]
    # (encrypted history), the message is a fixed phrase (the SDK logs it in plain text)
    assert app.details == (status, outcome.message)
    assert app.message == fixed_reason(status) and "Sender Identity" not in app.message
    assert PERMANENT in NOTIFY_RETRY.non_retryable_error_types


def test_several_sendgrid_errors_are_joined_and_addresses_left_out() -> None:
    body = json.dumps(
        {
            "errors": [
                {"message": "Does not contain a valid address: sam@example", "field": "x"},
                {"message": "The subject is required.", "field": "subject"},
            ]
        }
    ).encode()
    outcome = classify(BadRequestsError(400, "Bad Request", body, {}), NOW)
    assert outcome.message == (
        "Does not contain a valid address: [address]; The subject is required."
    )


def test_rate_limited_waits_for_the_reset() -> None:
    error = http_error(429, headers={"X-RateLimit-Reset": str(int(NOW + 42))})
    assert isinstance(error, TooManyRequestsError)
    outcome = classify(error, NOW)
    assert outcome.action == "retry"
    assert outcome.retry_after == timedelta(seconds=42)
    app = outcome.error()
    assert not app.non_retryable and app.type == TRANSIENT
    assert app.next_retry_delay == timedelta(seconds=42)
    assert app.details[0] == 429 and app.message == "SendGrid 429 (rate limited)"


@pytest.mark.parametrize(
    ("reset", "expected"),
    [
        (None, None),  # no header: the retry policy's backoff
        ("soon", None),
        (str(int(NOW - 10)), timedelta(seconds=1)),  # already past: straight away
        (str(int(NOW + 86_400)), MAX_RATE_LIMIT_WAIT),  # capped
    ],
)
def test_rate_limit_resets_that_cannot_be_used_as_they_are(reset, expected) -> None:
    headers = {} if reset is None else {"X-RateLimit-Reset": reset}
    assert classify(http_error(429, headers=headers), NOW).retry_after == expected


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_errors_are_retried_with_backoff(status: int) -> None:
    error = http_error(status, None if status == 502 else "oops")
    if status == 502:
        assert type(error) is HTTPError  # 502 has no subclass of its own
    if status == 500:
        assert isinstance(error, InternalServerError)
    outcome = classify(error, NOW)
    assert (outcome.action, outcome.status_code, outcome.retry_after) == ("retry", status, None)
    assert outcome.error().details == (status, outcome.message)
    assert not outcome.error().non_retryable
    if status == 502:
        assert outcome.message == "SendGrid answered 502: HTTP 502 Reason"


@pytest.mark.parametrize(
    ("error", "ambiguous"),
    [
        (TimeoutError("timed out"), True),
        (urllib.error.URLError(TimeoutError("timed out")), True),
        (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")), False),
        (urllib.error.URLError("Name or service not known"), False),
        (RemoteDisconnected("Remote end closed connection without response"), True),
        (ConnectionResetError(104, "reset"), True),
    ],
)
def test_no_answer_is_retried(error: Exception, ambiguous: bool) -> None:
    outcome = classify(error, NOW)
    assert outcome.action == "retry"
    assert outcome.status_code is None and outcome.error().details == (None, outcome.message)
    assert outcome.error().message == fixed_reason(None, ambiguous)
    assert outcome.ambiguous is ambiguous  # the request may have reached SendGrid


@given(st.integers(400, 599))
def test_every_status_is_either_final_or_retried(status: int) -> None:
    outcome = classify(http_error(status), NOW)
    retried = status in (408, 429) or status >= 500
    assert outcome.action == ("retry" if retried else "permanent")
    assert outcome.error().non_retryable is (not retried)
