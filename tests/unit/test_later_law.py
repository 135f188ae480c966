"""The later routes (issue 11): refusal to re-assess, reg 45 before the response and consent
orders after it, challenging the decision (HESC Rules r.45, r.46), the reg 42(4) notice and the
mediation date notice; the calculator's new inputs; and every rule of the timescale table
either scheduled on some route or documented as not tracked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ehcp import later_clocks as lc
from ehcp import timescales as ts
from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.case_state import EventRejected, check_event, is_overdue
from ehcp.challenges import check_concession_timing
from ehcp.vocabulary import DecisionType, OrderType, Party
from tests.unit.casebuilder import CaseBuilder, ev, make_case
from tests.unit.test_calculator_cli import run_cli

CAL = WorkingDayCalendar()


def appealed(b: CaseBuilder, on: date = date(2026, 10, 20), **fields) -> None:
    b.add("mediation_declined", on - timedelta(days=6))
    b.add(
        "mediation_certificate_issued", on - timedelta(days=5), certificate_kind="information_only"
    )
    b.add("appeal_registered", on, tribunal_ref="EH1/26/1", **fields)


def refuses(b: CaseBuilder, kind: str, on: date, *words: str, **fields) -> None:
    with pytest.raises(EventRejected) as caught:
        check_event(b.state, ev(kind, on, **fields), on)
    for word in words:
        assert word in str(caught.value)


# ----- 1. refusal to re-assess (CFA s.51(2)(d)) ------------------------------------------


def test_every_right_of_appeal_in_s51_2_has_a_decision_type() -> None:
    # (a) assess, (b) issue a plan, (c) plan content / amended content, (d) re-assess,
    # (e) amend after review or re-assessment, (f) cease
    assert {d.value for d in DecisionType} == {
        "refusal_to_assess", "refusal_to_issue_plan", "plan_content", "amended_plan_content",
        "refusal_to_reassess", "refusal_to_amend", "cease_plan",
    }  # fmt: skip


def test_refusal_to_reassess_takes_an_assessment_order_and_recommendations() -> None:
    b = CaseBuilder(make_case("refusal_to_reassess"))
    appealed(b, health_included=True)
    refuses(b, "tribunal_decision", date(2027, 3, 1), "allowed: assess, reconsider",
            outcome="allowed", orders=["make_plan"])  # fmt: skip
    b.add(
        "tribunal_decision",
        date(2027, 3, 1),
        outcome="allowed",
        orders=["assess"],
        recommendations=[{"addressed_to": "health", "summary": "Therapy review"}],
    )
    assert b.due("order:1:notify_assessment") == date(2027, 3, 15)
    assert b.due("recommendation_response:1") == date(2027, 4, 5)


def test_refusal_to_assess_still_has_no_recommendations() -> None:
    b = CaseBuilder(make_case("refusal_to_assess"))
    appealed(b, health_included=True)
    refuses(b, "tribunal_decision", date(2027, 3, 1), "refusal to assess",
            outcome="allowed", orders=["assess"],
            recommendations=[{"addressed_to": "health", "summary": "x"}])  # fmt: skip


def test_calculator_takes_refusal_to_reassess_with_recommendations() -> None:
    specs = calculate(
        date(2026, 10, 1),
        decision_type=DecisionType.refusal_to_reassess,
        tribunal_decision_date=date(2026, 12, 21),
        orders=[OrderType.assess],
        recommendations=1,
        cal=CAL,
    )
    got = {s.key: s.due for s in specs}
    assert got["order:1:notify_assessment"] == date(2027, 1, 4)
    assert got["recommendation_response:1"] == date(2027, 1, 25)


# ----- 2. reg 45 before the response; consent order after it ------------------------------


def test_a_concession_before_the_response_runs_reg_45_from_the_day_the_tribunal_was_told():
    b = CaseBuilder()
    appealed(b)
    check_concession_timing(b.state, ev("appeal_unopposed", date(2026, 11, 2),
                                        concessions=["amend_provision"]))  # fmt: skip
    b.add("appeal_unopposed", date(2026, 11, 2), concessions=["amend_provision"])
    assert b.due("order:1:amended_plan") == date(2026, 12, 7)
    assert b.state.deadlines["order:1:amended_plan"].basis.startswith("SEND Regs reg 45")


def test_a_concession_after_the_response_is_refused_and_points_to_the_consent_order() -> None:
    b = CaseBuilder()
    appealed(b)
    b.add("obligation_met", date(2026, 11, 30), deadline_key="appeal_response")
    late = ev("appeal_unopposed", date(2026, 12, 3), concessions=["amend_provision"])
    check_event(b.state, late, date(2026, 12, 3))  # the unpatched rule (old runs) accepts it
    with pytest.raises(EventRejected, match="record consent_order_made"):
        check_concession_timing(b.state, late)
    # on the day of the response itself, it is still "before it submits its response"
    check_concession_timing(
        b.state, ev("appeal_unopposed", date(2026, 11, 30), concessions=["amend_provision"])
    )


def test_a_consent_order_runs_reg_44_from_the_date_of_the_order_and_ends_the_appeal() -> None:
    b = CaseBuilder()
    appealed(b)
    b.add("hearing_listed", date(2026, 11, 5), hearing_date="2027-02-01")
    b.add("obligation_met", date(2026, 11, 30), deadline_key="appeal_response")
    # ordered on Christmas Eve: reg 44 counts weeks, which r.12(3) does not touch
    b.add("consent_order_made", date(2026, 12, 24), orders=["amend_provision", "amend_placement"])
    spec = b.state.deadlines["order:1:amended_plan"]
    assert (spec.due, spec.basis) == (
        date(2027, 1, 28),
        "HESC Rules r.29 (consent order); SEND Regs reg 44(2)",
    )
    assert b.due("order:2:amended_plan") == date(2027, 1, 7)
    assert b.status("hearing") == "cancelled"
    assert b.state.stage == "compliance"
    refuses(b, "tribunal_decision", date(2027, 1, 5), "needs a registered appeal",
            outcome="allowed", orders=[])  # fmt: skip
    refuses(b, "appeal_registered", date(2027, 1, 5), "already registered",
            tribunal_ref="EH2/27/1")  # fmt: skip


def test_calculator_concession_and_consent_order_dates() -> None:
    specs = calculate(
        date(2026, 10, 1),
        concession_date=date(2026, 12, 24),
        response_sent_date=date(2026, 12, 30),
        orders=[OrderType.make_plan],
        cal=CAL,
    )
    got = {s.key: (s.due, s.basis) for s in specs}
    assert got["order:1:draft_plan"][0] == date(2027, 1, 28)
    assert got["order:1:draft_plan"][1].startswith("SEND Regs reg 45")
    specs = calculate(
        date(2026, 10, 1), consent_order_date=date(2027, 8, 2), orders=[OrderType.assess], cal=CAL
    )
    got = {s.key: (s.due, s.basis) for s in specs}
    assert got["order:1:notify_assessment"] == (
        date(2027, 8, 16),
        "HESC Rules r.29 (consent order); SEND Regs reg 44(2)(b)",
    )


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        (
            {"concession_date": date(2027, 1, 5), "response_sent_date": date(2027, 1, 4)},
            "concession_date",
        ),
        (
            {"concession_date": date(2027, 1, 5), "consent_order_date": date(2027, 2, 1)},
            "consent_order_date",
        ),
        ({"written_reasons_date": date(2027, 1, 5)}, "written_reasons_date"),
        ({"consent_order_date": date(2026, 9, 1)}, "consent_order_date"),
    ],
)
def test_calculator_refuses_later_dates_that_cannot_go_together(kwargs, argument) -> None:
    with pytest.raises(CalculatorInputError) as caught:
        calculate(date(2026, 10, 1), cal=CAL, **kwargs)
    assert caught.value.argument == argument


def test_cli_new_inputs() -> None:
    result = run_cli(
        "--decision-date", "2026-10-01", "--decision-type", "refusal_to_reassess",
        "--tribunal-decision-date", "2026-12-10", "--written-reasons-date", "2026-12-18",
        "--order", "assess", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    import json

    got = {d["key"]: d for d in json.loads(result.stdout)}
    assert got["set_aside_application:parent"]["due"] == "2027-01-15"
    assert got["set_aside_application:parent"]["confirmed"] is False
    assert got["permission_to_appeal:council"]["due"] == "2027-01-25"
    bad = run_cli(
        "--decision-date", "2026-10-01", "--concession-date", "2027-01-05",
        "--response-sent-date", "2027-01-04", "--order", "assess",
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: argument --concession-date: ") or (
        "argument --concession-date" in bad.stderr
    )
    assert "consent order" in bad.stderr and "Traceback" not in bad.stderr


# ----- 3. challenging the decision --------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "expected", "left_out"),
    [
        (date(2026, 12, 10), date(2027, 1, 15), 8),  # 25 Dec-1 Jan not counted
        (date(2027, 7, 20), date(2027, 9, 17), 31),  # August not counted
        (date(2027, 5, 1), date(2027, 6, 1), 0),  # Sat 29 May; Mon 31 May bank holiday
        (date(2026, 12, 31), date(2027, 1, 29), 1),  # 1 January left out
    ],
)
def test_set_aside_28_days_not_counting_christmas_or_august(sent, expected, left_out) -> None:
    [spec] = lc.set_aside_application(sent, [Party.parent], CAL)
    assert spec.due == expected
    assert spec.key == "set_aside_application:parent"
    assert spec.escalate_from is None  # a right, not a duty
    assert (f"{left_out} days were left out" in (spec.note or "")) == (left_out > 1)


def test_permission_counts_from_the_latest_date() -> None:
    b = CaseBuilder()
    appealed(b)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="dismissed", orders=[])
    assert set(k for k in b.state.deadlines if ":" in k) == {
        "set_aside_application:parent",
        "permission_to_appeal:parent",
    }
    b.add("written_reasons_sent", date(2027, 3, 10))
    assert b.due("permission_to_appeal:parent") == date(2027, 4, 7)
    late = b.add("set_aside_applied", date(2027, 4, 2), by="parent")  # after 29 March
    assert late.flags == ["late_application"]
    b.add("set_aside_refused", date(2027, 4, 20))
    # r.46(3): a late set-aside application does not restart the clock
    assert b.due("permission_to_appeal:parent") == date(2027, 4, 7)


def test_an_in_time_set_aside_refusal_restarts_permission() -> None:
    b = CaseBuilder()
    appealed(b)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="partly_allowed", orders=[])
    b.add("set_aside_applied", date(2027, 3, 5), by="council")
    refuses(b, "set_aside_applied", date(2027, 3, 6), "already waiting", by="parent")
    b.add("set_aside_refused", date(2027, 7, 14))
    # 28 days from 14 July, August not counted: 17 in July, 11 in September (Saturday 11th)
    assert b.due("permission_to_appeal:parent") == date(2027, 9, 13)
    assert b.due("permission_to_appeal:council") == date(2027, 9, 13)


def test_unused_rights_are_not_overdue_and_do_not_block_closing() -> None:
    b = CaseBuilder()
    appealed(b)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=["amend_placement"])
    b.add("obligation_met", date(2027, 3, 5), deadline_key="order:1:amended_plan")
    b.refresh(date(2027, 5, 1))
    assert b.status("permission_to_appeal:council") == "missed"
    assert not is_overdue(b.state)
    check_event(
        b.state, ev("case_closed", date(2027, 5, 1), reason="obligations_met"), date(2027, 5, 1)
    )


def test_challenge_events_need_a_decision_in_force() -> None:
    b = CaseBuilder()
    appealed(b)
    for kind, fields in (
        ("written_reasons_sent", {}),
        ("set_aside_applied", {"by": "parent"}),
        ("decision_set_aside", {}),
        ("permission_to_appeal_requested", {"by": "parent"}),
        ("decision_suspended", {}),
    ):
        refuses(b, kind, date(2026, 11, 1), "needs a tribunal_decision", **fields)
    refuses(b, "set_aside_refused", date(2026, 11, 1), "needs a tribunal_decision")
    b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=[])
    refuses(b, "set_aside_refused", date(2027, 3, 2), "no set-aside application is waiting")
    refuses(b, "permission_to_appeal_decided", date(2027, 3, 2), "has not asked",
            by="council", outcome="granted")  # fmt: skip
    b.add("permission_to_appeal_requested", date(2027, 3, 2), by="council")
    refuses(b, "permission_to_appeal_requested", date(2027, 3, 3), "already asked", by="council")


# ----- 4. clocks that were computed but never scheduled ------------------------------------


def test_reg_42_4_health_notice_when_the_council_was_not_a_party() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    b.add("mediation_held", date(2026, 12, 24), outcome="agreement", council_party=False,
          agreed_actions=[{"summary": "x", "by": "health"}])  # fmt: skip
    d = b.state.deadlines["agreement_health_notice"]
    assert (d.due, d.party, d.basis, d.confirmed) == (
        date(2026, 12, 31), Party.health, "SEND Regs reg 42(4)", True,
    )  # fmt: skip
    b.add("obligation_met", date(2026, 12, 30), deadline_key="agreement_health_notice")
    assert b.status("agreement_health_notice") == "met"


def test_no_reg_42_4_notice_when_the_council_was_there() -> None:
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5))
    b.add("mediation_held", date(2026, 10, 20), outcome="agreement")
    assert "agreement_health_notice" not in b.state.deadlines


@pytest.mark.parametrize(
    ("booked", "mediation", "due"),
    [
        (date(2026, 12, 1), date(2027, 1, 4), date(2026, 12, 23)),  # over Christmas
        (date(2026, 4, 1), date(2026, 4, 9), date(2026, 4, 1)),  # Easter: less than 5 days
        (date(2027, 8, 2), date(2027, 9, 1), date(2027, 8, 24)),  # August counts here
    ],
)
def test_mediation_date_notice_five_working_days_before(booked, mediation, due) -> None:
    spec = lc.mediation_date_notice(booked, mediation, CAL)
    assert (spec.key, spec.due, spec.party) == ("mediation_date_notice", due, Party.council)
    assert not spec.confirmed
    if due == booked:
        assert "must agree to the shorter notice" in spec.note


def test_appeal_pushed_into_august_by_r12_2_is_basis_unconfirmed() -> None:
    # 2 months from 31 May 2022 is Sunday 31 July; r.12(2) gives Monday 1 August
    spec = ts.appeal(date(2022, 5, 31), None, CAL)
    assert spec.due == date(2022, 8, 1)
    assert not spec.confirmed and "unconfirmed" in spec.note


def test_christmas_august_citation_has_no_date() -> None:
    spec = ts.appeal(date(2026, 10, 1), date(2026, 11, 29), CAL)
    assert spec.basis == "HESC Rules r.20(1)(c)(ii); r.12(3)(a); r.12(2)"
    assert "2020" not in ts.rule("appeal.christmas_august").basis


def scheduled_rules() -> set[str]:
    """The rule of every deadline the service puts on a case on some route (planning, as the
    workflow runs it) or shows in the calculator."""
    seen: set[str] = set()

    def collect(b: CaseBuilder) -> None:
        seen.update(d.rule for d in b.state.deadlines.values() if d.rule)

    for trigger in ("mediation_declined", "mediation_withdrawn"):
        b = CaseBuilder()
        if trigger == "mediation_withdrawn":
            b.add("mediation_requested", date(2026, 10, 2), health_included=True)
            b.add("mediation_scheduled", date(2026, 10, 3), mediation_date="2026-10-30")
        b.add(trigger, date(2026, 10, 5))
        collect(b)
    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    b.add("mediation_held", date(2026, 10, 20), outcome="agreement", council_party=False,
          agreed_actions=[{"summary": "x", "by": "health"},
                          {"summary": "y", "agreed_due": "2026-11-30"},
                          {"summary": "z", "order": "make_plan"}])  # fmt: skip
    b.add(
        "mediation_certificate_issued", date(2026, 11, 29), certificate_kind="mediation_completed"
    )
    b.add("appeal_registered", date(2026, 12, 1), tribunal_ref="EH1/26/1", health_included=True)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="partly_allowed",
          orders=["amend_provision", "amend_placement"],
          recommendations=[{"addressed_to": "health", "summary": "x"}])  # fmt: skip
    collect(b)
    for decision_type, orders in (
        ("refusal_to_assess", ["assess", "reconsider"]),
        ("refusal_to_issue_plan", ["make_plan"]),
        ("cease_plan", ["continue_plan", "continue_and_amend", "cease_plan"]),
    ):
        b = CaseBuilder(make_case(decision_type))
        appealed(b)
        b.add("tribunal_decision", date(2027, 3, 1), outcome="allowed", orders=orders)
        collect(b)
    # reg 38: the calculator and the planner share `mediation_certificate(not_arranged)`
    seen.add(
        ts.mediation_certificate(date(2026, 10, 5), ts.CertificateTrigger.not_arranged, CAL).rule
    )
    return seen


def test_every_rule_is_scheduled_on_some_route_or_documented_as_not_tracked() -> None:
    seen = scheduled_rules()
    for r in ts.RULES:
        if r.period is None:
            assert r.untracked, f"{r.name} moves other dates: say how in `untracked`"
        if r.untracked:
            continue
        assert r.key is not None, f"{r.name} has a clock but no key"
        assert r.name in seen, f"{r.name} is never scheduled and not documented as untracked"


def test_the_law_pages_list_every_untracked_and_unconfirmed_rule() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    law = (docs / "law.md").read_text()
    unconfirmed = (docs / "law-unconfirmed.md").read_text()
    for r in ts.RULES:
        assert f"`{r.name}`" in law, r.name
        if not r.confirmed:
            assert f"`{r.name}`" in unconfirmed, r.name


# ----- the event flags of `starter.py event` -----------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["set_aside_applied", "--by", "council"], {"by": "council"}),
        (
            ["mediation_scheduled", "--mediation-date", "2027-01-04"],
            {"mediation_date": "2027-01-04"},
        ),
        (
            ["mediation_held", "--outcome", "agreement", "--without-council"],
            {"outcome": "agreement", "council_party": False},
        ),
        (["consent_order_made", "--order", "assess"], {"orders": ["assess"]}),
    ],
)
def test_event_flags_for_the_new_events(argv: list[str], expected: dict) -> None:
    from cli.cases import _event_from_args
    from ehcp.models import parse_event
    from starter import build_parser

    args = build_parser().parse_args(["event", "RUT-2026-0001", *argv, "--date", "2026-12-01"])
    data = _event_from_args(args)
    assert {k: data[k] for k in expected} == expected
    assert parse_event(data).kind == argv[0]


def test_the_status_table_shows_basis_unconfirmed_beside_the_deadline() -> None:
    from cli.tables import deadline_table

    b = CaseBuilder()
    b.add("mediation_requested", date(2026, 10, 5), health_included=True)
    text = deadline_table(list(b.state.deadlines.values()), with_status=True)
    [line] = [row for row in text.splitlines() if row.startswith("icb_mediation_notice")]
    assert "basis unconfirmed" in line and line.endswith("pending")
    [line] = [row for row in text.splitlines() if row.startswith("mediation_contact")]
    assert "unconfirmed" not in line
    assert "docs/law-unconfirmed.md" in text


def test_a_second_set_aside_application_leaves_the_first_one_met() -> None:
    b = CaseBuilder()
    appealed(b)
    b.add("tribunal_decision", date(2027, 3, 1), outcome="dismissed", orders=[])
    b.add("set_aside_applied", date(2027, 3, 10), by="parent")
    b.add("set_aside_refused", date(2027, 3, 20))
    again = b.add("set_aside_applied", date(2027, 4, 20), by="parent")
    assert again.flags == ["late_application"]
    d = b.state.deadlines["set_aside_application:parent"]
    assert (d.status, d.closed_on) == ("met", date(2027, 3, 10))
