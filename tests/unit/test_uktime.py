"""Europe/London without tz data (ehcp/uktime.py), checked against zoneinfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehcp.uktime import london_date, london_offset, london_to_utc

LONDON = ZoneInfo("Europe/London")
FAST = settings(max_examples=300, deadline=None)
INSTANTS = st.datetimes(
    min_value=datetime(1996, 1, 1), max_value=datetime(2099, 12, 31, 23, 59), timezones=st.just(UTC)
)
DATES = st.dates(min_value=date(1996, 1, 1), max_value=date(2099, 12, 31))


def test_summer_and_winter_offsets() -> None:
    assert london_offset(datetime(2026, 7, 1, 12, tzinfo=UTC)) == timedelta(hours=1)
    assert london_offset(datetime(2026, 1, 15, 12, tzinfo=UTC)) == timedelta(0)


def test_changes_happen_at_one_am_utc_on_the_last_sundays() -> None:
    # 2026: BST from Sun 29 March 01:00 UTC to Sun 25 October 01:00 UTC
    assert london_offset(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == timedelta(0)
    assert london_offset(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == timedelta(hours=1)
    assert london_offset(datetime(2026, 10, 25, 0, 59, tzinfo=UTC)) == timedelta(hours=1)
    assert london_offset(datetime(2026, 10, 25, 1, 0, tzinfo=UTC)) == timedelta(0)


def test_reminder_hour_in_summer_and_winter() -> None:
    assert london_to_utc(date(2026, 7, 1), 9) == datetime(2026, 7, 1, 8, tzinfo=UTC)
    assert london_to_utc(date(2027, 1, 8), 9, 30) == datetime(2027, 1, 8, 9, 30, tzinfo=UTC)


def test_nonexistent_hour_reads_with_winter_offset() -> None:
    # 01:30 on 29 March 2026 never shows on London clocks: it is 01:30 UTC (02:30 BST)
    assert london_to_utc(date(2026, 3, 29), 1, 30) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_repeated_hour_takes_the_first_occurrence() -> None:
    # 01:30 on 25 October 2026 happens twice; the first is BST, 00:30 UTC
    assert london_to_utc(date(2026, 10, 25), 1, 30) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_london_date_near_midnight() -> None:
    assert london_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert london_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)
    # any aware datetime is accepted: 01:00 in UTC+2 is 23:00 UTC the day before, 00:00 BST
    plus_two = timezone(timedelta(hours=2))
    assert london_date(datetime(2026, 7, 2, 1, 0, tzinfo=plus_two)) == date(2026, 7, 2)


def test_naive_datetimes_and_years_before_the_rule_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        london_offset(datetime(2026, 7, 1, 12))
    with pytest.raises(ValueError, match="implemented from"):
        london_offset(datetime(1995, 7, 1, 12, tzinfo=UTC))
    # the tail of 1995 (GMT until the 1996 rule starts) is fine
    assert london_to_utc(date(1996, 1, 1), 0) == datetime(1996, 1, 1, tzinfo=UTC)


@FAST
@given(INSTANTS)
def test_offset_and_date_match_zoneinfo(instant: datetime) -> None:
    local = instant.astimezone(LONDON)
    assert london_offset(instant) == local.utcoffset()
    assert london_date(instant) == local.date()


@FAST
@given(DATES, st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_london_to_utc_matches_zoneinfo_fold_0(d: date, hour: int, minute: int) -> None:
    wall = datetime(d.year, d.month, d.day, hour, minute, tzinfo=LONDON)  # fold=0
    assert london_to_utc(d, hour, minute) == wall.astimezone(UTC)


@FAST
@given(DATES, st.sampled_from([1, 2]))
def test_london_to_utc_matches_zoneinfo_on_change_days(d: date, hour: int) -> None:
    # Focus on the two changeover Sundays, where the interesting hours are.
    for month in (3, 10):
        last = date(d.year, month, 31)
        sunday = last - timedelta(days=(last.weekday() + 1) % 7)
        for minute in (0, 30, 59):
            wall = datetime(sunday.year, month, sunday.day, hour, minute, tzinfo=LONDON)
            assert london_to_utc(sunday, hour, minute) == wall.astimezone(UTC)
            assert london_to_utc(sunday, hour - 1, minute) == (
                datetime(sunday.year, month, sunday.day, hour - 1, minute, tzinfo=LONDON)
            ).astimezone(UTC)


@FAST
@given(DATES, st.integers(min_value=6, max_value=20))
def test_reminder_hours_round_trip(d: date, hour: int) -> None:
    instant = london_to_utc(d, hour)
    assert london_date(instant) == d
    assert (instant + london_offset(instant)).hour == hour
