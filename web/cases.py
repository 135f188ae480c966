"""The Cases page (the council's cases by next deadline) and the Case page."""

from __future__ import annotations

import asyncio
import math
import re
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError

from ehcp.models import CASE_REF_PATTERN, Case
from ehcp.text_fields import EmailAddress
from ehcp.vocabulary import DeadlineStatus, DecisionType, Stage
from service.errors import Unavailable
from service.listing import MAX_DAYS, CaseFilter
from web import deps
from web.auth import Staff, require_staff
from web.eventforms import TITLES
from web.forms import FormErrors
from web.offer import accepted_kinds
from web.templating import render
from web.words import DECISION_TYPES, PARTY, STAGES

router = APIRouter()
PAGE_SIZE = 25
SOON_DAYS = 7
StaffDep = Annotated[Staff, Depends(require_staff)]
CaseRef = Annotated[str, Path(pattern=CASE_REF_PATTERN.pattern, max_length=40)]
#: what the search box takes: part of a case reference
CASE_REF_PART = re.compile(r"[A-Za-z0-9-]{1,40}")


def deadline_tag(due: date | None, overdue: bool, today: date) -> dict[str, str] | None:
    """The list's tag: overdue in red, due within 7 days in yellow."""
    if overdue:
        return {"text": "Overdue", "classes": "govuk-tag--red"}
    if due is not None and due <= today + timedelta(days=SOON_DAYS):
        days = (due - today).days
        text = "Due today" if days <= 0 else f"Due in {days} day{'s' if days != 1 else ''}"
        return {"text": text, "classes": "govuk-tag--yellow"}
    return None


STATUS_TAGS = {
    DeadlineStatus.pending: ("Pending", "govuk-tag--grey"),
    DeadlineStatus.met: ("Met", "govuk-tag--green"),
    DeadlineStatus.missed: ("Missed", "govuk-tag--red"),
    DeadlineStatus.met_late: ("Met late", "govuk-tag--orange"),
    DeadlineStatus.excepted: ("Exception", "govuk-tag--purple"),
    DeadlineStatus.cancelled: ("Cancelled", "govuk-tag--grey"),
}


def status_tag(status: DeadlineStatus, due: date, today: date) -> dict[str, str]:
    """A deadline's tag on the Case page: its status, or "Due soon" within 7 days."""
    if status == DeadlineStatus.pending and due <= today + timedelta(days=SOON_DAYS):
        return {"text": "Due today" if due <= today else "Due soon", "classes": "govuk-tag--yellow"}
    text, classes = STATUS_TAGS[status]
    return {"text": text, "classes": classes}


def _caseworker(shown: dict[str, str], staff: Staff, errors: FormErrors) -> str | None:
    """The caseworker filter: "Assigned to me" (the signed-in person's email) or an address."""
    if shown["mine"] and shown["caseworker"]:
        errors.add("caseworker", "Choose ‘Assigned to me’ or enter an email address, not both")
        return None
    email = staff.email if shown["mine"] else shown["caseworker"]
    if not email:
        return None
    try:
        return TypeAdapter(EmailAddress).validate_python(email)
    except ValidationError:
        field = "mine" if shown["mine"] else "caseworker"
        errors.add(field, "Enter an email address in the correct format, like name@example.com")
        return None


def _filters(
    request: Request, staff: Staff, errors: FormErrors
) -> tuple[CaseFilter, dict[str, str]]:
    q = request.query_params
    names = ("stage", "decision_type", "due_within", "q", "caseworker")
    shown = {k: q.get(k, "").strip() for k in names}
    shown["overdue"] = "true" if q.get("overdue") == "true" else ""
    shown["mine"] = "true" if q.get("mine") == "true" else ""
    flt: dict[str, object] = {}
    if shown["stage"]:
        if shown["stage"] in Stage.__members__:
            flt["stage"] = shown["stage"]
        else:
            errors.add("stage", "Select a stage from the list")
    if shown["decision_type"]:
        if shown["decision_type"] in DecisionType.__members__:
            flt["decision_type"] = shown["decision_type"]
        else:
            errors.add("decision_type", "Select a decision from the list")
    if shown["due_within"]:
        days = shown["due_within"]
        if days.isdigit() and int(days) <= MAX_DAYS:
            flt["due_within"] = int(days)
        else:
            errors.add("due_within", f"Days must be a whole number from 0 to {MAX_DAYS}")
    if shown["overdue"]:
        flt["overdue"] = True
    if caseworker := _caseworker(shown, staff, errors):
        flt["caseworker"] = caseworker
    if shown["q"]:
        if CASE_REF_PART.fullmatch(shown["q"]):
            flt["case_ref"] = shown["q"]
        else:
            errors.add("q", "Enter a case reference, or part of one (letters, digits, hyphens)")
    return CaseFilter(**flt), shown


@router.get("/cases", name="cases", include_in_schema=False)
async def cases_page(request: Request, staff: StaffDep) -> Response:
    """The council's open (or closed) cases, overdue first, then soonest next deadline, 25 a
    page."""
    errors = FormErrors()
    flt, shown = _filters(request, staff, errors)
    closed = request.query_params.get("closed") == "true"
    today = deps.today()
    rows: list = []
    counts: dict[str, int] | None = None  # not counted while the filters are in error
    page, pages = 1, 1
    if not errors:
        # one page from the case records (the list's read model), and the two counts
        ops, who = await deps.cases(request), deps.caller(staff)
        counts = {
            "open": await ops.count_cases(who, flt.model_copy(update={"closed": False})),
            "closed": await ops.count_cases(who, flt.model_copy(update={"closed": True})),
        }
        pages = max(1, math.ceil(counts["closed" if closed else "open"] / PAGE_SIZE))
        page_param = request.query_params.get("page", "1")
        page = int(page_param) if page_param.isdigit() and 1 <= int(page_param) <= pages else 1
        found = await ops.list_cases(
            who, flt.model_copy(update={"closed": closed}), page_size=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )  # fmt: skip
        rows = found.cases
    base = {k: v for k, v in shown.items() if v}
    if closed:
        base["closed"] = "true"

    def link(**extra: object) -> str:
        return "/cases?" + urlencode({**base, **{k: str(v) for k, v in extra.items()}})

    pagination = None
    if pages > 1:
        pagination = {
            "items": [
                {"number": n, "href": link(page=n), "current": n == page}
                for n in range(1, pages + 1)
            ],
            "previous": {"href": link(page=page - 1)} if page > 1 else None,
            "next": {"href": link(page=page + 1)} if page < pages else None,
        }
    open_base = {k: v for k, v in base.items() if k != "closed"}
    return render(
        request,
        "cases.html",
        {
            "title": "Closed cases" if closed else "Cases",
            "active": "cases",
            "errors": errors,
            "shown": shown,
            "closed": closed,
            "counts": counts,
            "rows": [(c, deadline_tag(c.next_deadline, c.overdue, today)) for c in rows],
            "total": counts["closed" if closed else "open"] if counts else 0,
            "first": (page - 1) * PAGE_SIZE + 1,
            "pagination": pagination,
            "open_link": "/cases?" + urlencode(open_base),
            "closed_link": "/cases?" + urlencode({**open_base, "closed": "true"}),
            "stages": STAGES,
            "decision_types": DECISION_TYPES,
        },
        status=400 if errors else 200,
    )


async def _started(ops, who, case_ref: str) -> Case | None:
    """The case's contacts; None from a worker older than the `case` query."""
    try:
        return await ops.case(who, case_ref)
    except Unavailable:
        return None


def _contacts(case: Case | None) -> list[tuple[str, str, str]]:
    """(who, "name, email", the role as `contact_updated` names it) of each contact."""
    if case is None:
        return []
    people = [
        ("Parent or young person", case.parent, "parent"),
        ("Second contact", case.second_contact, "second_contact"),
        ("Caseworker", case.caseworker, "caseworker"),
        ("Health contact", case.health_contact, "health_contact"),
        ("SEND manager", case.send_manager, "send_manager"),
    ]
    return [(role, f"{c.name}, {c.email}", code) for role, c, code in people if c is not None]


@router.get("/cases/{case_ref}", name="case", include_in_schema=False)
async def case_page(request: Request, staff: StaffDep, case_ref: CaseRef) -> Response:
    """One case: summary, contacts, deadlines, failed emails, events it accepts, timeline."""
    ops, who = await deps.cases(request), deps.caller(staff)
    status, timeline, started = await asyncio.gather(
        ops.status(who, case_ref), ops.timeline(who, case_ref), _started(ops, who, case_ref)
    )
    today = deps.today()
    reminders: dict[str, int] = {}
    for notice in status.reminders_sent:
        if notice.deadline_key:
            reminders[notice.deadline_key] = reminders.get(notice.deadline_key, 0) + 1
    can_record = staff.role in ("caseworker", "manager")
    kinds = accepted_kinds(status, timeline, today) if can_record else []
    return render(
        request,
        "case.html",
        {
            "title": f"Case {case_ref}",
            "active": "cases",
            "status": status,
            "contacts": _contacts(started),
            "timeline": list(reversed(timeline.events)),
            "deadlines": sorted(status.deadlines, key=lambda d: (d.due, d.key)),
            "tags": {d.key: status_tag(d.status, d.due, today) for d in status.deadlines},
            "reminders": reminders,
            "kinds": [(k, TITLES[k]) for k in kinds],
            "titles": TITLES,
            "party": PARTY,
            "stages": STAGES,
            "decision_types": DECISION_TYPES,
            "deadline_titles": {d.key: d.title for d in status.deadlines},
        },
    )
