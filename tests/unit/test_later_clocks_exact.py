"""The mediation date notice at its exact edge (ehcp/later_clocks.py; issue 19): booked
exactly 5 working days before the mediation there is no shorter-notice note; a day later
the note is asserted whole."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp import later_clocks as lc
from ehcp.calendar import WorkingDayCalendar

CAL = WorkingDayCalendar()
MEDIATION = date(2026, 12, 14)  # a Monday; 5 working days before is Monday 7 December


@pytest.mark.parametrize("booked", [date(2026, 12, 4), date(2026, 12, 7)])
def test_booked_at_least_5_working_days_before_needs_no_agreement(booked: date) -> None:
    spec = lc.mediation_date_notice(booked, MEDIATION, CAL)
    assert (spec.due, spec.note) == (date(2026, 12, 7), None)


def test_booked_4_working_days_before_the_family_must_agree() -> None:
    spec = lc.mediation_date_notice(date(2026, 12, 8), MEDIATION, CAL)
    assert spec.due == date(2026, 12, 8)
    assert spec.note == (
        "The mediation on 14 December 2026 is less than 5 working days after it was booked: "
        "the family must agree to the shorter notice."
    )
