"""The public deadline calculator: no sign-in, no case; the law is in ehcp.calculator."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.settings import Settings
from ehcp.vocabulary import DecisionType
from web.forms import FormErrors, date_items, read_date
from web.templating import render
from web.words import DECISION_TYPES, PARTY

router = APIRouter()


@router.get("/deadline-calculator", name="calculator", include_in_schema=False)
async def calculator(request: Request) -> Response:
    form = request.query_params
    errors = FormErrors()
    deadlines = None
    decision_type = form.get("decision-type") or None
    if decision_type is not None and decision_type not in DecisionType.__members__:
        errors.add("decision-type", "Select the kind of decision from the list")
    if "decision-date-day" in form:
        decided = read_date(form, "decision-date", "the date of the decision letter", errors)
        certified = read_date(
            form, "certificate-date", "the date of the mediation certificate", errors, False
        )
        if decided and decided > date(9000, 1, 1):
            errors.add("decision-date-year", "Date of the decision letter must be a real date")
        if not errors and decided:
            try:
                deadlines = calculate(
                    decided,
                    decision_type=DecisionType(decision_type) if decision_type else None,
                    certificate_date=certified,
                    cal=WorkingDayCalendar.from_settings(Settings()),
                )
            except CalculatorInputError as error:
                field = {"certificate_date": "certificate-date-day"}.get(
                    error.argument, "decision-date-day"
                )
                errors.add(
                    field,
                    "The date of the mediation certificate must be on or after "
                    "the date of the decision letter",
                )  # the only pair the form can clash
    return render(
        request,
        "calculator.html",
        {
            "form": form,
            "errors": errors,
            "deadlines": deadlines,
            "party": PARTY,
            "decision_types": DECISION_TYPES,
            "decision_items": date_items(form, "decision-date", errors),
            "certificate_items": date_items(form, "certificate-date", errors),
        },
        status=400 if errors else 200,
    )
