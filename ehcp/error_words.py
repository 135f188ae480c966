"""pydantic's validation errors in words: what is wrong and what is allowed, never a regular
expression or a library's phrase. One place for every surface: the API's problem details,
the CLI's error lines and the pages' error summaries all show `describe(item)`.

`PATTERN_WORDS` says in words what each `pattern` of the project's models allows; a test walks
the OpenAPI document and the models so that a new pattern without words fails.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel

from ehcp.models import (
    CASE_REF_HELP,
    CASE_REF_PATTERN,
    COUNCIL_CODE_HELP,
    COUNCIL_CODE_PATTERN,
    TRIBUNAL_REF_HELP,
    TRIBUNAL_REF_PATTERN,
)

#: what a `pattern` allows, in words (keyed by the pattern exactly as the model gives it)
PATTERN_WORDS: dict[str, str] = {
    CASE_REF_PATTERN.pattern: CASE_REF_HELP,
    TRIBUNAL_REF_PATTERN: TRIBUNAL_REF_HELP,
    COUNCIL_CODE_PATTERN: COUNCIL_CODE_HELP,
    # api/routes.py EVENT_ID_PATTERN (the Idempotency-Key header; cli/argtypes.py says the same)
    r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$": "up to 128 letters, digits and : . _ - starting "
    "with a letter or digit, e.g. caseflow:evt-000123",
    # api/keys.py: a key's id, as the key list shows it
    r"^[0-9a-f]{8}$": "the key id: 8 characters 0-9 and a-f, as the key list shows it, "
    "e.g. 3f2a9c01",
    # api/keys.py: a key's name
    r"^\S.*$": "a name that starts with a letter, digit or sign, not a space",
    # service/listing.py CaseFilter.case_ref: part of a case reference to search for
    r"^[A-Za-z0-9-]+$": "part of a case reference: letters, digits and hyphens, e.g. 2026-00",
    # ehcp/council.py: a colour of the email's header bar
    r"^#[0-9a-fA-F]{6}$": "a colour written #rrggbb, e.g. #1d4f76",
}

ISO_DATE = "YYYY-MM-DD, e.g. 2026-10-01"


def shown(value: object, limit: int = 60) -> str:
    """A value as it may be quoted back in a message (shortened)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _given(item: dict[str, Any]) -> str:
    # a missing value has no input worth quoting; an object or list is not quoted whole
    value = item.get("input")
    if isinstance(value, dict | list):
        return "this value"
    return shown(value)


def _limit(ctx: dict[str, Any], key: str) -> str:
    value = ctx.get(key)
    return str(value) if value is not None else "?"


def allowed_fields(loc: tuple[str | int, ...]) -> list[str]:
    """The fields allowed beside the last part of `loc`: an event's, when `loc` starts with
    its kind (as pydantic reports a tagged union), else a case's; [] when it cannot tell."""
    from ehcp.models import EVENT_MODELS, Case

    model: type[BaseModel] | None = EVENT_MODELS.get(str(loc[0])) if loc else None
    path = loc[1:] if model is not None else loc
    model = model or Case
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field is not None else None
        if inner is None:
            return []
        model = inner
    return [name for name in model.model_fields if name != "kind"]


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := _model_in(arg)) is not None:
            return found
    return None


EMAIL_ALLOWED = "allowed: an email address, e.g. sam@example.org"


def _email_reason(message: str) -> str:
    # pydantic's "value is not a valid email address: <email-validator's sentence>." in our
    # words: "not an email address: it must have an @-sign"
    reason = message.partition(": ")[2].strip().rstrip(".")
    reason = reason.replace("An email address must", "it must", 1)
    return (
        f"not an email address: {reason[:1].lower()}{reason[1:]}"
        if reason
        else ("not an email address")
    )


def describe(item: dict[str, Any]) -> str:
    """One pydantic error (an `errors()` item) in words: what is wrong, then what is allowed
    in brackets. Our own validators' messages (already in words) are kept as they are."""
    kind: str = item.get("type", "")
    ctx: dict[str, Any] = item.get("ctx") or {}
    given = _given(item)
    message = str(item.get("msg", "")).removeprefix("Value error, ")
    if kind == "missing":
        return "required, but missing (give a value)"
    if kind in ("value_error", "assertion_error"):
        if message.startswith("value is not a valid email address"):
            return f"{given} is {_email_reason(message)} ({EMAIL_ALLOWED})"
        return message  # raised by our own validators, in words already
    if kind == "string_pattern_mismatch":
        allowed = PATTERN_WORDS.get(str(ctx.get("pattern")), "see this field's description")
        return f"{given} is not in the right form (allowed: {allowed})"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("too small", "ge", "or more"),
            "greater_than": ("too small", "gt", "exclusive: more than that"),
            "less_than_equal": ("too large", "le", "or less"),
            "less_than": ("too large", "lt", "exclusive: less than that"),
        }[kind]
        return f"{given} is {words[0]} (allowed: {_limit(ctx, words[1])} {words[2]})"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "empty (allowed: at least 1 character)"
        return f"too short (allowed: at least {_limit(ctx, 'min_length')} characters)"
    if kind == "string_too_long":
        return f"too long (allowed: at most {_limit(ctx, 'max_length')} characters)"
    if kind == "too_short":
        return f"too few items (allowed: at least {_limit(ctx, 'min_length')})"
    if kind == "too_long":
        return f"too many items (allowed: at most {_limit(ctx, 'max_length')})"
    if kind in ("enum", "literal_error"):
        return f"{given} is not one of the allowed values (allowed: {ctx.get('expected', '?')})"
    if kind in ("bool_parsing", "bool_type"):
        return f"{given} is not true or false (allowed: true, false)"
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return f"{given} is not a whole number (allowed: a whole number, e.g. 7)"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{given} is not a number (allowed: a number, e.g. 2.5)"
    if kind.startswith("date_") and not kind.startswith("datetime"):
        return f"{given} is not a date (allowed: {ISO_DATE})"
    if kind.startswith("datetime"):
        return (
            f"{given} is not a date and time "
            "(allowed: ISO 8601 with UTC, e.g. 2026-10-01T09:00:00Z)"
        )
    if kind in ("string_type", "string_unicode", "string_sub_type"):
        return f"{given} is not text (allowed: a JSON string)"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        if isinstance(item.get("input"), bytes | bytearray):  # a body that is not JSON at all
            return "not JSON (allowed: a JSON object, sent as Content-Type: application/json)"
        if tuple(item.get("loc", ())) in ((), ("body",)):
            return f"{given} is not an object (allowed: a JSON object with this request's fields)"
        return f"{given} is not an object (allowed: a JSON object with this field's fields)"
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return f"{given} is not a list (allowed: a JSON array)"
    if kind == "extra_forbidden":
        allowed = allowed_fields(tuple(item.get("loc", ())))
        if allowed:
            return f"not a field here: remove it (allowed fields: {', '.join(allowed)})"
        return "not a field here: remove it"
    if kind == "union_tag_invalid":
        return (
            f"unknown {ctx.get('discriminator', 'kind')} {shown(ctx.get('tag'))} "
            f"(allowed: {ctx.get('expected_tags', '?')})"
        )
    if kind.startswith("url_"):
        return f"{given} is not a web address (allowed: https://..., e.g. https://www.gov.uk)"
    if kind in ("json_invalid", "json_type"):
        return f"not valid JSON ({ctx.get('error', 'cannot be read')})"
    # anything else: pydantic's own words, which for the remaining kinds quote no pattern
    return message or "not allowed here"
