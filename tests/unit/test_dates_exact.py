"""Working days, London time and the calculator's input checks, asserted whole (issue 19).

Complements test_calendar.py, test_uktime.py and test_calculator_cli.py with the exact
messages, boundaries and machine-independence a mutation run showed unguarded.
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest

from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar, days_beginning_with
from ehcp.uktime import VALID_FROM, london_date, london_offset, london_to_utc
from ehcp.vocabulary import DecisionType, OrderType

CAL = WorkingDayCalendar()
DECISION = date(2026, 10, 1)


# ----- calendar


def test_days_beginning_with_refuses_zero_days_with_the_whole_message() -> None:
    with pytest.raises(ValueError) as raised:
        days_beginning_with(DECISION, 0)
    assert str(raised.value) == "n must be 1 or more, got 0"
    assert days_beginning_with(DECISION, 1) == DECISION


# ----- London time


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset: as ambiguous as a naive datetime."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 7, 1, 12), datetime(2026, 7, 1, 12, tzinfo=_NoOffset())],
    ids=["naive", "tzinfo-without-offset"],
)
def test_an_instant_without_an_offset_is_refused_with_the_whole_message(
    moment: datetime,
) -> None:
    with pytest.raises(ValueError) as raised:
        london_offset(moment)
    assert str(raised.value) == "a timezone-aware datetime is needed; naive ones are ambiguous"


def test_the_first_instant_of_the_rule_is_accepted_and_the_one_before_refused() -> None:
    assert london_offset(VALID_FROM) == timedelta(0)
    with pytest.raises(ValueError) as raised:
        london_offset(VALID_FROM - timedelta(microseconds=1))
    assert str(raised.value) == (
        "UK summer time rule is implemented from 1995-10-22 01:00:00+00:00, "
        "got 1995-10-22 00:59:59.999999+00:00"
    )


def test_london_to_utc_keeps_the_seconds() -> None:
    assert london_to_utc(date(2026, 7, 1), 9, 5, 30) == datetime(2026, 7, 1, 8, 5, 30, tzinfo=UTC)
    assert london_to_utc(date(2026, 12, 1), 9, 5, 30) == datetime(2026, 12, 1, 9, 5, 30, tzinfo=UTC)


@pytest.fixture
def new_york_machine() -> Iterator[None]:
    """The process's local timezone set to New York (UTC-4 in July), then put back."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "EST+5EDT,M3.2.0/2,M11.1.0/2"  # POSIX rule: needs no tz database
    _time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        _time.tzset()


@pytest.mark.usefixtures("new_york_machine")
def test_london_dates_do_not_depend_on_the_machines_timezone() -> None:
    # 02:00 UTC on 1 July is 03:00 BST on 1 July in London (and 22:00 on 30 June in New York)
    assert london_date(datetime(2026, 7, 1, 2, tzinfo=UTC)) == date(2026, 7, 1)
    plus_five = timezone(timedelta(hours=5))
    assert london_date(datetime(2026, 7, 1, 6, tzinfo=plus_five)) == date(2026, 7, 1)


# ----- calculator input checks


def refused(**kwargs: object) -> CalculatorInputError:
    with pytest.raises(CalculatorInputError) as raised:
        calculate(DECISION, cal=CAL, **kwargs)  # type: ignore[arg-type]
    return raised.value


def parts(error: CalculatorInputError) -> tuple[str, str, str, str]:
    return error.argument, error.message, error.allowed, str(error)


@pytest.mark.parametrize(
    "argument", ["certificate_date", "appeal_registered_date", "tribunal_decision_date"]
)
def test_a_date_before_the_decision_is_refused_and_the_same_day_accepted(argument: str) -> None:
    error = refused(**{argument: date(2026, 9, 30)})
    assert parts(error) == (
        argument,
        "2026-09-30 is before the decision date 2026-10-01",
        "2026-10-01 or later",
        f"{argument}: 2026-09-30 is before the decision date 2026-10-01 "
        "(allowed: 2026-10-01 or later)",
    )
    assert calculate(DECISION, cal=CAL, **{argument: DECISION})  # type: ignore[arg-type]


def test_negative_recommendations_are_refused() -> None:
    assert parts(refused(recommendations=-1)) == (
        "recommendations",
        "must be 0 or more, got -1",
        "0, 1, 2, ...",
        "recommendations: must be 0 or more, got -1 (allowed: 0, 1, 2, ...)",
    )


def test_orders_need_a_date_that_ends_the_appeal() -> None:
    # Orders follow a tribunal decision, a reg 45 concession or an r.29 consent order.
    message = "needs the tribunal decision date, the concession date or the consent order date"
    assert parts(refused(orders=[OrderType.make_plan])) == (
        "orders",
        message,
        "only together with one of those dates",
        f"orders: {message} (allowed: only together with one of those dates)",
    )


def test_recommendations_need_the_tribunal_decision_date() -> None:
    assert parts(refused(recommendations=1)) == (
        "recommendations",
        "needs the tribunal decision date",
        "only together with the tribunal decision date",
        "recommendations: needs the tribunal decision date "
        "(allowed: only together with the tribunal decision date)",
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("tribunal_decision_date", "concession_date"),
        ("tribunal_decision_date", "consent_order_date"),
        ("concession_date", "consent_order_date"),
    ],
)
def test_an_appeal_ends_once(first: str, second: str) -> None:
    error = refused(**{first: date(2026, 12, 1), second: date(2026, 12, 2)})
    allowed = "one of the tribunal decision date, the concession date, the consent order date"
    assert parts(error) == (
        second,
        f"an appeal ends once; {first} is given too",
        allowed,
        f"{second}: an appeal ends once; {first} is given too (allowed: {allowed})",
    )


def test_no_recommendations_on_a_refusal_to_assess() -> None:
    error = refused(
        decision_type=DecisionType.refusal_to_assess,
        tribunal_decision_date=date(2027, 3, 1),
        recommendations=1,
    )
    message = (
        "the tribunal cannot make health or social care recommendations on an appeal "
        "against a refusal to assess"
    )
    assert parts(error) == (
        "recommendations",
        message,
        "0 for refusal_to_assess",
        f"recommendations: {message} (allowed: 0 for refusal_to_assess)",
    )
