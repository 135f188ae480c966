"""/api/v1/cases and /api/v1/deadlines: the case operations over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Response, status
from pydantic import Field

from api.auth import Reader, Recorder, Starter
from api.deps import CasesDep, SettingsDep
from api.examples import CASE_EXAMPLE, event_examples
from api.problems import problem_responses
from ehcp.deadline import DeadlineSpec
from ehcp.models import CASE_REF_PATTERN, Case, Event
from ehcp.payloads import CaseStatus, CaseTimeline, EventReceipt
from ehcp.uktime import london_date
from service.deadlines import DeadlinesRequest, deadlines
from service.inputs import check_case, check_event
from service.listing import CaseFilter, scoped_filter
from service.models import CasePage, StartedCase

router = APIRouter(prefix="/api/v1")

EVENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$"
CaseRefPath = Annotated[
    str,
    Path(
        pattern=CASE_REF_PATTERN.pattern,
        max_length=40,
        description="the case reference, e.g. RUT-2026-0042",
        examples=["RUT-2026-0042"],
    ),
]
READ = problem_responses(401, 403, 404, 422, 429, 503)


class ListQuery(CaseFilter):
    """The list's filters, and where the page starts."""

    cursor: str | None = Field(
        default=None, max_length=4000, description="next_cursor of the previous page"
    )
    limit: int = Field(default=100, ge=1, le=1000, description="cases per page")


def _json(body: bytes) -> Response:
    # the workflow's own JSON of its answer (service.operations.Cases.read_json), and the
    # receipt of an event (read once from the workflow's answer), sent as they are: FastAPI
    # would validate them against the response model once more
    return Response(body, media_type="application/json")


def _today():
    return london_date(datetime.now(UTC))


@router.post(
    "/cases",
    status_code=status.HTTP_201_CREATED,
    response_model=StartedCase,
    responses=problem_responses(401, 403, 409, 422, 429, 503),
    summary="Start a case",
    tags=["cases"],
)
async def start_case(
    caller: Starter,
    cases: CasesDep,
    settings: SettingsDep,
    case: Annotated[Case, Body(openapi_examples={"refusal": {"value": CASE_EXAMPLE}})],
    response: Response,
) -> StartedCase:
    """Start a case from the council's decision letter. `council` defaults to the key's
    council (another is refused). A case reference names one disagreement for good: starting
    it again is refused with 409, whatever state the first is in."""
    data = case.model_dump(mode="json", exclude_unset=True)
    checked = check_case(data, _today(), caller.council, settings.councils)
    started = await (await cases.get()).start(caller, checked)
    response.headers["Location"] = f"/api/v1/cases/{started.case_ref}"
    return started


@router.get(
    "/cases",
    response_model=CasePage,
    responses=problem_responses(401, 403, 422, 429, 503),
    summary="List cases",
    tags=["cases"],
)
async def list_cases(
    caller: Reader,
    cases: CasesDep,
    settings: SettingsDep,
    query: Annotated[ListQuery, Query()],
) -> CasePage:
    """Cases of the key's council, filtered (all filters together), overdue cases first
    (longest overdue first), then soonest next deadline, then cases with nothing pending, a
    page at a time; pass `next_cursor` back as `cursor` (with
    the same filters) for the next page. Served from the case records (the list's read
    model), which the workflow updates a moment after each event."""
    flt = CaseFilter(**query.model_dump(exclude={"cursor", "limit"}))
    # the service's council check (Cases.list_cases makes it too), here before Temporal is
    # reached: a refusal needs no server, as at the CLI
    flt = scoped_filter(caller, flt, settings.councils)
    return await (await cases.get()).list_cases(
        caller, flt, page_size=query.limit, cursor=query.cursor
    )


@router.get(
    "/cases/{case_ref}",
    response_model=CaseStatus,
    responses=READ,
    summary="A case's status and deadlines",
    tags=["cases"],
)
async def case_status(caller: Reader, cases: CasesDep, case_ref: CaseRefPath) -> Response:
    """Stage, and every deadline with its due date (UK), who acts, legal basis and status."""
    return _json(await (await cases.get()).read_json(caller, case_ref, "status"))


@router.get(
    "/cases/{case_ref}/timeline",
    response_model=CaseTimeline,
    responses=READ,
    summary="A case's events",
    tags=["cases"],
)
async def case_timeline(caller: Reader, cases: CasesDep, case_ref: CaseRefPath) -> Response:
    """Every accepted event, in order."""
    return _json(await (await cases.get()).read_json(caller, case_ref, "timeline"))


@router.post(
    "/cases/{case_ref}/events",
    response_model=EventReceipt,
    responses=problem_responses(401, 403, 404, 409, 422, 429, 503),
    summary="Record an event",
    tags=["cases"],
)
async def record_event(
    caller: Recorder,
    cases: CasesDep,
    case_ref: CaseRefPath,
    event: Annotated[Event, Body(openapi_examples=event_examples())],
    idempotency_key: Annotated[
        str | None,
        Header(
            pattern=EVENT_ID_PATTERN,
            description="your system's id for this event (the Temporal update id): sending "
            "it again returns the first receipt; the same key with a different event is 409",
        ),
    ] = None,
) -> Response:
    """Record one event. `recorded_by` is the key's name: leave it out (another is refused)."""
    data = {**event.model_dump(mode="json", exclude_unset=True), "kind": event.kind}
    checked = check_event(data, _today(), recorded_by=caller.name)
    receipt = await (await cases.get()).record_event(caller, case_ref, checked, idempotency_key)
    return _json(receipt.model_dump_json().encode())


@router.get(
    "/deadlines",
    response_model=list[DeadlineSpec],
    responses=problem_responses(401, 403, 422, 429),
    summary="Deadline calculator",
    tags=["deadlines"],
)
async def calculate_deadlines(
    caller: Reader, settings: SettingsDep, request: Annotated[DeadlinesRequest, Query()]
) -> list[DeadlineSpec]:
    """Every statutory deadline that follows from the dates given (no case needed), soonest
    first, each with who acts and its legal basis."""
    return deadlines(request, settings)
