"""Europe/London time without tz data, so workflow code converts the same way on every replay.

The UK rule since 1996: British Summer Time (UTC+1) runs from 01:00 UTC on the last Sunday of
March to 01:00 UTC on the last Sunday of October; the rest of the year is GMT (UTC+0). Later
years assume the rule does not change, as the tz database does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

FIRST_YEAR = 1996  # the end-of-October rule dates from 1996
#: BST 1995 ended here; from then on it is GMT until the 1996 rule's first summer time
VALID_FROM = datetime(1995, 10, 22, 1, tzinfo=UTC)

_GMT = timedelta(0)
_BST = timedelta(hours=1)


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)  # March and October only: no overflow
    return last - timedelta(days=(last.weekday() + 1) % 7)


@lru_cache(maxsize=64)  # pure; asked for every reminder time the workflow works out
def _summer_time(year: int) -> tuple[datetime, datetime]:
    """The UTC instants at which BST starts and ends in `year`."""
    start = datetime.combine(_last_sunday(year, 3), time(1), UTC)
    end = datetime.combine(_last_sunday(year, 10), time(1), UTC)
    return start, end


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is needed; naive ones are ambiguous")
    return dt.astimezone(UTC)


def london_offset(utc_dt: datetime) -> timedelta:
    """London's offset from UTC at the instant `utc_dt` (any aware datetime)."""
    instant = _as_utc(utc_dt)
    if instant < VALID_FROM:
        raise ValueError(f"UK summer time rule is implemented from {VALID_FROM}, got {instant}")
    if instant.year < FIRST_YEAR:
        return _GMT
    start, end = _summer_time(instant.year)
    return _BST if start <= instant < end else _GMT


def london_date(utc_dt: datetime) -> date:
    """The calendar date in London at the instant `utc_dt`."""
    instant = _as_utc(utc_dt)
    return (instant + london_offset(instant)).date()


@lru_cache(maxsize=4096)  # pure: each wake-up asks it for every reminder of every deadline
def london_to_utc(d: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """The UTC instant of London wall-clock time `hour:minute` on `d`.

    Once a year 01:00-01:59 happens twice (October): we take the first, summer-time one, so a
    reminder is never later than asked. Once a year 01:00-01:59 does not exist (March): we read
    it with the winter offset, which lands an hour later on the clock (01:30 -> 02:30 BST).
    Both match zoneinfo with fold=0.
    """
    wall = datetime.combine(d, time(hour, minute, second), UTC)
    summer = wall - _BST
    if london_offset(summer) == _BST:
        return summer
    return wall
