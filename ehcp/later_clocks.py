"""Clocks of the later routes: a consent order after a late concession, challenging the
tribunal's decision (set aside, permission to appeal), the notice of the mediation date and the
health body's notice of a mediation agreement.

Pure domain code like `ehcp.timescales` (whose RULES table holds these rows too): no I/O, no
Temporal. Dates are UK local dates. The law and what is unconfirmed: docs/law.md and
docs/law-unconfirmed.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from pydantic import BaseModel

from ehcp.calendar import WorkingDayCalendar, in_christmas_or_august
from ehcp.dates_text import format_day_month_year
from ehcp.deadline import DeadlineSpec
from ehcp.timescales import _join, _next_working_day_move, _spec, order_steps, rule
from ehcp.vocabulary import OrderType, Party

#: The parties who may challenge a decision (HESC Rules r.45, r.46: "a party").
CHALLENGERS = (Party.parent, Party.council)
#: Key prefixes of these rights: a right not used is not a missed duty (no escalation, and
#: not "overdue").
RIGHT_KEYS = ("set_aside_application:", "permission_to_appeal:")

_ORDERS_RUN = (
    "The tribunal's orders must still be carried out by their own dates unless the tribunal "
    "suspends its decision."
)


class ChallengeContext(BaseModel):
    """What the planner needs to date a challenge to the case's current tribunal decision."""

    #: date of the decision; taken as the date the tribunal sent notice of it (r.45(2))
    decision_date: date
    #: who is likely to challenge, from the outcome (`parties_for`)
    parties: list[Party]
    #: latest date r.46(2) counts from so far (written reasons, in-time set-aside refused)
    permission_from: date
    #: whether the latest set-aside application was made in time (r.46(3))
    set_aside_in_time: bool = False


def parties_for(outcome: str) -> list[Party]:
    """Whose rights to track: the family when it lost (dismissed) or partly lost; the council
    when the appeal was allowed or partly allowed. The calculator shows both."""
    parties = []
    if outcome in ("dismissed", "partly_allowed"):
        parties.append(Party.parent)
    if outcome in ("allowed", "partly_allowed"):
        parties.append(Party.council)
    return parties


def _days_not_counting_holidays(start: date, n: int) -> tuple[date, int]:
    """`n` days after `start`, not counting 25 Dec-1 Jan or August (r.12(3)(b)); also returns
    how many days were left out."""
    d, left_out = start, 0
    while n:
        d += timedelta(days=1)
        if in_christmas_or_august(d):
            left_out += 1
        else:
            n -= 1
    return d, left_out


def _tribunal_28_days(start: date, cal: WorkingDayCalendar) -> tuple[date, str | None]:
    due, left_out = _days_not_counting_holidays(start, 28)
    note = None
    if left_out:
        note = (
            f"Days from 25 December to 1 January and in August do not count (r.12(3)(b)), so "
            f"{left_out} {'day was' if left_out == 1 else 'days were'} left out."
        )
    due, weekend = _next_working_day_move(due, cal)
    return due, _join(note, weekend)


def _who(party: Party) -> str:
    return "the family" if party is Party.parent else "the council"


def _right(name: str, party: Party, start: date, cal: WorkingDayCalendar, why: str | None):
    r = rule(name)
    due, note = _tribunal_28_days(start, cal)
    spec = _spec(
        r,
        due,
        cal,
        key=f"{name}:{party}",
        title=f"{r.title} ({_who(party)})",
        party=party,
        note=_join(why, note, _ORDERS_RUN),
    )
    # A right, not a duty: nobody is chased when it is not used.
    return spec.model_copy(update={"escalate_from": None})


def set_aside_application(
    notice_sent: date, parties: Iterable[Party], cal: WorkingDayCalendar
) -> list[DeadlineSpec]:
    """HESC Rules r.45(2): 28 days after the tribunal sent notice of the decision, not counting
    25 Dec-1 Jan or August (r.12(3)(b)), then the next working day (r.12(2))."""
    return [_right("set_aside_application", Party(p), notice_sent, cal, None) for p in parties]


def permission_to_appeal(
    start: date, parties: Iterable[Party], cal: WorkingDayCalendar, *, why: str | None = None
) -> list[DeadlineSpec]:
    """HESC Rules r.46(2): 28 days after the latest of the dates the tribunal sent written
    reasons, amended reasons or a correction after review, or the refusal of an in-time
    set-aside application (`start` is that latest date); r.12(3)(b) and r.12(2) as for r.45."""
    return [_right("permission_to_appeal", Party(p), start, cal, why) for p in parties]


def challenge_deadlines(
    decision_date: date, parties: Iterable[Party], cal: WorkingDayCalendar
) -> list[DeadlineSpec]:
    """Both rights, from a decision whose notice and reasons were sent on its date (in SEND
    appeals the decision notice normally comes with the reasons; `written_reasons_sent`
    moves the permission deadline when they come later)."""
    parties = list(parties)
    why = "Counted from the decision date, taken as the day written reasons were sent."
    return set_aside_application(decision_date, parties, cal) + permission_to_appeal(
        decision_date, parties, cal, why=why
    )


def consent_order(
    first: int, orders: Iterable[OrderType], order_date: date, cal: WorkingDayCalendar
) -> list[DeadlineSpec]:
    """A concession after the council's response ends in a consent order (HESC Rules r.29):
    the reg 44(2) limits run from the date of the order (reg 44: "of the order being made")."""
    specs: list[DeadlineSpec] = []
    for n, order in enumerate(orders, start=first):
        for spec in order_steps(order, n, order_date, cal):
            basis = f"HESC Rules r.29 (consent order); {spec.basis}"
            specs.append(spec.model_copy(update={"basis": basis}))
    return specs


def _working_days_before(d: date, n: int, cal: WorkingDayCalendar) -> date:
    while n:
        d -= timedelta(days=1)
        if cal.is_working_day(d):
            n -= 1
    return d


def mediation_date_notice(
    scheduled_on: date, mediation_date: date, cal: WorkingDayCalendar
) -> DeadlineSpec:
    """The family must be told the date and place of the mediation at least 5 working days
    before it, unless they agree to less (SEND Regs, mediation; regulation number unconfirmed).
    A reminder for the caseworker: the body arranging the mediation gives the notice."""
    r = rule("mediation_date_notice")
    due, note = _working_days_before(mediation_date, 5, cal), None
    if due < scheduled_on:
        note = (
            f"The mediation on {format_day_month_year(mediation_date)} is less than 5 working "
            "days after it was booked: the family must agree to the shorter notice."
        )
        due = scheduled_on
    return _spec(r, due, cal, note=note)


def agreement_health_notice(agreement_date: date, cal: WorkingDayCalendar) -> DeadlineSpec:
    """SEND Regs reg 42(4): when the council was not a party to the mediation, the health
    commissioners tell it about the agreement within 1 week of the agreement."""
    r = rule("agreement.health_tells_council")
    return _spec(r, r.period.after(agreement_date, cal), cal)
