"""The deadline calculator as an operation: no case, no server (ehcp.calculator does the law)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.deadline import DeadlineSpec
from ehcp.settings import Settings
from ehcp.vocabulary import DecisionType, OrderType
from service.errors import BadInput

#: as many as a `tribunal_decision` event takes (ehcp.models.TribunalDecision)
MAX_ORDERS = 10
MAX_RECOMMENDATIONS = 20


class DeadlinesRequest(BaseModel):
    """The dates known so far; every deadline that follows from them is worked out.
    Dates are UK dates."""

    model_config = ConfigDict(extra="forbid")

    decision_date: date = Field(description="date the council sent its decision letter")
    decision_type: DecisionType | None = None
    certificate_date: date | None = Field(default=None, description="mediation certificate")
    appeal_registered_date: date | None = Field(
        default=None, description="date the tribunal sent the appeal to the council"
    )
    tribunal_decision_date: date | None = Field(
        default=None, description="orders and recommendations run from it"
    )
    orders: list[OrderType] = Field(default_factory=list, max_length=MAX_ORDERS)
    recommendations: int = Field(default=0, ge=0, le=MAX_RECOMMENDATIONS)


def deadlines(request: DeadlinesRequest, settings: Settings) -> list[DeadlineSpec]:
    """Every statutory deadline that follows, soonest first, each with its legal basis.
    Raises BadInput naming the argument when the dates cannot go together."""
    cal = WorkingDayCalendar.from_settings(settings)
    try:
        return calculate(
            request.decision_date,
            decision_type=request.decision_type,
            certificate_date=request.certificate_date,
            appeal_registered_date=request.appeal_registered_date,
            tribunal_decision_date=request.tribunal_decision_date,
            orders=request.orders,
            recommendations=request.recommendations,
            cal=cal,
        )
    except CalculatorInputError as err:
        raise BadInput.at(
            f"/{err.argument}", f"{err.message} (allowed: {err.allowed})", err.argument
        ) from None
    except (ValueError, OverflowError) as err:
        # a deadline would fall after 31 December 9999 (the last date Python has)
        raise BadInput.at(
            "/decision_date",
            f"cannot work out deadlines from dates this far ahead ({err}); use realistic dates",
        ) from None
