"""The deadline calculator as an operation: no case, no server (ehcp.calculator does the law)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.deadline import DeadlineSpec
from ehcp.models import SEND_FRAMEWORK_START
from ehcp.orders import MAX_ORDERS, MAX_RECOMMENDATIONS
from ehcp.settings import Settings
from ehcp.vocabulary import DecisionType, OrderType
from service.errors import BadInput

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    # pydantic would also read 0 or "1700000000" as a date (a Unix time): people mean a day
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError(f"not a date: {value[:30]!r} (allowed: YYYY-MM-DD, e.g. 2026-10-01)")
    if not isinstance(value, str | date):
        raise ValueError("not a date (allowed: YYYY-MM-DD, e.g. 2026-10-01)")
    return value


def _in_framework(value: date) -> date:
    if value < SEND_FRAMEWORK_START:
        raise ValueError(
            f"{value} is before {SEND_FRAMEWORK_START}, when the EHC plan appeal framework of "
            "the Children and Families Act 2014 began"
        )
    return value


#: a UK date written YYYY-MM-DD, on or after the SEND framework began (1 September 2014)
IsoDate = Annotated[date, BeforeValidator(_iso_only), AfterValidator(_in_framework)]


class DeadlinesRequest(BaseModel):
    """The dates known so far; every deadline that follows from them is worked out.
    Dates are UK dates."""

    model_config = ConfigDict(extra="forbid")

    decision_date: IsoDate = Field(description="date the council sent its decision letter")
    decision_type: DecisionType | None = None
    certificate_date: IsoDate | None = Field(default=None, description="mediation certificate")
    appeal_registered_date: IsoDate | None = Field(
        default=None, description="date the tribunal sent the appeal to the council"
    )
    tribunal_decision_date: IsoDate | None = Field(
        default=None, description="orders and recommendations run from it"
    )
    orders: list[OrderType] = Field(default_factory=list, max_length=MAX_ORDERS)
    recommendations: int = Field(default=0, ge=0, le=MAX_RECOMMENDATIONS)
    concession_date: IsoDate | None = Field(
        default=None,
        description="the council told the tribunal it would not oppose the appeal, before its "
        "response (SEND Regs reg 45): the order limits run from it",
    )
    response_sent_date: IsoDate | None = Field(
        default=None,
        description="the council sent its response (a concession after it is a consent order)",
    )
    consent_order_date: IsoDate | None = Field(
        default=None,
        description="the tribunal's consent order after a late concession (HESC Rules r.29): "
        "the order limits run from it",
    )
    written_reasons_date: IsoDate | None = Field(
        default=None,
        description="the tribunal sent written reasons, when later than its decision "
        "(permission to appeal runs from it, r.46)",
    )


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
            concession_date=request.concession_date,
            response_sent_date=request.response_sent_date,
            consent_order_date=request.consent_order_date,
            written_reasons_date=request.written_reasons_date,
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
