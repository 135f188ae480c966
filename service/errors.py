"""The failures of a case operation, each with the exit status and HTTP status it maps to.

Every surface shows `message` (one line, no traceback); the API adds `errors` (a JSON pointer
per bad field, RFC 9457 `errors` extension) for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass

#: CLI exit statuses: 2 bad input (argparse's convention), 1 refused by the service
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 1


@dataclass(frozen=True)
class FieldError:
    """One bad field: `pointer` is an RFC 6901 JSON pointer into the input ("" = the whole
    input), `field` the plain name (for the CLI's option names), `message` what is wrong and
    what is allowed."""

    pointer: str
    message: str
    field: str = ""


def json_pointer(loc: tuple[str | int, ...]) -> str:
    """RFC 6901 pointer for a pydantic error location."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


class ServiceError(Exception):
    """Base of every operation failure; `slug` names the problem type."""

    http_status = 500
    exit_status = EXIT_REFUSED
    slug = "internal"
    title = "Internal error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(ServiceError):
    """The input itself is wrong (a field, a conflict between two ways of saying it)."""

    http_status = 422
    exit_status = EXIT_BAD_INPUT
    slug = "invalid-input"
    title = "Invalid input"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    @classmethod
    def at(cls, pointer: str, message: str, field: str = "") -> BadInput:
        """One bad field; the message is prefixed with the field's name."""
        name = field or pointer.lstrip("/").replace("/", ".")
        text = f"{name}: {message}" if name else message
        return cls(text, [FieldError(pointer, message, name)])


class NotFound(ServiceError):
    """No such case, or a case of another council: the two answers are the same."""

    http_status = 404
    slug = "case-not-found"
    title = "No such case"


class Conflict(ServiceError):
    """Refused by the state of things: a duplicate case, an event the case refuses, an event
    id already used for a different event, a closed case."""

    http_status = 409
    slug = "conflict"
    title = "Refused"

    def __init__(self, message: str, slug: str = "conflict") -> None:
        super().__init__(message)
        self.slug = slug


class Forbidden(ServiceError):
    """The caller's role does not allow the operation."""

    http_status = 403
    slug = "forbidden"
    title = "Not allowed"


class Busy(ServiceError):
    """The case has as many events in flight as Temporal allows (10): try again shortly."""

    http_status = 429
    slug = "case-busy"
    title = "Case busy"


class Unavailable(ServiceError):
    """Temporal cannot be reached (or answered with an error that is not about the case)."""

    http_status = 503
    slug = "temporal-unavailable"
    title = "Temporal unavailable"
