"""What a caller sends, checked before any server is asked (pure: no Temporal import).

Every check raises `service.errors.BadInput` naming the field (a JSON pointer), what is wrong
and what is allowed. Dates are UK (Europe/London) dates.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from ehcp.error_words import describe, shown
from ehcp.models import EVENT_KINDS, Case, Event, parse_event
from service.errors import BadInput, FieldError, json_pointer

#: who records an event when the caller does not say (the CLI's operator, an API key)
RECORDED_BY = "recorded_by"


def _shown(value: object, limit: int = 60) -> str:
    return shown(value, limit)


def field_error(item: Mapping[str, Any], drop_tag: bool = False) -> FieldError:
    """One pydantic error (an `errors()` item, `loc` within the input) as a FieldError whose
    message says in words what is wrong and what is allowed (ehcp.error_words)."""
    loc = tuple(item["loc"])
    message = describe(dict(item))
    if item["type"] == "union_tag_not_found":
        loc, message = ("kind",), f"missing (allowed kinds: {', '.join(EVENT_KINDS)})"
    elif item["type"] == "union_tag_invalid":
        loc = ("kind",)
    if drop_tag and loc and loc[0] in EVENT_KINDS and item["type"] != "union_tag_invalid":
        loc = loc[1:]  # the union's tag is not a field of the input
    name = ".".join(str(p) for p in loc) or "input"
    return FieldError(json_pointer(loc), message, name)


def validation_errors(error: ValidationError, drop_tag: bool = False) -> BadInput:
    """A pydantic error as BadInput: one FieldError per problem, and the one-line message the
    CLI has always printed (`field.path: what is wrong`)."""
    errors = [field_error(item, drop_tag) for item in error.errors(include_url=False)]
    return BadInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def check_council(code: str, councils: Collection[str], pointer: str = "/council") -> str:
    """`code` when it is a configured council (EHCP_COUNCILS_FILE, ehcp.settings); else
    BadInput listing the councils allowed (a typo never makes a council of its own)."""
    if code not in councils:
        raise BadInput.at(
            pointer,
            f"{_shown(code)} is not a council of this service "
            f"(allowed: {', '.join(sorted(councils))})",
            pointer.strip("/"),
        )
    return code


def check_case(
    data: Any, today: date, council: str | None = None, councils: Collection[str] | None = None
) -> Case:
    """A case to start, from JSON-like data.

    `council`, when the caller is bound to one (an API key), fills a missing `council` and
    refuses a different one (a conflict is an error, never a silent choice). `councils`, when
    given, are the configured councils: another is refused (Cases.start checks it too)."""
    if council is not None and isinstance(data, dict):
        given = data.get("council", council)
        if given != council:
            raise BadInput.at(
                "/council",
                f"{_shown(given)} is not the council of your credentials "
                f"(allowed: {council}, or leave it out)",
            )
        data = {**data, "council": council}
    try:
        case = Case.model_validate(data)
    except ValidationError as error:
        raise validation_errors(error) from None
    if councils is not None:
        check_council(case.council, councils)
    if case.decision_date > today:
        raise BadInput.at(
            "/decision_date", f"{case.decision_date} is in the future (today is {today})"
        )
    return case


def check_event_kind(data: dict[str, Any], kind: str | None = None) -> dict[str, Any]:
    """The event's kind, said once: `kind` (a CLI argument, a URL part) and the body's `kind`
    must agree when both are given; the result carries it."""
    if "kind" in data and data["kind"] not in EVENT_KINDS:
        raise BadInput.at(
            "/kind",
            f"unknown event kind {_shown(data['kind'])} (allowed: {', '.join(EVENT_KINDS)})",
        )
    if kind is not None:
        if "kind" in data and data["kind"] != kind:
            raise BadInput.at(
                "/kind",
                f"the event says {data['kind']!r} but KIND says {kind!r}; "
                "give one kind (or the same in both)",
            )
        data = {**data, "kind": kind}
    return data


def check_event(
    data: Any, today: date, kind: str | None = None, recorded_by: str | None = None
) -> Event:
    """One event from JSON-like data.

    `recorded_by`, when the caller's identity is known (an API key's name), is what the event
    records; a body that claims someone else is refused. Raises BadInput."""
    if not isinstance(data, dict):
        raise BadInput.at("", "an event must be a JSON object with a kind and a date", "input")
    data = check_event_kind(data, kind)
    if recorded_by is not None:
        claimed = data.get(RECORDED_BY, recorded_by)
        if claimed != recorded_by:
            raise BadInput.at(
                "/recorded_by",
                f"{_shown(claimed)} differs from who you are ({recorded_by!r}); "
                "leave recorded_by out: it is set from your credentials",
            )
        data = {**data, RECORDED_BY: recorded_by}
    try:
        event = parse_event(data)
    except ValidationError as error:
        raise validation_errors(error, drop_tag=True) from None
    if event.date > today:
        raise BadInput.at(
            "/date",
            f"{event.date} is in the future (today is {today}); "
            "record an event on or after the day it happens",
        )
    return event
