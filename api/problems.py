"""Errors as RFC 9457 problem documents (application/problem+json), never a stack trace."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from service.errors import BadInput, FieldError, ServiceError
from service.inputs import field_error

log = logging.getLogger("ehcp.api")

PROBLEM_JSON = "application/problem+json"
#: problem types are relative URIs under this path (RFC 9457 section 3.1.1)
TYPE_BASE = "/api/problems/"


class FieldProblem(BaseModel):
    """One bad field of a request."""

    pointer: str = Field(
        description="RFC 6901 JSON pointer into the part named by `in`: for the body, into its "
        'JSON ("" is the whole body, e.g. when it is not JSON); for a query parameter, path '
        "parameter or header, /<its name>"
    )
    where: Literal["body", "query", "path", "header", "cookie"] = Field(
        alias="in", description="where the bad input is: body, query, path or header"
    )
    detail: str = Field(description="what is wrong and what is allowed")

    model_config = {"populate_by_name": True}


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="a URI reference naming the kind of problem")
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = Field(
        default=None, description="for invalid input: each bad field"
    )


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(type=TYPE_BASE + slug, title=title, status=status, detail=detail, errors=errors)
    return JSONResponse(
        body.model_dump(mode="json", by_alias=True, exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


#: seconds a client waits before trying again: a busy case frees a slot as soon as one event
#: is applied; an unavailable Temporal takes longer to come back
RETRY_AFTER_S = {429: 1, 503: 5}


def _field_problems(errors: list[FieldError], where: str) -> list[FieldProblem]:
    return [FieldProblem(pointer=e.pointer, where=where, detail=e.message) for e in errors]


def input_location(request: Request | None) -> str:
    """Where a service's BadInput came from: a GET's input is its query string (the list's
    filters and cursor, the calculator's dates); any other method's is its JSON body."""
    return "query" if request is not None and request.method in ("GET", "HEAD") else "body"


def service_problem(error: ServiceError, request: Request | None = None) -> JSONResponse:
    where = input_location(request)
    errors = _field_problems(error.errors, where) if isinstance(error, BadInput) else None
    headers = None
    if error.http_status in (429, 503):
        headers = {
            "Retry-After": str(getattr(error, "retry_after_s", RETRY_AFTER_S[error.http_status]))
        }
    elif error.http_status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return problem_response(
        error.http_status, error.slug, error.title, error.message, errors, headers
    )


def _line_column(body: str, position: int) -> tuple[int, int]:
    """1-based line and column of character `position` of a JSON body."""
    text = body[:position]
    return text.count("\n") + 1, position - (text.rfind("\n") + 1) + 1


def _json_problem(item: dict[str, Any], body: str) -> FieldProblem:
    """A body that is not JSON: the whole body is at fault (pointer ""), and where reading
    stopped, by line and column, is part of the detail (pydantic gives the character)."""
    loc = tuple(item.get("loc", ()))
    reason = str((item.get("ctx") or {}).get("error", "cannot be read"))
    where = ""
    if len(loc) > 1 and isinstance(loc[1], int):
        line, column = _line_column(body, loc[1])
        where = f" at line {line}, column {column}"
    return FieldProblem(
        pointer="",
        where="body",
        detail=f"not valid JSON: {reason}{where} (allowed: one JSON object, UTF-8)",
    )


def _validation_problems(
    exc: RequestValidationError, body: str, route: object = None
) -> list[FieldProblem]:
    problems = []
    for item in exc.errors():
        loc = tuple(item.get("loc", ()))
        where, loc = (str(loc[0]), loc[1:]) if loc else ("body", ())
        if item.get("type") == "json_invalid":
            problems.append(_json_problem(item, body))
            continue
        if where in ("query", "path", "header", "cookie"):
            # a repeated query parameter's index is not a JSON pointer into anything
            loc = loc[:1] + tuple(p for p in loc[1:] if not isinstance(p, int))
        error = field_error({**item, "loc": loc}, drop_tag=True)
        message = error.message
        if item.get("type") == "extra_forbidden" and (where != "body" or len(loc) == 1):
            # the names this request takes (not a case's fields, which field_error assumes)
            allowed = parameter_names(route, where, loc)
            if allowed:
                message = f"not a field here: remove it (allowed fields: {', '.join(allowed)})"
        problems.append(FieldProblem(pointer=error.pointer, where=where, detail=message))
    return problems


def parameter_names(route: object, where: str, loc: tuple) -> list[str]:
    """The query parameters (or a body model's fields) the matched route takes, from its
    FastAPI dependant; [] when they cannot be told (an event body: its kind decides)."""
    pending = [getattr(route, "dependant", None)]
    names: list[str] = []
    while pending:
        dependant = pending.pop()
        if dependant is None:
            continue
        pending += dependant.dependencies
        params = {"query": dependant.query_params, "body": dependant.body_params}.get(where, [])
        for param in params:
            annotation = param.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names += list(annotation.model_fields)
            elif where == "body":
                return []  # a union (an event): field_error named its kind's fields
            else:
                names.append(param.alias or param.name)
    return names


def install(app: FastAPI) -> None:
    """Every error the app can raise, as a problem document."""

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> JSONResponse:
        return service_problem(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI keeps the document it could not read as text (json.JSONDecodeError.doc)
        body = getattr(exc, "body", None)
        text = body if isinstance(body, str) else ""
        problems = _validation_problems(exc, text, request.scope.get("route"))
        detail = "; ".join(f"{p.where} {p.pointer or '/'}: {p.detail}" for p in problems)
        return problem_response(422, "invalid-input", "Invalid input", detail, problems)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI: a body that is not even text (bad UTF-8)
            problem = FieldProblem(pointer="", where="body", detail="not valid UTF-8 JSON")
            return problem_response(
                422, "invalid-input", "Invalid input", "body: not valid UTF-8 JSON", [problem]
            )
        titles = {401: "Not authenticated", 404: "Not found", 405: "Method not allowed"}
        title = titles.get(exc.status_code, "HTTP error")
        slug = title.lower().replace(" ", "-")
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            exc.status_code, slug, title, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        # the trace goes to the server log only; the caller gets a plain problem
        log.exception("internal error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "internal", "Internal error", "the service failed; the error is logged"
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries: each status answered with a Problem."""
    descriptions = {
        401: "no or bad credentials",
        403: "the key's role does not allow this",
        404: "no such case (or one of another council: the same answer)",
        409: "refused: duplicate case, event refused by the case, event id reused",
        422: "invalid input; `errors` has a JSON pointer per bad field",
        429: "too many events in flight on the case, or too many failed authentications",
        503: "Temporal unreachable",
    }
    return {
        status: {
            "description": descriptions[status],
            "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
