"""The statutory clock: each rule of docs/law.md as data, and small functions that turn a
trigger date into DeadlineSpecs (the later routes, consent orders and challenges to a decision,
are dated in `ehcp.later_clocks`).

Pure domain code: no I/O, no Temporal. Dates are UK local dates. `confirmed` is False wherever
any part of the basis is unconfirmed (the fact, the trigger or only the regulation's number):
staff then see "basis unconfirmed", and docs/law-unconfirmed.md says what was checked and what
is still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from ehcp.calendar import (
    WorkingDayCalendar,
    add_days,
    add_months,
    add_weeks,
    in_christmas_or_august,
)
from ehcp.dates_text import format_day_month_year, format_long_date
from ehcp.deadline import DeadlineSpec
from ehcp.vocabulary import ESCALATING_PARTIES, OrderType, Party

# ---------------------------------------------------------------------------------------------
# The table


class Unit(StrEnum):
    months = "months"
    weeks = "weeks"
    days = "days"  # calendar days
    working_days = "working days"
    immediately = "immediately"


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        if self.unit is Unit.immediately:
            return "immediately"
        unit = str(self.unit)
        return f"{self.amount} {unit[:-1] if self.amount == 1 else unit}"

    def after(self, start: date, cal: WorkingDayCalendar) -> date:
        """Plain counting from `start` (not counted); no rule moves the result here."""
        match self.unit:
            case Unit.months:
                return add_months(start, self.amount)
            case Unit.weeks:
                return add_weeks(start, self.amount)
            case Unit.days:
                return add_days(start, self.amount)
            case Unit.working_days:
                return cal.add_working_days(start, self.amount)
            case Unit.immediately:
                return start


def months(n: int) -> Period:
    return Period(n, Unit.months)


def weeks(n: int) -> Period:
    return Period(n, Unit.weeks)


def days(n: int) -> Period:
    return Period(n, Unit.days)


def working_days(n: int) -> Period:
    return Period(n, Unit.working_days)


IMMEDIATELY = Period(0, Unit.immediately)


@dataclass(frozen=True)
class Rule:
    """One row of statutory-timescales.md.

    `period` is None for counting rules that move or suspend other deadlines rather than
    starting a clock of their own; `key` is None for duties the service does not track.
    """

    name: str  # unique in RULES
    key: str | None  # deadline key it produces (process.md "Stable names")
    title: str  # what must happen, in plain English
    period: Period | None
    starts_from: str
    party: Party | None
    basis: str
    confirmed: bool
    order: OrderType | None = None  # for reg 44 rows: the order this step belongs to
    #: for rules never scheduled on their own: why (they move other dates, or are not tracked)
    untracked: str | None = None
    #: a remark on the sources, for the table's readers only: never in `title`, which
    #: readers see in emails and calendar entries (ehcp.reader_text)
    source_note: str | None = None

    @property
    def step(self) -> str:
        """Last part of an order key, e.g. "draft_plan" from "order:<n>:draft_plan"."""
        return (self.key or "").rsplit(":", 1)[-1]


_DECISION_SENT = "the date the council sent written notice of its decision"
_ORDER_MADE = "the day the order is made (default: the tribunal's decision date)"
_REG44 = "SEND Regs reg 44(2)"
#: sub-paragraph letters read in a verbatim quotation of reg 44(2)(a)-(c) (docs/law-unconfirmed.md)
_REG44_LETTER = {
    OrderType.cease_plan: "(a)",
    OrderType.assess: "(b)",
    OrderType.make_plan: "(c)",
}
_REG45 = "SEND Regs reg 45 (as amended by SI 2015/359)"


def _order(
    order: OrderType, step: str, period: Period, title: str, *, confirmed: bool = True
) -> Rule:
    return Rule(
        name=f"order.{order}.{step}",
        key=f"order:<n>:{step}",
        title=title,
        period=period,
        starts_from=_ORDER_MADE,
        party=Party.council,
        basis=_REG44 + _REG44_LETTER.get(order, ""),
        confirmed=confirmed,
        order=order,
    )


RULES: tuple[Rule, ...] = (
    # 1. Appeal to the First-tier Tribunal (SEND)
    Rule(
        "appeal.after_decision", "appeal",
        "Appeal received by the tribunal",
        months(2), _DECISION_SENT, Party.parent,
        "HESC Rules r.20(1)(c)(i)", True,
    ),
    Rule(
        "appeal.after_certificate", "appeal",
        "Appeal received by the tribunal, if this is later than 2 months from the decision",
        months(1), "the date of the mediation certificate", Party.parent,
        "HESC Rules r.20(1)(c)(ii)", True,
    ),
    Rule(
        "appeal.christmas_august", "appeal",
        "If the appeal's last day falls on 25 December to 1 January or in August, the appeal "
        "is in time on the first working day after 1 January or 31 August",
        None, "the appeal's last day worked out above", Party.parent,
        "HESC Rules r.12(3)(a)", True,
        untracked="moves the appeal date (applied inside `appeal`)",
    ),
    Rule(
        "tribunal.next_working_day", "appeal, appeal_response",
        "A time limit under the Tribunal Rules that ends on a non-working day moves to the "
        "next working day; acts are due by 5pm",
        None, "the last day worked out above", None,
        "HESC Rules r.12(1), r.12(2)", True,
        untracked="moves dates under the Tribunal Rules (applied inside each of them)",
    ),
    Rule(
        "appeal_response", "appeal_response",
        "Council sends the tribunal its response to the appeal",
        working_days(30), "the date the tribunal sent the appeal to the council", Party.council,
        "HESC Rules r.21", True,
    ),
    Rule(
        "tribunal.christmas_august_not_counted", "appeal_response",
        "Days from 25 December to 1 January and days in August are not counted, unless the "
        "tribunal directs a date",
        None, "any other time limit under the Tribunal Rules in SEN cases", None,
        "HESC Rules r.12(3)(b), r.12(4)", True,
        untracked="leaves days out of other Tribunal Rules clocks (applied inside them)",
    ),
    # 2. Mediation (CFA ss.52-57, SEND Regs Part 6)
    Rule(
        "mediation_contact", "mediation_contact",
        "Family contacts a mediation adviser (needed before appealing)",
        months(2), _DECISION_SENT, Party.parent,
        "SEND Regs reg 33", True,
    ),
    Rule(
        "mediation_certificate.declined", "mediation_certificate",
        "Mediation adviser issues the mediation certificate",
        working_days(3), "the family tells the adviser they do not want mediation",
        Party.mediation_adviser,
        "SEND Regs reg 34", True,
    ),
    Rule(
        "mediation_certificate.withdrawn", "mediation_certificate",
        "Mediation adviser issues the mediation certificate",
        working_days(3), "the family withdraws from mediation (treated as not wanting it)",
        Party.mediation_adviser,
        "SEND Regs reg 34 (applied to a withdrawal by analogy)", False,
    ),
    Rule(
        "icb_mediation_notice", "icb_mediation_notice",
        "Council tells the health commissioners (ICB) what the mediation is about",
        working_days(3), "the family says health issues are included", Party.council,
        "SEND Regs regs 35-37 (numbering unconfirmed)", False,
    ),
    Rule(
        "mediation_session", "mediation_session",
        "Mediation takes place",
        days(30), "the council is told the family wants mediation", Party.council,
        "SEND Regs reg 37 (numbering unconfirmed)", False,
        source_note="Some sources say 'is arranged'; we track 'takes place'.",
    ),
    Rule(
        "mediation_session.health_only", "mediation_session",
        "Mediation about health care only takes place",
        days(30), "the council tells the ICB what the mediation is about", Party.health,
        "SEND Regs reg 37 (numbering unconfirmed)", False,
        untracked="health-only mediation is not recorded as such: `mediation_requested` has no "
        "field for it, so the 30 days are always counted as the council's",
    ),
    Rule(
        "mediation_date_notice", "mediation_date_notice",
        "Tell the family the date and place of the mediation, at least 5 working days before "
        "it (less only if the family agrees)",
        working_days(5), "counted back from the mediation date", Party.council,
        "SEND Regs Part 2, mediation (regs 32-42; regulation number unconfirmed)", False,
    ),
    Rule(
        "mediation_certificate.not_arranged", "mediation_certificate",
        "Mediation adviser issues the mediation certificate (mediation not arranged in time)",
        working_days(3), "the council tells the adviser it cannot arrange mediation in 30 days",
        Party.mediation_adviser,
        "SEND Regs reg 38 (numbering unconfirmed)", False,
    ),
    Rule(
        "mediation_certificate.concluded", "mediation_certificate",
        "Mediator issues the mediation certificate after the mediation",
        working_days(3), "the mediation concludes", Party.mediation_adviser,
        "SEND Regs reg 39 (numbering unconfirmed)", False,
    ),
    Rule(
        "agreement.appealable", "agreement_action:<n>",
        "Council does what a mediation agreement on appealable matters says, within the "
        "reg 44 limits, as if the agreement were a tribunal order",
        None, "the date of the mediation agreement", Party.council,
        "SEND Regs reg 42(2)", True,
        untracked="dated by the reg 44 rows, one per order step (`agreement_action`)",
    ),
    Rule(
        "agreement.other", "agreement_action:<n>",
        "Council or health commissioners do what a mediation agreement on other matters says",
        weeks(2), "the date of the mediation agreement", Party.council,
        "SEND Regs reg 42(3)", True,
    ),
    Rule(
        "agreement.health_tells_council", "agreement_health_notice",
        "Health commissioners (ICB) tell the council about the mediation agreement",
        weeks(1), "the date of the mediation agreement (the council not a party to it)",
        Party.health,
        "SEND Regs reg 42(4)", True,
    ),
    Rule(
        "agreement.agreed_time", "agreement_action:<n>",
        "The parties may agree a different time in writing",
        None, "the mediation agreement", None,
        "SEND Regs reg 42(5)", True,
        untracked="a date the parties agreed replaces the limit (`agreed_due`)",
    ),
    # 3. Compliance with tribunal orders (SEND Regs reg 44)
    _order(OrderType.cease_plan, "cease", IMMEDIATELY,
           "Council stops maintaining the EHC plan"),
    _order(OrderType.assess, "notify_assessment", weeks(2),
           "Council tells the family it will carry out the EHC needs assessment "
           "(or re-assessment)"),
    _order(OrderType.assess, "decide_not_to_issue", weeks(10),
           "Council tells the family, with reasons, if it decides not to issue an EHC plan"),
    _order(OrderType.assess, "final_plan", weeks(14),
           "Council issues the final EHC plan, if it decides to issue one"),
    _order(OrderType.make_plan, "draft_plan", weeks(5),
           "Council issues the draft EHC plan"),
    _order(OrderType.make_plan, "final_plan", weeks(11),
           "Council issues the final EHC plan"),
    _order(OrderType.reconsider, "reconsider", weeks(2),
           "Council reconsiders and tells the family its decision", confirmed=False),
    _order(OrderType.amend_provision, "amended_plan", weeks(5),
           "Council issues the amended EHC plan (special educational provision, section F)"),
    _order(OrderType.amend_placement, "amended_plan", weeks(2),
           "Council issues the amended EHC plan (school or type named, section I)"),
    _order(OrderType.continue_plan, "continue", IMMEDIATELY,
           "Council continues to maintain the EHC plan"),
    _order(OrderType.continue_and_amend, "continue", IMMEDIATELY,
           "Council continues to maintain the EHC plan", confirmed=False),
    _order(OrderType.continue_and_amend, "amended_plan", weeks(5),
           "Council issues the amended EHC plan", confirmed=False),
    Rule(
        "order.exception", "order:<n>:<step>",
        "Exceptional personal circumstances, the family away for 2 weeks or more, or the "
        "family asking to make representations suspend the limit (recorded, never a new date)",
        None, "during the period", Party.council,
        "SEND Regs reg 44(3)", True,
        untracked="recorded as `exception_recorded`: suspends a limit, never a new date",
    ),
    Rule(
        "order.unopposed", "order:<n>:<step>",
        "When the council tells the tribunal it will not oppose the appeal before it submits "
        "its response, the same limits run from the date it told the tribunal (assessment or "
        "re-assessment, plan content, school, refusal to issue a plan)",
        None, "the date the council told the tribunal", Party.council,
        _REG45, True,
        untracked="dated by the reg 44 rows with this basis (`order_steps(unopposed=True)`)",
    ),
    Rule(
        "order.consent", "order:<n>:<step>",
        "A concession after the council's response ends in a consent order: the reg 44 limits "
        "run from the date of the order",
        None, "the date of the consent order", Party.council,
        "HESC Rules r.29; SEND Regs reg 44(2)", True,
        untracked="dated by the reg 44 rows with this basis (`later_clocks.consent_order`)",
    ),
    # Challenging the tribunal's decision (HESC Rules Part 5)
    Rule(
        "set_aside_application", "set_aside_application:<party>",
        "Last day to apply to the tribunal to set its decision aside",
        days(28), "the date the tribunal sent notice of the decision", Party.parent,
        "HESC Rules r.45(2); r.12(3)(b); r.12(2)", False,
    ),
    Rule(
        "permission_to_appeal", "permission_to_appeal:<party>",
        "Last day to apply to the tribunal for permission to appeal to the Upper Tribunal",
        days(28),
        "the latest of: written reasons sent, amended reasons or correction after a review "
        "sent, refusal of an in-time set-aside application sent",
        Party.parent,
        "HESC Rules r.46(2); r.12(3)(b); r.12(2)", True,
    ),
    # 4. Health and social care recommendations (Recommendations Regs)
    Rule(
        "recommendation_response", "recommendation_response:<n>",
        "Written response to the recommendation: the steps to be taken, or the reasons for "
        "not following it",
        weeks(5), "the date of the tribunal's decision", Party.health,
        "Recommendations Regs reg 6 (start date unconfirmed)", False,
    ),
)  # fmt: skip

_BY_NAME = {r.name: r for r in RULES}

#: Concessions reg 45 lists (statutory-timescales.md section 3); others reuse reg 44's limits
#: unconfirmed.
REG45_ORDERS = frozenset(
    {OrderType.assess, OrderType.make_plan, OrderType.amend_provision, OrderType.amend_placement}
)


def rule(name: str) -> Rule:
    """The row called `name` (KeyError if there is none)."""
    return _BY_NAME[name]


def order_rules(order: OrderType) -> tuple[Rule, ...]:
    """The steps of a reg 44 order, in the order the table lists them."""
    return tuple(r for r in RULES if r.order is order)


# ---------------------------------------------------------------------------------------------
# Building DeadlineSpecs


def _spec(
    r: Rule,
    due: date,
    cal: WorkingDayCalendar,
    **overrides: object,
) -> DeadlineSpec:
    fields: dict[str, object] = {
        "rule": r.name,
        "key": r.key,
        "title": r.title,
        "due": due,
        "party": r.party,
        "basis": r.basis,
        "confirmed": r.confirmed,
    }
    fields.update(overrides)
    if fields["party"] in ESCALATING_PARTIES:
        fields["escalate_from"] = cal.next_working_day(due)
    return DeadlineSpec.model_validate(fields)


def _clock(r: Rule, start: date, cal: WorkingDayCalendar) -> date:
    if r.period is None:
        raise ValueError(f"rule {r.name} moves other dates; it has no clock of its own")
    return r.period.after(start, cal)


def _why_not_working(d: date, cal: WorkingDayCalendar) -> str:
    return cal.holiday_name(d) or ("a Saturday" if d.weekday() == 5 else "a Sunday")


def _christmas_august_move(d: date, cal: WorkingDayCalendar) -> tuple[date, str | None]:
    """r.12(3)(a): a last day in 25 Dec-1 Jan or August moves past the period."""
    if not in_christmas_or_august(d):
        return d, None
    if d.month == 8:
        moved, period, anchor = cal.next_working_day(date(d.year, 8, 31)), "in August", "31 August"
    else:
        new_year = date(d.year + (d.month == 12), 1, 1)
        moved, period, anchor = (
            cal.next_working_day(new_year),
            "between 25 December and 1 January",
            "1 January",
        )
    note = (
        f"{format_day_month_year(d)} falls {period}, so r.12(3)(a) moves it to the first "
        f"working day after {anchor}."
    )
    return moved, note


def _next_working_day_move(d: date, cal: WorkingDayCalendar) -> tuple[date, str | None]:
    """r.12(2): a last day that is not a working day moves to the next working day."""
    if cal.is_working_day(d):
        return d, None
    note = (
        f"{format_long_date(d)} is not a working day ({_why_not_working(d, cal)}), "
        "so r.12(2) moves it to the next working day."
    )
    return cal.next_working_day(d), note


def _join(*notes: str | None) -> str | None:
    return " ".join(n for n in notes if n) or None


# ----- section 2: mediation


def mediation_contact(decision_date: date, cal: WorkingDayCalendar) -> DeadlineSpec:
    """Reg 33: 2 months from the decision notice. Not a Tribunal Rules limit: never moved."""
    r = rule("mediation_contact")
    return _spec(r, _clock(r, decision_date, cal), cal)


class CertificateTrigger(StrEnum):
    """What starts the 3-working-day clock for the mediation certificate."""

    declined = "declined"  # reg 34
    withdrawn = "withdrawn"  # treated as declined (process.md)
    not_arranged = "not_arranged"  # reg 38
    concluded = "concluded"  # reg 39


def mediation_certificate(
    trigger_date: date, trigger: CertificateTrigger, cal: WorkingDayCalendar
) -> DeadlineSpec:
    r = rule(f"mediation_certificate.{CertificateTrigger(trigger)}")
    return _spec(r, _clock(r, trigger_date, cal), cal)


def mediation_session(
    requested_date: date, cal: WorkingDayCalendar | None = None, *, health_only: bool = False
) -> DeadlineSpec:
    """Reg 37: 30 calendar days. Health-only mediation: the ICB arranges it, counted from the
    day the council told the ICB (pass that date as `requested_date`).

    The due date needs no calendar; `cal` is only for `escalate_from`. Pass the configured
    one: without it the package's bank holidays are used, without configured extra days.
    """
    cal = cal or _default_calendar()
    r = rule("mediation_session.health_only" if health_only else "mediation_session")
    return _spec(r, _clock(r, requested_date, cal), cal)


@cache
def _default_calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def icb_mediation_notice(requested_date: date, cal: WorkingDayCalendar) -> DeadlineSpec:
    r = rule("icb_mediation_notice")
    return _spec(r, _clock(r, requested_date, cal), cal)


# ----- section 1: appeal


def appeal(
    decision_date: date, certificate_date: date | None, cal: WorkingDayCalendar
) -> DeadlineSpec:
    """r.20(1)(c): the later of 2 months from the decision and 1 month from the certificate;
    then r.12(3)(a) (Christmas / August), then r.12(2) (next working day)."""
    due = _clock(rule("appeal.after_decision"), decision_date, cal)
    paragraph, which = "(i)", None
    if certificate_date is not None:
        from_certificate = _clock(rule("appeal.after_certificate"), certificate_date, cal)
        if from_certificate > due:
            later, earlier = map(format_day_month_year, (from_certificate, due))
            which = (
                f"1 month from the mediation certificate ({later}) is later than "
                f"2 months from the decision ({earlier})."
            )
            paragraph, due = "(ii)", from_certificate
    due, christmas = _christmas_august_move(due, cal)
    due, weekend = _next_working_day_move(due, cal)
    # r.12(2) can push a last day into 25 Dec-1 Jan or August (a Saturday 24 December, a
    # Sunday 31 July). Whether r.12(3)(a) then moves it again is unconfirmed: keep the earlier
    # date, which is safe for the family, and say so (docs/law-unconfirmed.md).
    pushed = None
    if weekend and in_christmas_or_august(due):
        pushed = (
            "That day falls in the Christmas or August period; whether r.12(3)(a) then moves "
            "it again is unconfirmed, so the earlier date is kept."
        )
    r = rule("appeal.after_certificate" if paragraph == "(ii)" else "appeal.after_decision")
    return _spec(
        r,
        due,
        cal,
        key="appeal",
        # One title either way: the (ii) row's title describes the rule ("if this is later"),
        # not the deadline, which is already the later of the two.
        title=rule("appeal.after_decision").title,
        basis=f"HESC Rules r.20(1)(c){paragraph}; r.12(3)(a); r.12(2)",
        confirmed=pushed is None,
        note=_join(which, christmas, weekend, pushed),
    )


def appeal_response(
    registered_date: date, cal: WorkingDayCalendar, tribunal_given: date | None = None
) -> DeadlineSpec:
    """r.21: 30 working days from the tribunal sending the appeal, not counting 25 Dec-1 Jan
    or August (r.12(3)(b)); a date the tribunal directs replaces it (r.12(4))."""
    r = rule("appeal_response")
    if tribunal_given is not None:
        due, weekend = _next_working_day_move(tribunal_given, cal)
        basis = "HESC Rules r.21; date directed by the tribunal (r.12(4)); r.12(2)"
        return _spec(r, due, cal, basis=basis, note=weekend)
    due = cal.add_working_days(registered_date, r.period.amount, skip=in_christmas_or_august)
    left_out = _skipped_working_days(registered_date, due, cal)
    note = None
    if left_out:
        note = (
            f"Working days from 25 December to 1 January and in August do not count "
            f"(r.12(3)(b)), so {left_out} working {'day was' if left_out == 1 else 'days were'} "
            "left out."
        )
    return _spec(r, due, cal, basis="HESC Rules r.21; r.12(3)(b); r.12(2)", note=note)


def _skipped_working_days(start: date, end: date, cal: WorkingDayCalendar) -> int:
    count, d = 0, start
    while d < end:
        d = cal.next_working_day(d)
        count += in_christmas_or_august(d)
    return count


# ----- section 4: recommendations


def recommendation_response(
    decision_date: date, n: int, addressed_to: Party, cal: WorkingDayCalendar
) -> DeadlineSpec:
    """Recommendations Regs reg 6: a written response within 5 weeks of the decision."""
    if addressed_to not in (Party.health, Party.social_care):
        raise ValueError(f"recommendations go to health or social_care, not {addressed_to}")
    r = rule("recommendation_response")
    who = "Health commissioners (ICB)" if addressed_to is Party.health else "Social care"
    return _spec(
        r,
        _clock(r, decision_date, cal),
        cal,
        key=f"recommendation_response:{n}",
        title=f"{who} reply in writing to recommendation {n}",
        party=addressed_to,
    )


# ----- section 3: tribunal orders and unopposed appeals


def order_steps(
    order: OrderType,
    n: int,
    order_date: date,
    cal: WorkingDayCalendar,
    *,
    unopposed: bool = False,
) -> list[DeadlineSpec]:
    """Reg 44(2) limits for order n, from `order_date`; with `unopposed`, the reg 45 limits
    from the date the council told the tribunal it would not oppose the appeal."""
    order = OrderType(order)
    specs = []
    for r in order_rules(order):
        overrides: dict[str, object] = {"key": f"order:{n}:{r.step}"}
        if unopposed:
            overrides["basis"] = _REG45
            if order not in REG45_ORDERS:
                overrides["basis"] = f"{_REG45}; reg 44(2) limit used (unconfirmed)"
                overrides["confirmed"] = False
                overrides["note"] = (
                    "Reg 45 does not list this concession, so the reg 44 limit is used."
                )
        specs.append(_spec(r, _clock(r, order_date, cal), cal, **overrides))
    return specs


# ----- section 2: mediation agreements (reg 42)


def agreement_action(
    n: int,
    agreement_date: date,
    cal: WorkingDayCalendar,
    *,
    by: Party,
    order: OrderType | None = None,
    agreed_due: date | None = None,
) -> list[DeadlineSpec]:
    """Reg 42: a time agreed in writing wins (42(5)); appealable matters run on the reg 44
    limits as if the agreement were an order (42(2)); anything else: 2 weeks (42(3))."""
    if by not in (Party.council, Party.social_care, Party.health):
        raise ValueError(f"agreed actions fall to the council or health, not {by}")
    if agreed_due is not None:
        return [_agreed_time(n, agreed_due, cal, by)]
    if order is not None:
        return _agreed_order(n, agreement_date, cal, by, OrderType(order))
    r = rule("agreement.other")
    note = None
    if by is Party.health:
        note = (
            "If the council was not at the mediation, the health commissioners must also tell "
            "it about the agreement within 1 week (reg 42(4))."
        )
    title = f"Agreed action {n}: {_doer(by)} what the mediation agreement says"
    return [
        _spec(
            r, _clock(r, agreement_date, cal), cal,
            key=f"agreement_action:{n}", title=title, party=by, note=note,
        )
    ]  # fmt: skip


def _doer(by: Party) -> str:
    return "health commissioners (ICB) do" if by is Party.health else "the council does"


def _agreed_time(n: int, due: date, cal: WorkingDayCalendar, by: Party) -> DeadlineSpec:
    return _spec(
        rule("agreement.agreed_time"),
        due,
        cal,
        key=f"agreement_action:{n}",
        title=f"Agreed action {n}: {_doer(by)} what the mediation agreement says",
        party=by,
        basis="SEND Regs reg 42(5): time agreed in writing by the parties",
    )


def _agreed_order(
    n: int, agreement_date: date, cal: WorkingDayCalendar, by: Party, order: OrderType
) -> list[DeadlineSpec]:
    # Reg 42(2) puts appealable matters on the local authority, whoever was recorded.
    note = None
    if by is Party.health:
        note = "Reg 42(2) makes the council responsible for agreements on appealable matters."
    steps = order_rules(order)
    return [
        _spec(
            r,
            _clock(r, agreement_date, cal),
            cal,
            key=f"agreement_action:{n}" if len(steps) == 1 else f"agreement_action:{n}:{r.step}",
            title=f"Agreed action {n}: {r.title[0].lower()}{r.title[1:]}",
            party=Party.council if by is Party.health else by,
            basis="SEND Regs reg 42(2); reg 44(2) limits, as if the agreement were an order",
            note=note,
        )
        for r in steps
    ]


# ----- dated meetings (reminders only)

_MEETING_BASIS = {
    "way_forward_meeting": "Rutland SEND way forward meeting (local, no statutory clock)",
    "hearing": "Hearing date listed by the First-tier Tribunal",
}


def meeting(key: str, meeting_date: date, title: str) -> DeadlineSpec:
    """A dated meeting: reminders for everyone, nobody can miss it, no escalation."""
    if key not in _MEETING_BASIS:
        raise ValueError(f"unknown meeting key {key!r} (allowed: {', '.join(_MEETING_BASIS)})")
    return DeadlineSpec(
        key=key,
        title=title,
        due=meeting_date,
        party=Party.everyone,
        basis=_MEETING_BASIS[key],
        confirmed=True,
    )
