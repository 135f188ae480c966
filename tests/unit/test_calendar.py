"""Working days of England and Wales and the plain date arithmetic (ehcp/calendar.py).

Every expected date was checked against a real calendar (weekday noted alongside).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehcp.calendar import (
    EXTRA_DAY_NAME,
    WorkingDayCalendar,
    add_days,
    add_months,
    add_weeks,
    days_beginning_with,
    in_christmas_or_august,
)
from ehcp.settings import Settings

CAL = WorkingDayCalendar()
WIDE = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
FAST = settings(max_examples=200, deadline=None)


# ----- which days are working days


@pytest.mark.parametrize(
    ("day", "name_part"),
    [
        (date(2026, 12, 25), "Christmas Day"),  # Fri
        (date(2026, 12, 28), "Boxing Day (observed)"),  # Mon: 26 Dec is a Saturday
        (date(2027, 12, 27), "Christmas Day (observed)"),  # Mon: 25 Dec 2027 is a Saturday
        (date(2027, 12, 28), "Boxing Day (observed)"),  # Tue
        (date(2028, 1, 3), "New Year's Day (observed)"),  # Mon: 1 Jan 2028 is a Saturday
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2020, 5, 8), "May Day"),  # Fri: moved for VE Day 75
        (date(2022, 9, 19), "State Funeral"),  # Mon: one-off
        (date(2023, 5, 8), "Coronation"),  # Mon: one-off
        (date(2022, 6, 3), "Platinum Jubilee"),  # Fri: one-off
        (date(2026, 8, 31), "Late Summer"),  # Mon
    ],
)
def test_bank_holidays_are_not_working_days(day: date, name_part: str) -> None:
    assert not CAL.is_working_day(day)
    assert name_part in (CAL.holiday_name(day) or "")


@pytest.mark.parametrize(
    "day",
    [
        date(2020, 5, 4),  # Mon: the usual early May date, not a holiday in 2020
        date(2027, 12, 29),  # Wed: after the 2027 substitute days
        date(2022, 12, 28),  # Wed
        date(2026, 12, 24),  # Thu: Christmas Eve is a working day
        date(2026, 12, 31),  # Thu
    ],
)
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    assert CAL.is_working_day(day)
    assert CAL.holiday_name(day) is None


def test_weekends_are_not_working_days_and_have_no_holiday_name() -> None:
    assert not CAL.is_working_day(date(2026, 3, 14))  # Sat
    assert not CAL.is_working_day(date(2026, 3, 15))  # Sun
    assert CAL.holiday_name(date(2026, 3, 14)) is None


def test_christmas_on_a_saturday_still_has_its_name() -> None:
    assert CAL.holiday_name(date(2027, 12, 25)) == "Christmas Day"


def test_extra_configured_days_are_not_working_days() -> None:
    extra = date(2030, 6, 14)  # Fri, an ordinary day in the holidays package
    assert CAL.is_working_day(extra)
    cal = WorkingDayCalendar([extra])
    assert not cal.is_working_day(extra)
    assert cal.holiday_name(extra) == EXTRA_DAY_NAME
    assert cal.next_working_day(date(2030, 6, 13)) == date(2030, 6, 17)  # Thu -> Mon


def test_from_settings_reads_extra_bank_holidays() -> None:
    cal = WorkingDayCalendar.from_settings(Settings(extra_bank_holidays="2030-06-14, 2031-01-02"))
    assert not cal.is_working_day(date(2030, 6, 14))
    assert not cal.is_working_day(date(2031, 1, 2))  # Thu
    assert cal.is_working_day(date(2031, 1, 3))  # Fri


# ----- moving to working days


def test_next_working_day_over_christmas_2026() -> None:
    # Thu 24 Dec -> Fri 25 holiday, weekend, Mon 28 Boxing Day (observed) -> Tue 29 Dec
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_next_working_day_is_strictly_after() -> None:
    assert CAL.next_working_day(date(2026, 3, 16)) == date(2026, 3, 17)  # Mon -> Tue


def test_on_or_after_keeps_working_days_and_moves_others() -> None:
    assert CAL.on_or_after(date(2026, 3, 16)) == date(2026, 3, 16)  # Mon stays
    assert CAL.on_or_after(date(2026, 3, 14)) == date(2026, 3, 16)  # Sat -> Mon
    assert CAL.on_or_after(date(2027, 12, 25)) == date(2027, 12, 29)  # Sat, Sun, 2 subs -> Wed


# ----- adding working days


def test_add_working_days_does_not_count_the_trigger_day() -> None:
    assert CAL.add_working_days(date(2026, 3, 16), 1) == date(2026, 3, 17)  # Mon -> Tue
    assert CAL.add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)  # Fri -> Mon
    assert CAL.add_working_days(date(2026, 3, 16), 0) == date(2026, 3, 16)


def test_add_working_days_over_easter() -> None:
    # Thu 2 Apr 2026; Good Friday 3 and Easter Monday 6 do not count -> Tue 7, Wed 8, Thu 9
    assert CAL.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert CAL.add_working_days(date(2026, 4, 2), 3) == date(2026, 4, 9)


def test_three_working_days_over_christmas_with_substitute_days() -> None:
    # Fri 24 Dec 2027: Sat 25, Sun 26, Mon 27 and Tue 28 (substitutes) skipped -> Wed 29 (1),
    # Thu 30 (2), Fri 31 (3)
    assert CAL.add_working_days(date(2027, 12, 24), 3) == date(2027, 12, 31)


def test_skip_leaves_out_further_days() -> None:
    # Wed 23 Dec 2026 + 3 working days, not counting 25 Dec - 1 Jan:
    # Thu 24 (1), [29, 30, 31 skipped], Mon 4 Jan (2), Tue 5 Jan (3)
    got = CAL.add_working_days(date(2026, 12, 23), 3, skip=in_christmas_or_august)
    assert got == date(2027, 1, 5)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        CAL.add_working_days(date(2026, 1, 1), -1)


# ----- months, weeks, days


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 31), 2, date(2027, 2, 28)),  # non-leap: clamped
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 10, 1), 2, date(2026, 12, 1)),
        (date(2026, 11, 29), 1, date(2026, 12, 29)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),  # over the year end
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2100, 1, 31), 1, date(2100, 2, 28)),  # 2100 is not a leap year
    ],
)
def test_add_months(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


def test_weeks_and_days_are_calendar_days() -> None:
    assert add_weeks(date(2026, 12, 18), 2) == date(2027, 1, 1)  # lands on a holiday: kept
    assert add_days(date(2026, 12, 10), 30) == date(2027, 1, 9)
    assert days_beginning_with(date(2026, 10, 1), 15) == date(2026, 10, 15)
    assert days_beginning_with(date(2026, 10, 1), 1) == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 24), False),
        (date(2026, 12, 25), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), True),
        (date(2027, 1, 2), False),
        (date(2027, 7, 31), False),
        (date(2027, 8, 1), True),
        (date(2027, 8, 31), True),
        (date(2027, 9, 1), False),
    ],
)
def test_in_christmas_or_august(day: date, expected: bool) -> None:
    assert in_christmas_or_august(day) is expected


# ----- properties over wide date ranges


@FAST
@given(WIDE)
def test_next_working_day_and_on_or_after_give_working_days(d: date) -> None:
    nxt = CAL.next_working_day(d)
    assert nxt > d
    assert CAL.is_working_day(nxt)
    # nothing in between was a working day
    assert not any(CAL.is_working_day(d + timedelta(days=i)) for i in range(1, (nxt - d).days))
    assert CAL.is_working_day(CAL.on_or_after(d))
    assert CAL.on_or_after(d) >= d


@FAST
@given(WIDE, st.integers(min_value=1, max_value=60), st.booleans())
def test_add_working_days_counts_exactly_n_working_days(d: date, n: int, skipping: bool) -> None:
    skip = in_christmas_or_august if skipping else None
    got = CAL.add_working_days(d, n, skip=skip)
    assert CAL.is_working_day(got)
    days = [d + timedelta(days=i) for i in range(1, (got - d).days + 1)]
    counted = [x for x in days if CAL.is_working_day(x) and not (skip and skip(x))]
    assert len(counted) == n
    assert counted[-1] == got


@FAST
@given(WIDE, st.integers(min_value=0, max_value=60))
def test_add_working_days_is_strictly_increasing_in_n(d: date, n: int) -> None:
    assert CAL.add_working_days(d, n + 1) > CAL.add_working_days(d, n)
    skipped = [CAL.add_working_days(d, k, skip=in_christmas_or_august) for k in (n, n + 1)]
    assert skipped[1] > skipped[0]


@FAST
@given(WIDE, st.integers(min_value=-24, max_value=24))
def test_add_months_never_fails_and_lands_in_the_right_month(d: date, n: int) -> None:
    got = add_months(d, n)
    assert (got.year * 12 + got.month) - (d.year * 12 + d.month) == n
    assert got.day == d.day or (got.day < d.day and (got + timedelta(days=1)).day == 1)


@FAST
@given(WIDE, st.integers(min_value=0, max_value=40))
def test_results_are_deterministic_across_calendars(d: date, n: int) -> None:
    other = WorkingDayCalendar()
    assert other.add_working_days(d, n) == CAL.add_working_days(d, n)
    assert other.next_working_day(d) == CAL.next_working_day(d)
    assert add_months(d, n) == add_months(d, n)
