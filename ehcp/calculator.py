"""Every deadline that follows from a few dates: the engine behind `starter.py deadlines`.

No server, no case history: it answers "if the decision was sent on this day, when is
everything due?" for caseworkers, families and advisers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ehcp import later_clocks, timescales
from ehcp.calendar import WorkingDayCalendar
from ehcp.deadline import DeadlineSpec
from ehcp.orders import ALLOWED_ORDERS, MAX_ORDERS, MAX_RECOMMENDATIONS, order_problem
from ehcp.vocabulary import DecisionType, OrderType, Party


class CalculatorInputError(ValueError):
    """Inputs that cannot go together; `argument` names the offending one (e.g. "orders")
    and `allowed` says what would be accepted."""

    def __init__(self, argument: str, message: str, allowed: str) -> None:
        super().__init__(f"{argument}: {message} (allowed: {allowed})")
        self.argument = argument
        self.message = message
        self.allowed = allowed


def calculate(
    decision_date: date,
    *,
    decision_type: DecisionType | None = None,
    certificate_date: date | None = None,
    appeal_registered_date: date | None = None,
    tribunal_decision_date: date | None = None,
    orders: Sequence[OrderType] = (),
    recommendations: int = 0,
    concession_date: date | None = None,
    response_sent_date: date | None = None,
    consent_order_date: date | None = None,
    written_reasons_date: date | None = None,
    cal: WorkingDayCalendar,
) -> list[DeadlineSpec]:
    """The deadlines that follow from the dates given, soonest first.

    `orders` belong to whichever ends the appeal: the tribunal's decision, a concession
    before the council's response (`concession_date`: SEND Regs reg 45) or a consent order
    after it (`consent_order_date`: HESC Rules r.29, reg 44 limits). With a tribunal decision
    date, both parties' last days to challenge it are shown (r.45, r.46; `written_reasons_date`
    when reasons came later). Raises CalculatorInputError for inputs that cannot go together.
    """
    _check(
        decision_date,
        decision_type,
        certificate_date,
        appeal_registered_date,
        tribunal_decision_date,
        orders,
        recommendations,
    )
    _check_later(
        decision_date,
        orders,
        tribunal_decision_date,
        concession_date,
        response_sent_date,
        consent_order_date,
        written_reasons_date,
    )
    specs = [
        timescales.mediation_contact(decision_date, cal),
        timescales.appeal(decision_date, certificate_date, cal),
    ]
    if appeal_registered_date is not None:
        specs.append(timescales.appeal_response(appeal_registered_date, cal))
    if concession_date is not None:
        for n, order in enumerate(orders, start=1):
            specs += timescales.order_steps(order, n, concession_date, cal, unopposed=True)
    if consent_order_date is not None:
        specs += later_clocks.consent_order(1, orders, consent_order_date, cal)
    if tribunal_decision_date is not None:
        for n, order in enumerate(orders, start=1):
            specs += timescales.order_steps(order, n, tribunal_decision_date, cal)
        for n in range(1, recommendations + 1):
            specs.append(
                timescales.recommendation_response(tribunal_decision_date, n, Party.health, cal)
            )
        specs += _challenges(tribunal_decision_date, written_reasons_date, cal)
    # Stable sort: same-day deadlines keep the order of the process.
    return sorted(specs, key=lambda s: s.due)


def _challenges(decided: date, reasons: date | None, cal: WorkingDayCalendar) -> list[DeadlineSpec]:
    parties = later_clocks.CHALLENGERS
    if reasons is None or reasons <= decided:
        return later_clocks.challenge_deadlines(decided, parties, cal)
    why = "Counted from the day written reasons were sent."
    return later_clocks.set_aside_application(
        decided, parties, cal
    ) + later_clocks.permission_to_appeal(reasons, parties, cal, why=why)


def _check_later(
    decision_date: date,
    orders: Sequence[OrderType],
    tribunal_decision_date: date | None,
    concession_date: date | None,
    response_sent_date: date | None,
    consent_order_date: date | None,
    written_reasons_date: date | None,
) -> None:
    for argument, later in (
        ("concession_date", concession_date),
        ("response_sent_date", response_sent_date),
        ("consent_order_date", consent_order_date),
        ("written_reasons_date", written_reasons_date),
    ):
        if later is not None and later < decision_date:
            raise CalculatorInputError(
                argument,
                f"{later} is before the decision date {decision_date}",
                f"{decision_date} or later",
            )
    endings = [
        (a, d)
        for a, d in (
            ("tribunal_decision_date", tribunal_decision_date),
            ("concession_date", concession_date),
            ("consent_order_date", consent_order_date),
        )
        if d is not None
    ]
    if orders and not endings:
        raise CalculatorInputError(
            "orders",
            "needs the tribunal decision date, the concession date or the consent order date",
            "only together with one of those dates",
        )
    if len(endings) > 1:
        raise CalculatorInputError(
            endings[1][0],
            f"an appeal ends once; {endings[0][0]} is given too",
            "one of the tribunal decision date, the concession date, the consent order date",
        )
    if written_reasons_date is not None and tribunal_decision_date is None:
        raise CalculatorInputError(
            "written_reasons_date",
            "needs the tribunal decision date",
            "only together with the tribunal decision date",
        )
    if (
        concession_date is not None
        and response_sent_date is not None
        and concession_date > response_sent_date
    ):
        # SEND Regs reg 45(1): only a concession before the response; later, a consent order
        raise CalculatorInputError(
            "concession_date",
            f"{concession_date} is after the council's response ({response_sent_date}); "
            "reg 45 covers only a concession before the response, a later one ends in a "
            "consent order",
            "a date on or before the response date, or the consent order date instead",
        )


def _check(
    decision_date: date,
    decision_type: DecisionType | None,
    certificate_date: date | None,
    appeal_registered_date: date | None,
    tribunal_decision_date: date | None,
    orders: Sequence[OrderType],
    recommendations: int,
) -> None:
    for argument, later in (
        ("certificate_date", certificate_date),
        ("appeal_registered_date", appeal_registered_date),
        ("tribunal_decision_date", tribunal_decision_date),
    ):
        if later is not None and later < decision_date:
            raise CalculatorInputError(
                argument,
                f"{later} is before the decision date {decision_date}",
                f"{decision_date} or later",
            )
    if recommendations < 0:
        raise CalculatorInputError(
            "recommendations", f"must be 0 or more, got {recommendations}", "0, 1, 2, ..."
        )
    if recommendations > MAX_RECOMMENDATIONS:
        raise CalculatorInputError(
            "recommendations",
            f"{recommendations} recommendations",
            f"0 to {MAX_RECOMMENDATIONS}, as in a tribunal_decision event",
        )
    if len(orders) > MAX_ORDERS:
        raise CalculatorInputError(
            "orders", f"{len(orders)} orders", f"at most {MAX_ORDERS}, as in a tribunal_decision"
        )
    # The same rule a case applies to tribunal_decision and appeal_unopposed (ehcp.orders).
    problem = order_problem(decision_type, orders)
    if problem is not None:
        allowed = (
            ", ".join(sorted(ALLOWED_ORDERS[decision_type]))
            if decision_type is not None
            else "orders that fit one decision type"
        )
        raise CalculatorInputError("orders", problem.split("; allowed:")[0], allowed)
    if tribunal_decision_date is None and recommendations:
        raise CalculatorInputError(
            "recommendations",
            "needs the tribunal decision date",
            "only together with the tribunal decision date",
        )
    if recommendations and decision_type is DecisionType.refusal_to_assess:
        # statutory-timescales.md section 4: only on appeals about the education parts of a plan
        raise CalculatorInputError(
            "recommendations",
            "the tribunal cannot make health or social care recommendations on an appeal "
            "against a refusal to assess",
            "0 for refusal_to_assess",
        )
