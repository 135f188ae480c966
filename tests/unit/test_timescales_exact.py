"""The statutory clock, asserted whole: exact dates, exact basis, exact notes (issue 19).

Each test pins a value that a wrong rule would change (the mutation run in docs/
mutation-testing.md found that substring checks and convenient years let wrong rules pass).
Weekdays were checked by hand against a calendar and are noted alongside.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehcp import timescales as ts
from ehcp.calendar import WorkingDayCalendar, add_months, in_christmas_or_august
from ehcp.deadline import DeadlineSpec
from ehcp.vocabulary import OrderType, Party

CAL = WorkingDayCalendar()
WIDE = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))

APPEAL_TITLE = "Appeal received by the tribunal"
RESPONSE_TITLE = "Council sends the tribunal its response to the appeal"
SKIP_NOTE = (
    "Working days from 25 December to 1 January and in August do not count (r.12(3)(b)), "
    "so {} left out."
)


def appeal_spec(due: date, paragraph: str = "(i)", note: str | None = None) -> DeadlineSpec:
    return DeadlineSpec(
        key="appeal",
        title=APPEAL_TITLE,
        due=due,
        party=Party.parent,
        basis=f"HESC Rules r.20(1)(c){paragraph}; r.12(3)(a); r.12(2)",
        confirmed=True,
        note=note,
        rule="appeal.after_decision" if paragraph == "(i)" else "appeal.after_certificate",
    )


# ----- the period builders (run at import time for the table, so tested directly)


def test_period_builders_give_exact_periods() -> None:
    assert ts.months(2) == ts.Period(2, ts.Unit.months)
    assert ts.weeks(5) == ts.Period(5, ts.Unit.weeks)
    assert ts.days(30) == ts.Period(30, ts.Unit.days)
    assert ts.working_days(3) == ts.Period(3, ts.Unit.working_days)


def test_order_row_builder_gives_the_whole_row() -> None:
    row = ts._order(OrderType.make_plan, "draft_plan", ts.weeks(5), "Council issues the draft")
    assert row == ts.Rule(
        name="order.make_plan.draft_plan",
        key="order:<n>:draft_plan",
        title="Council issues the draft",
        period=ts.Period(5, ts.Unit.weeks),
        starts_from="the day the order is made (default: the tribunal's decision date)",
        party=Party.council,
        basis="SEND Regs reg 44(2)(c)",
        confirmed=True,
        order=OrderType.make_plan,
    )
    unconfirmed = ts._order(OrderType.reconsider, "reconsider", ts.weeks(2), "T", confirmed=False)
    assert unconfirmed.confirmed is False
    # reg 44(2) has no lettered paragraph for reconsideration: the bare citation
    assert unconfirmed.basis == "SEND Regs reg 44(2)"


def test_a_rule_without_a_clock_says_so() -> None:
    with pytest.raises(ValueError) as raised:
        ts._clock(ts.rule("appeal.christmas_august"), date(2026, 1, 5), CAL)
    assert str(raised.value) == (
        "rule appeal.christmas_august moves other dates; it has no clock of its own"
    )


# ----- r.12(3)(a): the Christmas window and August


def test_christmas_moves_to_the_first_working_day_after_1_january_not_2_january() -> None:
    # 27 Oct 2025 + 2 months = Sat 27 Dec 2025; 1 Jan 2026 is a Thursday bank holiday, so
    # the appeal is in time on Fri 2 Jan 2026 (counting from 2 January would give Mon 5 Jan).
    assert ts.appeal(date(2025, 10, 27), None, CAL) == appeal_spec(
        date(2026, 1, 2),
        note="27 December 2025 falls between 25 December and 1 January, so r.12(3)(a) "
        "moves it to the first working day after 1 January.",
    )


def test_august_moves_past_the_bank_holiday_on_31_august() -> None:
    # 10 Jun 2026 + 2 months = Mon 10 Aug 2026; Mon 31 Aug 2026 is the summer bank holiday.
    assert ts.appeal(date(2026, 6, 10), None, CAL) == appeal_spec(
        date(2026, 9, 1),
        note="10 August 2026 falls in August, so r.12(3)(a) moves it to the first working "
        "day after 31 August.",
    )


# ----- r.20(1)(c): decision or certificate


def test_certificate_month_equal_to_decision_months_keeps_paragraph_i_and_no_note() -> None:
    # decision 1 Oct 2026 + 2 months = certificate 1 Nov 2026 + 1 month = Tue 1 Dec 2026
    assert ts.appeal(date(2026, 10, 1), date(2026, 11, 1), CAL) == appeal_spec(date(2026, 12, 1))


def test_certificate_one_day_later_switches_to_paragraph_ii_with_its_note() -> None:
    assert ts.appeal(date(2026, 10, 1), date(2026, 11, 2), CAL) == appeal_spec(
        date(2026, 12, 2),
        "(ii)",
        "1 month from the mediation certificate (2 December 2026) is later than 2 months "
        "from the decision (1 December 2026).",
    )


@pytest.mark.parametrize(
    ("certificate", "weekday"),
    [
        (date(2026, 11, 5), "Saturday 5 December 2026"),
        (date(2026, 11, 6), "Sunday 6 December 2026"),
    ],
)
def test_certificate_then_weekend_notes_are_joined_by_one_space(
    certificate: date, weekday: str
) -> None:
    later = weekday.split(" ", 1)[1]
    which = "a Saturday" if weekday.startswith("Saturday") else "a Sunday"
    assert ts.appeal(date(2026, 10, 1), certificate, CAL) == appeal_spec(
        date(2026, 12, 7),  # Monday
        "(ii)",
        f"1 month from the mediation certificate ({later}) is later than 2 months from the "
        f"decision (1 December 2026). {weekday} is not a working day ({which}), so r.12(2) "
        "moves it to the next working day.",
    )


def test_a_bank_holiday_is_named_in_the_note() -> None:
    # 29 Jan 2027 + 2 months = Easter Monday 29 March 2027
    assert ts.appeal(date(2027, 1, 29), None, CAL) == appeal_spec(
        date(2027, 3, 30),
        note="Monday 29 March 2027 is not a working day (Easter Monday), so r.12(2) moves it "
        "to the next working day.",
    )


# ----- r.21 and r.12(3)(b): the response to the appeal


def test_one_working_day_left_out_is_singular() -> None:
    # Sent Wed 30 Dec 2026: Thu 31 Dec is left out, Fri 1 Jan is a bank holiday; 30 working
    # days from Mon 4 Jan 2027 end on Fri 12 Feb 2027.
    assert ts.appeal_response(date(2026, 12, 30), CAL) == DeadlineSpec(
        key="appeal_response",
        title=RESPONSE_TITLE,
        due=date(2027, 2, 12),
        party=Party.council,
        basis="HESC Rules r.21; r.12(3)(b); r.12(2)",
        confirmed=True,
        escalate_from=date(2027, 2, 15),
        note=SKIP_NOTE.format("1 working day was"),
        rule="appeal_response",
    )


def test_many_working_days_left_out_are_counted_exactly() -> None:
    # Sent Fri 24 Jul 2026: 5 working days in July, then August's 20 working days (Mon 31 Aug
    # is a bank holiday) are left out; 25 more from Tue 1 Sep end on Mon 5 Oct 2026.
    spec = ts.appeal_response(date(2026, 7, 24), CAL)
    assert spec.due == date(2026, 10, 5)
    assert spec.note == SKIP_NOTE.format("20 working days were")


def test_a_response_due_the_day_before_august_leaves_nothing_out() -> None:
    # 30 working days from Fri 19 Jun 2026 end on Fri 31 Jul: August is not reached.
    spec = ts.appeal_response(date(2026, 6, 19), CAL)
    assert (spec.due, spec.escalate_from, spec.note) == (date(2026, 7, 31), date(2026, 8, 3), None)


def test_a_date_the_tribunal_directs_replaces_the_count() -> None:
    assert ts.appeal_response(date(2026, 7, 1), CAL, date(2026, 8, 1)) == DeadlineSpec(
        key="appeal_response",
        title=RESPONSE_TITLE,
        due=date(2026, 8, 3),
        party=Party.council,
        basis="HESC Rules r.21; date directed by the tribunal (r.12(4)); r.12(2)",
        confirmed=True,
        escalate_from=date(2026, 8, 4),
        note="Saturday 1 August 2026 is not a working day (a Saturday), so r.12(2) moves it "
        "to the next working day.",
        rule="appeal_response",
    )


# ----- recommendations, orders, agreements, meetings


@pytest.mark.parametrize(
    ("party", "who"),
    [(Party.health, "Health commissioners (ICB)"), (Party.social_care, "Social care")],
)
def test_recommendation_response_names_who_replies(party: Party, who: str) -> None:
    # Tue 1 Dec 2026 + 5 weeks = Tue 5 Jan 2027
    assert ts.recommendation_response(date(2026, 12, 1), 2, party, CAL) == DeadlineSpec(
        key="recommendation_response:2",
        title=f"{who} reply in writing to recommendation 2",
        due=date(2027, 1, 5),
        party=party,
        # When the 5 weeks start is unconfirmed (docs/law-unconfirmed.md): decision date used.
        basis="Recommendations Regs reg 6 (start date unconfirmed)",
        confirmed=False,
        escalate_from=date(2027, 1, 6),
        rule="recommendation_response",
    )


def test_unopposed_concession_reg_45_lists_has_no_note() -> None:
    (spec,) = ts.order_steps(OrderType.amend_placement, 1, date(2026, 12, 1), CAL, unopposed=True)
    assert (spec.basis, spec.confirmed, spec.note) == (
        "SEND Regs reg 45 (as amended by SI 2015/359)",
        True,
        None,
    )


def test_unopposed_concession_reg_45_does_not_list_says_so() -> None:
    (spec,) = ts.order_steps(OrderType.reconsider, 3, date(2026, 12, 1), CAL, unopposed=True)
    assert spec == DeadlineSpec(
        key="order:3:reconsider",
        title="Council reconsiders and tells the family its decision",
        due=date(2026, 12, 15),
        party=Party.council,
        basis="SEND Regs reg 45 (as amended by SI 2015/359); reg 44(2) limit used (unconfirmed)",
        confirmed=False,
        escalate_from=date(2026, 12, 16),
        note="Reg 45 does not list this concession, so the reg 44 limit is used.",
        rule="order.reconsider.reconsider",
    )


@pytest.mark.parametrize(
    ("by", "doer", "note"),
    [
        (
            Party.health,
            "health commissioners (ICB) do",
            "If the council was not at the mediation, the health commissioners must also "
            "tell it about the agreement within 1 week (reg 42(4)).",
        ),
        (Party.council, "the council does", None),
        (Party.social_care, "the council does", None),
    ],
)
def test_agreed_action_names_the_party_and_notes_reg_42_4(
    by: Party, doer: str, note: str | None
) -> None:
    # Tue 1 Dec 2026 + 2 weeks = Tue 15 Dec 2026
    assert ts.agreement_action(4, date(2026, 12, 1), CAL, by=by) == [
        DeadlineSpec(
            key="agreement_action:4",
            title=f"Agreed action 4: {doer} what the mediation agreement says",
            due=date(2026, 12, 15),
            party=by,
            basis="SEND Regs reg 42(3)",
            confirmed=True,
            escalate_from=date(2026, 12, 16),
            note=note,
            rule="agreement.other",
        )
    ]


@pytest.mark.parametrize(
    ("by", "doer"),
    [(Party.health, "health commissioners (ICB) do"), (Party.council, "the council does")],
)
def test_agreed_time_in_writing(by: Party, doer: str) -> None:
    assert ts.agreement_action(1, date(2026, 12, 1), CAL, by=by, agreed_due=date(2027, 1, 8)) == [
        DeadlineSpec(
            key="agreement_action:1",
            title=f"Agreed action 1: {doer} what the mediation agreement says",
            due=date(2027, 1, 8),
            party=by,
            basis="SEND Regs reg 42(5): time agreed in writing by the parties",
            confirmed=True,
            escalate_from=date(2027, 1, 11),
            rule="agreement.agreed_time",
        )
    ]


@pytest.mark.parametrize(
    ("by", "note"),
    [
        (
            Party.health,
            "Reg 42(2) makes the council responsible for agreements on appealable matters.",
        ),
        (Party.social_care, None),
    ],
)
def test_agreed_order_falls_to_the_council_with_reg_44_limits(by: Party, note: str | None) -> None:
    basis = "SEND Regs reg 42(2); reg 44(2) limits, as if the agreement were an order"
    expected_party = Party.council if by is Party.health else by
    specs = ts.agreement_action(2, date(2026, 12, 1), CAL, by=by, order=OrderType.make_plan)
    assert specs == [
        DeadlineSpec(
            key="agreement_action:2:draft_plan",
            title="Agreed action 2: council issues the draft EHC plan",
            due=date(2027, 1, 5),
            party=expected_party,
            basis=basis,
            confirmed=True,
            escalate_from=date(2027, 1, 6),
            note=note,
            rule="order.make_plan.draft_plan",
        ),
        DeadlineSpec(
            key="agreement_action:2:final_plan",
            title="Agreed action 2: council issues the final EHC plan",
            due=date(2027, 2, 16),
            party=expected_party,
            basis=basis,
            confirmed=True,
            escalate_from=date(2027, 2, 17),
            note=note,
            rule="order.make_plan.final_plan",
        ),
    ]


def test_meeting_is_confirmed_and_for_everyone() -> None:
    assert ts.meeting("hearing", date(2027, 3, 3), "Tribunal hearing") == DeadlineSpec(
        key="hearing",
        title="Tribunal hearing",
        due=date(2027, 3, 3),
        party=Party.everyone,
        basis="Hearing date listed by the First-tier Tribunal",
        confirmed=True,
    )


# ----- properties over a wide range of decision dates


def _first_working_day_after(anchor: date) -> date:
    d = anchor + timedelta(days=1)
    while not CAL.is_working_day(d):
        d += timedelta(days=1)
    return d


@settings(max_examples=300, deadline=None)
@given(WIDE)
def test_christmas_august_rule_lands_on_the_first_working_day_after_the_window(
    decision: date,
) -> None:
    raw = add_months(decision, 2)
    due = ts.appeal(decision, None, CAL).due
    if in_christmas_or_august(raw):
        anchor = (
            date(raw.year, 8, 31) if raw.month == 8 else date(raw.year + (raw.month == 12), 1, 1)
        )
        assert due == _first_working_day_after(anchor)
    else:
        assert due == (raw if CAL.is_working_day(raw) else _first_working_day_after(raw))


def test_a_weekend_move_into_august_keeps_the_earlier_date_unconfirmed() -> None:
    # 31 May 2022 + 2 months = Sun 31 Jul 2022; r.12(2) gives Mon 1 Aug 2022, in August.
    # Whether r.12(3)(a) then moves it again is open (docs/law-unconfirmed.md): kept, unconfirmed.
    assert ts.appeal(date(2022, 5, 31), None, CAL) == appeal_spec(
        date(2022, 8, 1),
        note="Sunday 31 July 2022 is not a working day (a Sunday), so r.12(2) moves it to the "
        "next working day. That day falls in the Christmas or August period; whether "
        "r.12(3)(a) then moves it again is unconfirmed, so the earlier date is kept.",
    ).model_copy(update={"confirmed": False})
