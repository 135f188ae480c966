"""Dates written out in full, GOV.UK style ("Friday 8 January 2027"), for people and emails."""

from __future__ import annotations

from datetime import date

# Spelled out rather than strftime("%A"), which follows the process locale.
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_long_date(d: date) -> str:
    """'Friday 8 January 2027': weekday, day without a leading zero, month, year."""
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def format_day_month_year(d: date) -> str:
    """'8 January 2027': the same without the weekday, for running text."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
