"""The statutory clock (ehcp/timescales.py).

Every expected date was checked by hand against a real calendar; weekdays and the holidays
involved are noted alongside.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehcp import timescales as ts
from ehcp.calendar import WorkingDayCalendar, add_months, in_christmas_or_august
from ehcp.timescales import CertificateTrigger
from ehcp.vocabulary import OrderType, Party

CAL = WorkingDayCalendar()
FAST = settings(max_examples=200, deadline=None)
WIDE = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


# ----- the table


def test_rule_names_are_unique_and_every_order_has_steps() -> None:
    names = [r.name for r in ts.RULES]
    assert len(names) == len(set(names))
    for order in OrderType:
        assert ts.order_rules(order), order


def test_table_covers_every_stable_key() -> None:
    keys = {r.key for r in ts.RULES}
    for key in [
        "mediation_contact",
        "appeal",
        "mediation_certificate",
        "mediation_session",
        "icb_mediation_notice",
        "appeal_response",
        "recommendation_response:<n>",
        "agreement_action:<n>",
    ]:
        assert key in keys, key


def test_unconfirmed_rows_are_exactly_those_the_doc_marks() -> None:
    unconfirmed = {r.name for r in ts.RULES if not r.confirmed}
    # docs/law-unconfirmed.md lists each of these with what was checked and what is open
    assert unconfirmed == {
        "mediation_certificate.withdrawn",
        "icb_mediation_notice",  # regs 35-37: numbering
        "mediation_session",  # reg 37: numbering
        "mediation_session.health_only",
        "mediation_date_notice",  # regulation number
        "mediation_certificate.not_arranged",  # reg 38: numbering
        "mediation_certificate.concluded",  # reg 39: numbering
        "order.reconsider.reconsider",
        "order.continue_and_amend.continue",
        "order.continue_and_amend.amended_plan",
        "set_aside_application",  # r.45(2): primary text not read
        "recommendation_response",  # reg 6: the start date
    }


def test_period_text_reads_like_the_doc() -> None:
    assert str(ts.rule("appeal.after_decision").period) == "2 months"
    assert str(ts.rule("appeal.after_certificate").period) == "1 month"
    assert str(ts.rule("appeal_response").period) == "30 working days"
    assert str(ts.rule("order.cease_plan.cease").period) == "immediately"
    assert ts.rule("appeal.christmas_august").period is None


# ----- appeal (r.20, r.12)


def test_ipsea_worked_example() -> None:
    # decision Thu 1 Oct 2026, certificate Sun 29 Nov 2026: 2 months -> 1 Dec, 1 month ->
    # 29 Dec (later), in 25 Dec - 1 Jan -> first working day after 1 Jan = Mon 4 Jan 2027
    spec = ts.appeal(date(2026, 10, 1), date(2026, 11, 29), CAL)
    assert spec.key == "appeal"
    assert spec.due == date(2027, 1, 4)
    assert spec.party is Party.parent
    assert spec.basis == "HESC Rules r.20(1)(c)(ii); r.12(3)(a); r.12(2)"
    assert spec.confirmed
    assert spec.escalate_from is None
    assert "29 December 2026 falls between 25 December and 1 January" in spec.note
    assert "first working day after 1 January" in spec.note


def test_appeal_without_certificate_is_two_months() -> None:
    spec = ts.appeal(date(2026, 10, 1), None, CAL)
    assert spec.due == date(2026, 12, 1)  # Tue
    assert spec.basis.startswith("HESC Rules r.20(1)(c)(i);")
    assert spec.note is None


def test_earlier_certificate_does_not_shorten_the_appeal() -> None:
    # 1 month from 15 Oct is 15 Nov, earlier than 1 Dec
    spec = ts.appeal(date(2026, 10, 1), date(2026, 10, 15), CAL)
    assert spec.due == date(2026, 12, 1)
    assert "(c)(i)" in spec.basis


@pytest.mark.parametrize(
    ("decision", "certificate", "expected", "why"),
    [
        # last day Fri 1 Jan 2027 (New Year's Day) -> first working day after 1 Jan: Mon 4 Jan
        (date(2026, 11, 1), None, date(2027, 1, 4), "between 25 December and 1 January"),
        # last day Sat 25 Dec 2027 -> 1 Jan 2028 is a Saturday, Mon 3 Jan its substitute ->
        # Tue 4 Jan 2028
        (date(2027, 10, 25), None, date(2028, 1, 4), "between 25 December and 1 January"),
        # last day Mon 27 Dec 2027 (substitute day) -> also Tue 4 Jan 2028
        (date(2027, 10, 27), None, date(2028, 1, 4), "between 25 December and 1 January"),
        # last day Sun 15 Aug 2027 -> first working day after 31 Aug: Wed 1 Sep 2027
        (date(2027, 6, 15), None, date(2027, 9, 1), "in August"),
        # last day Fri 10 Aug 2029 -> 1 Sep 2029 is a Saturday -> Mon 3 Sep 2029
        (date(2029, 6, 10), None, date(2029, 9, 3), "in August"),
        # certificate Sun 1 Aug 2027 -> 1 Sep 2027 is later and outside August: no move
        (date(2027, 6, 1), date(2027, 8, 1), date(2027, 9, 1), None),
        # certificate 31 Jul 2027 -> 31 Aug 2027 (Tue) -> Wed 1 Sep 2027
        (date(2027, 6, 1), date(2027, 7, 31), date(2027, 9, 1), "in August"),
    ],
)
def test_appeal_christmas_and_august(
    decision: date, certificate: date | None, expected: date, why: str | None
) -> None:
    spec = ts.appeal(decision, certificate, CAL)
    assert spec.due == expected
    if why is None:
        assert spec.note is None or "r.12(3)(a)" not in spec.note
    else:
        assert why in spec.note and "r.12(3)(a)" in spec.note


@pytest.mark.parametrize(
    ("decision", "expected", "reason"),
    [
        (date(2026, 1, 14), date(2026, 3, 16), "a Saturday"),  # Sat 14 Mar -> Mon 16 Mar
        (date(2026, 1, 15), date(2026, 3, 16), "a Sunday"),  # Sun 15 Mar -> Mon 16 Mar
        (date(2026, 3, 4), date(2026, 5, 5), "May Day"),  # Mon 4 May -> Tue 5 May
        (date(2026, 2, 3), date(2026, 4, 7), "Good Friday"),  # Fri 3 Apr, Easter Mon -> Tue 7
        (date(2021, 11, 3), date(2022, 1, 4), "New Year's Day (observed)"),  # Mon 3 Jan 2022
        (date(2020, 3, 8), date(2020, 5, 11), "May Day"),  # Fri 8 May 2020 (VE Day) -> Mon 11
        (date(2022, 7, 19), date(2022, 9, 20), "State Funeral"),  # Mon 19 Sep 2022 -> Tue
        (date(2023, 3, 8), date(2023, 5, 9), "Coronation"),  # Mon 8 May 2023 -> Tue 9 May
        (date(2026, 12, 31), date(2027, 3, 1), "a Sunday"),  # 28 Feb 2027 (Sun) -> Mon 1 Mar
    ],
)
def test_appeal_on_non_working_days_moves_to_next_working_day(
    decision: date, expected: date, reason: str
) -> None:
    spec = ts.appeal(decision, None, CAL)
    assert spec.due == expected
    assert reason in spec.note and "r.12(2)" in spec.note


def test_appeal_month_end_in_a_leap_year_is_kept() -> None:
    # 31 Dec 2027 + 2 months = Tue 29 Feb 2028, a working day
    spec = ts.appeal(date(2027, 12, 31), None, CAL)
    assert spec.due == date(2028, 2, 29)
    assert spec.note is None


def test_certificate_month_end_clamps() -> None:
    # certificate 31 Jan 2027 + 1 month = Sun 28 Feb 2027 -> Mon 1 Mar 2027
    spec = ts.appeal(date(2026, 12, 1), date(2027, 1, 31), CAL)
    assert spec.due == date(2027, 3, 1)
    assert "(c)(ii)" in spec.basis


def test_appeal_ending_on_24_december_saturday_uses_r12_2_only() -> None:
    # The time ends on Sat 24 Dec 2022, outside 25 Dec - 1 Jan, so r.12(3)(a) does not apply;
    # r.12(2) gives the next working day: Mon 26 (Boxing Day) and Tue 27 (Christmas Day
    # observed) are holidays -> Wed 28 Dec 2022. (Literal reading; the safer, earlier date.)
    spec = ts.appeal(date(2022, 10, 24), None, CAL)
    assert spec.due == date(2022, 12, 28)
    assert "so r.12(3)(a) moves it" not in spec.note
    # ...but whether r.12(3)(a) then applies to the moved date is unconfirmed: staff see it
    assert not spec.confirmed
    assert "earlier date is kept" in spec.note


def test_appeal_on_an_extra_configured_day() -> None:
    cal = WorkingDayCalendar([date(2026, 12, 1)])
    spec = ts.appeal(date(2026, 10, 1), None, cal)
    assert spec.due == date(2026, 12, 2)  # Wed
    assert "configured" in spec.note


# ----- council's response (r.21, r.12(3)(b), r.12(4))


def test_appeal_response_over_easter() -> None:
    # registered Mon 2 Mar 2026: 21 working days in March, then 1, 2 Apr, [Good Friday,
    # Easter Monday], 7-10, 13, 14, 15 Apr -> Wed 15 Apr 2026
    spec = ts.appeal_response(date(2026, 3, 2), CAL)
    assert spec.key == "appeal_response"
    assert spec.due == date(2026, 4, 15)
    assert spec.party is Party.council
    assert spec.escalate_from == date(2026, 4, 16)
    assert spec.note is None


def test_appeal_response_does_not_count_august() -> None:
    # registered Mon 20 Jul 2026: 21-24 and 27-31 Jul (9), all of August left out (20 working
    # days), 1-4 Sep (13), 7-11 (18), 14-18 (23), 21-25 (28), 28, 29 Sep -> Tue 29 Sep 2026
    spec = ts.appeal_response(date(2026, 7, 20), CAL)
    assert spec.due == date(2026, 9, 29)
    assert "20 working days were left out" in spec.note
    assert spec.basis == "HESC Rules r.21; r.12(3)(b); r.12(2)"


def test_appeal_response_does_not_count_christmas() -> None:
    # registered Tue 1 Dec 2026: 17 working days to 24 Dec, [29, 30, 31 Dec left out],
    # 4-8 Jan (22), 11-15 (27), 18, 19, 20 Jan -> Wed 20 Jan 2027
    spec = ts.appeal_response(date(2026, 12, 1), CAL)
    assert spec.due == date(2027, 1, 20)
    assert spec.escalate_from == date(2027, 1, 21)
    assert "3 working days were left out" in spec.note


def test_appeal_response_date_given_by_the_tribunal_wins() -> None:
    spec = ts.appeal_response(date(2026, 12, 1), CAL, tribunal_given=date(2027, 2, 10))
    assert spec.due == date(2027, 2, 10)  # Wed
    assert "date directed by the tribunal" in spec.basis
    assert spec.note is None


def test_tribunal_date_on_a_weekend_moves_to_monday() -> None:
    spec = ts.appeal_response(date(2026, 12, 1), CAL, tribunal_given=date(2027, 2, 13))
    assert spec.due == date(2027, 2, 15)  # Sat -> Mon
    assert "Saturday 13 February 2027" in spec.note


# ----- mediation


def test_mediation_contact_is_two_months_and_never_moved() -> None:
    assert ts.mediation_contact(date(2026, 10, 1), CAL).due == date(2026, 12, 1)
    # Sat 14 Mar 2026 and Tue 29 Dec 2026 stay: reg 33 is not a Tribunal Rules limit
    sat = ts.mediation_contact(date(2026, 1, 14), CAL)
    assert sat.due == date(2026, 3, 14)
    assert sat.note is None
    assert ts.mediation_contact(date(2026, 10, 29), CAL).due == date(2026, 12, 29)
    spec = ts.mediation_contact(date(2026, 12, 31), CAL)
    assert spec.due == date(2027, 2, 28)
    assert (spec.key, spec.party, spec.basis) == (
        "mediation_contact",
        Party.parent,
        "SEND Regs reg 33",
    )


@pytest.mark.parametrize(
    ("trigger", "basis", "confirmed"),
    [
        (CertificateTrigger.declined, "SEND Regs reg 34", True),
        (CertificateTrigger.withdrawn, "SEND Regs reg 34 (applied to a withdrawal", False),
        (CertificateTrigger.not_arranged, "SEND Regs reg 38 (numbering unconfirmed)", False),
        (CertificateTrigger.concluded, "SEND Regs reg 39 (numbering unconfirmed)", False),
    ],
)
def test_certificate_over_christmas_2026(
    trigger: CertificateTrigger, basis: str, confirmed: bool
) -> None:
    # Wed 23 Dec 2026: Thu 24 (1), [Fri 25, weekend, Mon 28 Boxing Day observed], Tue 29 (2),
    # Wed 30 (3)
    spec = ts.mediation_certificate(date(2026, 12, 23), trigger, CAL)
    assert spec.key == "mediation_certificate"
    assert spec.due == date(2026, 12, 30)
    assert spec.party is Party.mediation_adviser
    assert spec.basis.startswith(basis)
    assert spec.confirmed is confirmed
    assert spec.escalate_from is None  # the adviser is independent: no council escalation


def test_certificate_over_christmas_2027_substitute_days() -> None:
    # Fri 24 Dec 2027: [Sat, Sun, Mon 27 and Tue 28 substitutes], 29 (1), 30 (2), Fri 31 (3)
    spec = ts.mediation_certificate(date(2027, 12, 24), CertificateTrigger.concluded, CAL)
    assert spec.due == date(2027, 12, 31)


def test_certificate_over_easter() -> None:
    # Thu 2 Apr 2026: [Good Friday, weekend, Easter Monday], 7, 8, Thu 9 Apr
    spec = ts.mediation_certificate(date(2026, 4, 2), "declined", CAL)
    assert spec.due == date(2026, 4, 9)


def test_icb_notice_three_working_days() -> None:
    spec = ts.icb_mediation_notice(date(2026, 4, 2), CAL)
    assert spec.key == "icb_mediation_notice"
    assert spec.due == date(2026, 4, 9)
    assert spec.party is Party.council
    assert not spec.confirmed and "numbering unconfirmed" in spec.basis
    assert spec.escalate_from == date(2026, 4, 10)


def test_mediation_session_thirty_calendar_days() -> None:
    spec = ts.mediation_session(date(2026, 12, 10), CAL)
    assert spec.key == "mediation_session"
    assert spec.due == date(2027, 1, 9)  # Sat: calendar days, not moved
    assert spec.party is Party.council
    assert spec.basis == "SEND Regs reg 37 (numbering unconfirmed)"
    assert spec.escalate_from == date(2027, 1, 11)  # Mon
    health = ts.mediation_session(date(2026, 12, 10), CAL, health_only=True)
    assert health.party is Party.health
    assert health.due == date(2027, 1, 9)
    # the calendar only feeds escalate_from; without one, the package's bank holidays are used
    assert ts.mediation_session(date(2026, 12, 10)) == spec


# ----- recommendations


def test_recommendation_response_five_weeks() -> None:
    spec = ts.recommendation_response(date(2027, 1, 8), 2, Party.health, CAL)
    assert spec.key == "recommendation_response:2"
    assert spec.due == date(2027, 2, 12)  # Fri
    assert spec.party is Party.health
    assert spec.basis == "Recommendations Regs reg 6 (start date unconfirmed)"
    assert spec.escalate_from == date(2027, 2, 15)  # Mon
    social = ts.recommendation_response(date(2027, 1, 8), 1, Party.social_care, CAL)
    assert social.party is Party.social_care
    assert social.title.startswith("Social care")


def test_recommendations_go_to_health_or_social_care_only() -> None:
    with pytest.raises(ValueError, match="health or social_care"):
        ts.recommendation_response(date(2027, 1, 8), 1, Party.parent, CAL)


# ----- tribunal orders (reg 44) and unopposed appeals (reg 45)

ORDER_DATE = date(2027, 1, 8)  # Fri
EXPECTED_STEPS = {
    OrderType.assess: [
        ("notify_assessment", date(2027, 1, 22), True),
        ("decide_not_to_issue", date(2027, 3, 19), True),
        ("final_plan", date(2027, 4, 16), True),
    ],
    OrderType.make_plan: [
        ("draft_plan", date(2027, 2, 12), True),
        ("final_plan", date(2027, 3, 26), True),  # Good Friday 2027: not moved
    ],
    OrderType.reconsider: [("reconsider", date(2027, 1, 22), False)],
    OrderType.amend_provision: [("amended_plan", date(2027, 2, 12), True)],
    OrderType.amend_placement: [("amended_plan", date(2027, 1, 22), True)],
    OrderType.continue_plan: [("continue", ORDER_DATE, True)],
    OrderType.continue_and_amend: [
        ("continue", ORDER_DATE, False),
        ("amended_plan", date(2027, 2, 12), False),
    ],
    OrderType.cease_plan: [("cease", ORDER_DATE, True)],
}


def test_expected_steps_cover_every_order_type() -> None:
    assert set(EXPECTED_STEPS) == set(OrderType)


@pytest.mark.parametrize("order", list(OrderType))
def test_order_steps_opposed(order: OrderType) -> None:
    specs = ts.order_steps(order, 3, ORDER_DATE, CAL)
    got = [(s.key, s.due, s.confirmed) for s in specs]
    assert got == [(f"order:3:{step}", due, ok) for step, due, ok in EXPECTED_STEPS[order]]
    for s in specs:
        assert s.party is Party.council
        letter = {OrderType.cease_plan: "(a)", OrderType.assess: "(b)", OrderType.make_plan: "(c)"}
        assert s.basis == "SEND Regs reg 44(2)" + letter.get(order, "")
        assert s.escalate_from == CAL.next_working_day(s.due)


@pytest.mark.parametrize("order", list(OrderType))
def test_order_steps_unopposed(order: OrderType) -> None:
    specs = ts.order_steps(order, 1, ORDER_DATE, CAL, unopposed=True)
    assert [(s.key, s.due) for s in specs] == [
        (f"order:1:{step}", due) for step, due, _ in EXPECTED_STEPS[order]
    ]
    listed = order in {
        OrderType.assess,
        OrderType.make_plan,
        OrderType.amend_provision,
        OrderType.amend_placement,
    }
    for s, (_, _, ok) in zip(specs, EXPECTED_STEPS[order], strict=True):
        assert s.basis.startswith("SEND Regs reg 45 (as amended by SI 2015/359)")
        if listed:
            assert "reg 44(2)" not in s.basis
        else:
            assert "reg 44(2) limit used (unconfirmed)" in s.basis
        assert s.confirmed is (ok and listed)


def test_order_on_good_friday_escalates_after_easter_monday() -> None:
    final = ts.order_steps(OrderType.make_plan, 1, ORDER_DATE, CAL)[1]
    assert final.due == date(2027, 3, 26)  # Good Friday
    assert final.escalate_from == date(2027, 3, 30)  # Tue, after Easter Monday


def test_order_limits_are_not_moved_off_holidays() -> None:
    # Fri 18 Dec 2026 + 2 weeks = Fri 1 Jan 2027 (New Year's Day): SEND Regs limits stay put
    spec = ts.order_steps(OrderType.amend_placement, 1, date(2026, 12, 18), CAL)[0]
    assert spec.due == date(2027, 1, 1)
    assert spec.escalate_from == date(2027, 1, 4)


# ----- mediation agreements (reg 42)


def test_agreement_on_other_matters_council_two_weeks() -> None:
    [spec] = ts.agreement_action(1, ORDER_DATE, CAL, by=Party.council)
    assert spec.key == "agreement_action:1"
    assert spec.due == date(2027, 1, 22)
    assert spec.party is Party.council
    assert spec.basis == "SEND Regs reg 42(3)"
    assert spec.escalate_from == date(2027, 1, 25)


def test_agreement_on_other_matters_health_two_weeks_with_notice_note() -> None:
    # reg 42(3): the commissioning body also has 2 weeks; reg 42(4)'s 1 week is its notice
    # to the council, when the council was not at the mediation
    [spec] = ts.agreement_action(2, ORDER_DATE, CAL, by=Party.health)
    assert spec.due == date(2027, 1, 22)
    assert spec.party is Party.health
    assert "reg 42(4)" in spec.note


def test_agreement_with_a_time_agreed_in_writing() -> None:
    [spec] = ts.agreement_action(
        3, ORDER_DATE, CAL, by=Party.council, order=OrderType.make_plan, agreed_due=date(2027, 3, 1)
    )
    assert spec.key == "agreement_action:3"
    assert spec.due == date(2027, 3, 1)
    assert "reg 42(5)" in spec.basis


def test_agreement_on_appealable_matters_runs_on_reg_44_limits() -> None:
    specs = ts.agreement_action(4, ORDER_DATE, CAL, by=Party.council, order=OrderType.make_plan)
    assert [(s.key, s.due) for s in specs] == [
        ("agreement_action:4:draft_plan", date(2027, 2, 12)),
        ("agreement_action:4:final_plan", date(2027, 3, 26)),
    ]
    assert all(s.basis.startswith("SEND Regs reg 42(2)") for s in specs)
    [single] = ts.agreement_action(5, ORDER_DATE, CAL, by=Party.council, order="amend_placement")
    assert (single.key, single.due) == ("agreement_action:5", date(2027, 1, 22))
    [unconfirmed] = ts.agreement_action(6, ORDER_DATE, CAL, by=Party.council, order="reconsider")
    assert not unconfirmed.confirmed


def test_agreement_refuses_parties_who_cannot_owe_the_action() -> None:
    with pytest.raises(ValueError, match="council or health"):
        ts.agreement_action(1, ORDER_DATE, CAL, by=Party.parent)


def test_appealable_agreement_recorded_against_health_falls_to_the_council() -> None:
    specs = ts.agreement_action(1, ORDER_DATE, CAL, by=Party.health, order=OrderType.make_plan)
    assert [(s.key, s.due, s.party) for s in specs] == [
        ("agreement_action:1:draft_plan", date(2027, 2, 12), Party.council),
        ("agreement_action:1:final_plan", date(2027, 3, 26), Party.council),
    ]
    assert all("Reg 42(2) makes the council responsible" in s.note for s in specs)


# ----- meetings


def test_meetings_are_reminders_only() -> None:
    spec = ts.meeting("hearing", date(2027, 5, 11), "SEND Tribunal hearing")
    assert (spec.key, spec.due, spec.party) == ("hearing", date(2027, 5, 11), Party.everyone)
    assert spec.basis == "Hearing date listed by the First-tier Tribunal"
    assert spec.escalate_from is None
    wfm = ts.meeting("way_forward_meeting", date(2026, 11, 3), "Way forward meeting")
    assert "no statutory clock" in wfm.basis
    with pytest.raises(ValueError, match="allowed: way_forward_meeting, hearing"):
        ts.meeting("coffee", date(2026, 11, 3), "Coffee")


# ----- properties


@FAST
@given(WIDE, st.one_of(st.none(), st.integers(min_value=0, max_value=120)))
def test_appeal_is_a_working_day_never_before_either_candidate(
    decision: date, certificate_gap: int | None
) -> None:
    certificate = None if certificate_gap is None else decision + timedelta(days=certificate_gap)
    spec = ts.appeal(decision, certificate, CAL)
    candidates = [add_months(decision, 2)]
    if certificate is not None:
        candidates.append(add_months(certificate, 1))
    assert all(spec.due >= c for c in candidates)
    assert CAL.is_working_day(spec.due)
    if in_christmas_or_august(max(candidates)):
        assert not in_christmas_or_august(spec.due)
    assert (spec.due - max(candidates)).days <= 36  # 1 August is the longest move
    assert spec == ts.appeal(decision, certificate, CAL)  # deterministic


@FAST
@given(WIDE)
def test_appeal_response_is_a_counted_working_day(registered: date) -> None:
    spec = ts.appeal_response(registered, CAL)
    assert CAL.is_working_day(spec.due)
    assert not in_christmas_or_august(spec.due)
    assert spec.due > CAL.add_working_days(registered, 29)
    assert spec.escalate_from == CAL.next_working_day(spec.due)
    assert spec == ts.appeal_response(registered, CAL)


@FAST
@given(WIDE, st.sampled_from(list(OrderType)), st.booleans())
def test_order_steps_never_before_the_order_and_in_table_order(
    order_date: date, order: OrderType, unopposed: bool
) -> None:
    specs = ts.order_steps(order, 1, order_date, CAL, unopposed=unopposed)
    dues = [s.due for s in specs]
    assert dues == sorted(dues)
    assert dues[0] >= order_date
    assert all(CAL.is_working_day(s.escalate_from) and s.escalate_from > s.due for s in specs)
