"""Start a case: the decision letter and the people, a check-your-answers step, then the case
operation (service.operations.Cases.start) with the signed-in person's council."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.callers import Permission
from service.errors import BadInput, Conflict
from service.inputs import check_case
from web import deps
from web.cases import StaffDep
from web.forms import FormErrors, date_items, read_date
from web.templating import render
from web.words import DECISION_TYPES

router = APIRouter()
TEXT_FIELDS = {
    "case_ref": "case reference",
    "parent-name": "parent's or young person's name",
    "parent-email": "parent's or young person's email address",
    "caseworker-name": "caseworker's name",
    "caseworker-email": "caseworker's email address",
}
#: the form's fields, top to bottom: the error summary lists errors in this order
FIELD_ORDER = [
    "case_ref", "decision_type", "decision_date-day", "decision_date-month", "decision_date-year",
    "parent-name", "parent-email", "caseworker-name", "caseworker-email",
]  # fmt: skip
#: JSON pointer of the operations layer -> the form's field id
POINTER_FIELDS = {
    "case_ref": "case_ref",
    "decision_type": "decision_type",
    "decision_date": "decision_date-day",
    "parent": "parent-name",
    "caseworker": "caseworker-name",
}


def _read(form: Any, errors: FormErrors, today: date) -> dict[str, Any]:
    values = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    values["case_ref"] = values["case_ref"].upper()
    for name, label in TEXT_FIELDS.items():
        if not values[name]:
            errors.add(name, f"Enter the {label}")
    decision_type = str(form.get("decision_type", ""))
    if decision_type not in DECISION_TYPES:
        errors.add("decision_type", "Select what the decision was about")
    decided = read_date(form, "decision_date", "the date the decision letter was sent", errors)
    if decided is not None and decided > today:
        # GOV.UK's pattern for a date that must be in the past
        errors.add("decision_date-day", "The date the decision letter was sent must be today "
                   "or in the past")  # fmt: skip
    return {
        "case_ref": values["case_ref"],
        "decision_type": decision_type,
        "decision_date": decided.isoformat() if decided else None,
        "parent": {"name": values["parent-name"], "email": values["parent-email"]},
        "caseworker": {"name": values["caseworker-name"], "email": values["caseworker-email"]},
    }


def _form(request: Request, form: Any, errors: FormErrors, code: int, focus: str = "") -> Response:
    items = date_items(form, "decision_date", errors)
    if focus == "decision_date-day":
        items[0]["attributes"] = {"autofocus": "autofocus"}
    return render(
        request,
        "start_form.html",
        {
            "title": "Start a case",
            "active": "start",
            "form": form,
            "errors": errors,
            "decision_types": DECISION_TYPES,
            "date_items": items,
            # a Change button's field: the page loads with it focused (no script)
            "focus": {focus: {"autofocus": "autofocus"}} if focus else {},
        },
        status=code,
    )


def _council_not_configured(request: Request, staff: Any) -> Response | None:
    """403 before any form when the person's sign-in maps to a council this service does not
    run (a typo in the group mapping, or a council not yet configured): said at once, not
    after the whole form is filled in. None when the council is configured."""
    councils = request.app.state.councils
    if staff.council in councils:
        return None
    return render(
        request,
        "start_not_configured.html",
        {
            "title": "You cannot start a case",
            "active": "start",
            "council": staff.council,
            "allowed": sorted(councils),
        },
        status=403,
    )


@router.get("/cases/new", name="start_case", include_in_schema=False)
async def start_form(request: Request, staff: StaffDep) -> Response:
    """The empty form, the caseworker filled in with the signed-in person."""
    deps.caller(staff).require(Permission.start)
    if (refused := _council_not_configured(request, staff)) is not None:
        return refused
    defaults = {"caseworker-name": staff.name, "caseworker-email": staff.email}
    return _form(request, defaults, FormErrors(), 200)


@router.post("/cases/new", include_in_schema=False)
async def start_post(request: Request, staff: StaffDep) -> Response:
    """step=check, change or confirm, as for recording an event."""
    who = deps.caller(staff)
    who.require(Permission.start)
    if (refused := _council_not_configured(request, staff)) is not None:
        return refused
    form = await request.form()
    step = form.get("step")
    if step and step.startswith("change"):
        return _form(request, form, FormErrors(), 200, step.partition(":")[2])
    errors = FormErrors()
    data = _read(form, errors, deps.today())
    case = None
    try:
        # the case's own rules (the reference's form, an email address) are checked even when
        # the form's checks found something: every error at once, not in two rounds; a field
        # that already has an error keeps that one
        councils = request.app.state.councils
        case = check_case(data, deps.today(), council=staff.council, councils=councils)
    except BadInput as error:
        for item in error.errors:
            parts = item.pointer.lstrip("/").split("/")
            target = POINTER_FIELDS.get(parts[0], "case_ref")
            if parts[0] in ("parent", "caseworker") and parts[1:2] == ["email"]:
                target = f"{parts[0]}-email"
            if target == "decision_date-day" and any(
                f.startswith("decision_date-") for f in errors.by_field
            ):
                continue
            errors.add(target, item.message[:1].upper() + item.message[1:])
    if errors or case is None:
        return _form(request, form, errors.ordered(FIELD_ORDER), 400)
    answers = [(k, v) for k, v in form.multi_items() if k not in ("csrftoken", "step")]
    if step != "confirm":
        return render(
            request,
            "start_check.html",
            {
                "title": "Check the case before starting it",
                "active": "start",
                "case": case,
                "decision_types": DECISION_TYPES,
                "answers": answers,
            },
        )
    try:
        await (await deps.cases(request)).start(who, case)
    except Conflict as refusal:
        errors.add("case_ref", refusal.message[:1].upper() + refusal.message[1:])
        return _form(request, form, errors, 409)
    return render(
        request, "start_done.html", {"title": "Case started", "active": "start", "case": case}
    )
