"""The calculator's later clocks and limits, asserted whole (issue 19, after issue 11).

Limits on orders and recommendations, the dates that end an appeal (tribunal decision,
reg 45 concession, r.29 consent order), and both parties' r.45 / r.46 challenge deadlines.
Dates were counted by hand: 28 days from Tue 1 Dec 2026 with 25 Dec-1 Jan left out
(r.12(3)(b)) end on Wed 6 Jan 2027; from Thu 10 Dec 2026 on Fri 15 Jan 2027.
"""

from __future__ import annotations

from datetime import date

import pytest

from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.deadline import DeadlineSpec
from ehcp.vocabulary import DecisionType, OrderType, Party

CAL = WorkingDayCalendar()
DECISION = date(2026, 10, 1)
TRIBUNAL = date(2026, 12, 1)
SKIPPED = (
    "Days from 25 December to 1 January and in August do not count (r.12(3)(b)), so 8 days "
    "were left out."
)
STILL = (
    "The tribunal's orders must still be carried out by their own dates unless the tribunal "
    "suspends its decision."
)


def refused(**kwargs: object) -> tuple[str, str, str]:
    with pytest.raises(CalculatorInputError) as raised:
        calculate(DECISION, cal=CAL, **kwargs)  # type: ignore[arg-type]
    return raised.value.argument, raised.value.message, raised.value.allowed


def test_recommendations_are_at_most_20() -> None:
    assert refused(tribunal_decision_date=TRIBUNAL, recommendations=21) == (
        "recommendations",
        "21 recommendations",
        "0 to 20, as in a tribunal_decision event",
    )
    keys = [s.key for s in calculate(DECISION, cal=CAL, tribunal_decision_date=TRIBUNAL,
                                     recommendations=20)]  # fmt: skip
    assert keys.count("recommendation_response:20") == 1


def test_orders_are_at_most_10() -> None:
    assert refused(tribunal_decision_date=TRIBUNAL, orders=[OrderType.reconsider] * 11) == (
        "orders",
        "11 orders",
        "at most 10, as in a tribunal_decision",
    )
    specs = calculate(
        DECISION, cal=CAL, tribunal_decision_date=TRIBUNAL, orders=[OrderType.reconsider] * 10
    )
    assert sum(s.key.startswith("order:") for s in specs) == 10


def test_an_order_that_does_not_fit_the_decision_type_is_named() -> None:
    assert refused(
        decision_type=DecisionType.refusal_to_assess,
        tribunal_decision_date=TRIBUNAL,
        orders=[OrderType.assess, OrderType.make_plan],
    ) == (
        "orders",
        "order 2 (make_plan) does not fit an appeal against refusal_to_assess",
        "assess, reconsider",
    )


def test_orders_without_a_decision_type_must_fit_one_together() -> None:
    argument, message, allowed = refused(
        tribunal_decision_date=TRIBUNAL, orders=[OrderType.assess, OrderType.make_plan]
    )
    assert (argument, allowed) == ("orders", "orders that fit one decision type")
    assert message == (
        "orders assess, make_plan cannot all follow one decision: each decision type allows "
        "refusal_to_assess: assess, reconsider; refusal_to_reassess: assess, reconsider; "
        "refusal_to_issue_plan: make_plan, reconsider; "
        "plan_content: amend_placement, amend_provision, reconsider; "
        "refusal_to_amend: amend_placement, amend_provision, reconsider; "
        "amended_plan_content: amend_placement, amend_provision, reconsider; "
        "cease_plan: cease_plan, continue_and_amend, continue_plan"
    )


@pytest.mark.parametrize(
    "argument",
    ["concession_date", "response_sent_date", "consent_order_date", "written_reasons_date"],
)
def test_a_later_date_before_the_decision_is_refused(argument: str) -> None:
    assert refused(**{argument: date(2026, 9, 30)}) == (
        argument,
        "2026-09-30 is before the decision date 2026-10-01",
        "2026-10-01 or later",
    )


@pytest.mark.parametrize(
    "argument", ["concession_date", "response_sent_date", "consent_order_date"]
)
def test_a_later_date_on_the_decision_day_is_accepted(argument: str) -> None:
    assert calculate(DECISION, cal=CAL, **{argument: DECISION})  # type: ignore[arg-type]


def test_written_reasons_need_the_tribunal_decision_date() -> None:
    assert refused(written_reasons_date=date(2026, 12, 3)) == (
        "written_reasons_date",
        "needs the tribunal decision date",
        "only together with the tribunal decision date",
    )


def test_a_concession_after_the_response_is_refused_and_on_the_day_accepted() -> None:
    assert refused(concession_date=date(2026, 11, 3), response_sent_date=date(2026, 11, 2)) == (
        "concession_date",
        "2026-11-03 is after the council's response (2026-11-02); reg 45 covers only a "
        "concession before the response, a later one ends in a consent order",
        "a date on or before the response date, or the consent order date instead",
    )
    same_day = date(2026, 11, 2)
    assert calculate(DECISION, cal=CAL, concession_date=same_day, response_sent_date=same_day)


def challenge(key: str, party: Party, due: date, note_head: str) -> DeadlineSpec:
    who = "the family" if party is Party.parent else "the council"
    set_aside = key == "set_aside_application"
    return DeadlineSpec(
        key=f"{key}:{party}",
        title=(
            f"Last day to apply to the tribunal to set its decision aside ({who})"
            if set_aside
            else "Last day to apply to the tribunal for permission to appeal to the Upper "
            f"Tribunal ({who})"
        ),
        due=due,
        party=party,
        basis=f"HESC Rules {'r.45(2)' if set_aside else 'r.46(2)'}; r.12(3)(b); r.12(2)",
        # r.45 set-aside time from the decision is marked unconfirmed (docs/law-unconfirmed.md)
        confirmed=not set_aside,
        note=" ".join(p for p in (note_head, SKIPPED, STILL) if p),
        rule=key,
    )


def challenges(written_reasons: date | None) -> list[DeadlineSpec]:
    specs = calculate(
        DECISION, cal=CAL, tribunal_decision_date=TRIBUNAL, written_reasons_date=written_reasons
    )
    return [s for s in specs if s.key.split(":")[0] in ("set_aside_application",
                                                          "permission_to_appeal")]  # fmt: skip


@pytest.mark.parametrize("written_reasons", [None, TRIBUNAL])
def test_both_parties_challenge_from_the_decision_without_later_reasons(
    written_reasons: date | None,
) -> None:
    from_decision = "Counted from the decision date, taken as the day written reasons were sent."
    assert challenges(written_reasons) == [
        challenge("set_aside_application", Party.parent, date(2027, 1, 6), ""),
        challenge("set_aside_application", Party.council, date(2027, 1, 6), ""),
        challenge("permission_to_appeal", Party.parent, date(2027, 1, 6), from_decision),
        challenge("permission_to_appeal", Party.council, date(2027, 1, 6), from_decision),
    ]


def test_permission_to_appeal_counts_from_later_written_reasons() -> None:
    from_reasons = "Counted from the day written reasons were sent."
    assert challenges(date(2026, 12, 10)) == [
        challenge("set_aside_application", Party.parent, date(2027, 1, 6), ""),
        challenge("set_aside_application", Party.council, date(2027, 1, 6), ""),
        challenge("permission_to_appeal", Party.parent, date(2027, 1, 15), from_reasons),
        challenge("permission_to_appeal", Party.council, date(2027, 1, 15), from_reasons),
    ]


@pytest.mark.parametrize(
    ("argument", "basis"),
    [
        ("concession_date", "SEND Regs reg 45 (as amended by SI 2015/359)"),
        ("consent_order_date", "HESC Rules r.29 (consent order); SEND Regs reg 44(2)(c)"),
    ],
)
def test_orders_after_a_concession_or_consent_order_follow_the_earlier_deadlines(
    argument: str, basis: str
) -> None:
    # Mon 2 Nov 2026 + 5 weeks = Mon 7 Dec 2026; + 11 weeks = Mon 18 Jan 2027.
    specs = calculate(
        DECISION, cal=CAL, orders=[OrderType.make_plan], **{argument: date(2026, 11, 2)}
    )  # type: ignore[arg-type]
    assert [(s.key, s.due) for s in specs] == [
        ("mediation_contact", date(2026, 12, 1)),
        ("appeal", date(2026, 12, 1)),
        ("order:1:draft_plan", date(2026, 12, 7)),
        ("order:1:final_plan", date(2027, 1, 18)),
    ]
    assert {s.basis for s in specs[2:]} == {basis}
    assert [s.escalate_from for s in specs[2:]] == [date(2026, 12, 8), date(2027, 1, 19)]


def test_orders_that_are_exactly_one_decision_types_whole_set_are_accepted() -> None:
    # {assess, reconsider} is all that refusal_to_assess allows: a subset, not a proper one.
    specs = calculate(
        DECISION,
        cal=CAL,
        tribunal_decision_date=TRIBUNAL,
        orders=[OrderType.assess, OrderType.reconsider],
    )
    # reg 44(2)(b): notify within 2 weeks, decide within 10, final plan within 14; soonest first
    assert [s.key for s in specs if s.key.startswith("order:")] == [
        "order:1:notify_assessment",
        "order:2:reconsider",
        "order:1:decide_not_to_issue",
        "order:1:final_plan",
    ]


def set_aside(decided: date) -> DeadlineSpec:
    (spec,) = [
        s
        for s in calculate(date(2026, 6, 1), cal=CAL, tribunal_decision_date=decided)
        if s.key == "set_aside_application:parent"
    ]
    return spec


def test_one_day_left_out_is_singular() -> None:
    # Decided Mon 30 Aug 2027: 31 August does not count; 28 days from 1 September: Tue 28 Sep.
    spec = set_aside(date(2027, 8, 30))
    assert (spec.due, spec.note) == (
        date(2027, 9, 28),
        "Days from 25 December to 1 January and in August do not count (r.12(3)(b)), so 1 day "
        f"was left out. {STILL}",
    )


def test_a_last_day_on_a_saturday_moves_to_monday_with_its_note() -> None:
    # Decided Sat 3 Oct 2026 + 28 days = Sat 31 Oct 2026; r.12(2): Mon 2 Nov 2026.
    spec = set_aside(date(2026, 10, 3))
    assert (spec.due, spec.note) == (
        date(2026, 11, 2),
        "Saturday 31 October 2026 is not a working day (a Saturday), so r.12(2) moves it to "
        f"the next working day. {STILL}",
    )
