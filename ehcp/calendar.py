"""Working days in England and Wales, and the plain date arithmetic the statutory clocks use.

"Working day" in the HESC Rules (r.1) and the SEND Regs (reg 2) means any day except a Saturday,
a Sunday, Christmas Day, Good Friday or a bank holiday in England and Wales.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from ehcp.settings import Settings

#: name shown for a non-working day that comes from configuration, not the holidays package
EXTRA_DAY_NAME = "Extra bank holiday (configured)"

_ONE_DAY = timedelta(days=1)


class WorkingDayCalendar:
    """Bank holidays of England (holidays package, subdivision ENG) plus configured extra days.

    The package covers Christmas Day, Good Friday, every bank holiday, substitute days
    ("observed") and one-off proclaimed days. `extra_days` covers days proclaimed after the
    package was released.
    """

    def __init__(self, extra_days: Iterable[date] = ()) -> None:
        self._holidays = holidays.country_holidays("GB", subdiv="ENG")
        self._extra = frozenset(extra_days)
        # Deadline searches ask about the same few dates over and over.
        self._names: dict[date, str | None] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkingDayCalendar:
        return cls(settings.extra_bank_holidays)

    def holiday_name(self, d: date) -> str | None:
        """The holiday's name when `d` is a bank holiday (or a configured extra day)."""
        if d not in self._names:
            self._names[d] = EXTRA_DAY_NAME if d in self._extra else self._holidays.get(d)
        return self._names[d]

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and self.holiday_name(d) is None

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def on_or_after(self, d: date) -> date:
        """`d` itself if it is a working day, else the next working day."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, d: date, n: int, skip: Callable[[date], bool] | None = None) -> date:
        """The nth working day after `d` (the trigger day is not counted; n=0 gives `d`).

        `skip` marks further days that do not count, e.g. r.12(3)(b)'s Christmas and August.
        """
        if n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        while n:
            d = self.next_working_day(d)
            if skip is None or not skip(d):
                n -= 1
        return d


def add_days(d: date, n: int) -> date:
    return d + timedelta(days=n)


def add_weeks(d: date, n: int) -> date:
    return d + timedelta(weeks=n)


def add_months(d: date, n: int) -> date:
    """Same day of the month n months on, clamped to the month's last day.

    31 December + 2 months is 28 February (29 in a leap year); the trigger day is not counted.
    """
    months = d.year * 12 + d.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    last = _stdcal.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def days_beginning_with(d: date, n: int) -> date:
    """Last day of "n days beginning with d": the first day counts, so d + n - 1."""
    if n < 1:
        raise ValueError(f"n must be 1 or more, got {n}")
    return d + timedelta(days=n - 1)


def in_christmas_or_august(d: date) -> bool:
    """25 December to 1 January inclusive, or any day in August (HESC Rules r.12(3))."""
    return d.month == 8 or (d.month == 12 and d.day >= 25) or (d.month == 1 and d.day == 1)
