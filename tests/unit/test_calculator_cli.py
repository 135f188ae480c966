"""The deadline calculator (ehcp/calculator.py) and `starter.py deadlines` (cli/deadlines.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.dates_text import format_day_month_year, format_long_date
from ehcp.vocabulary import DecisionType, OrderType, Party
from tests.cli_in_process import CliRun, run_in_process

REPO = Path(__file__).resolve().parents[2]
CAL = WorkingDayCalendar()


def run_cli(*args: str, real_process: bool = False) -> CliRun:
    """`starter.py deadlines *args`: in this process (its `main`), or as a real process."""
    if not real_process:
        return run_in_process(["deadlines", *args])
    done = subprocess.run(
        [sys.executable, "starter.py", "deadlines", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


# ----- dates in words


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2027, 1, 8), "Friday 8 January 2027"),
        (date(2027, 1, 4), "Monday 4 January 2027"),
        (date(2026, 10, 1), "Thursday 1 October 2026"),
        (date(2028, 2, 29), "Tuesday 29 February 2028"),
    ],
)
def test_format_long_date(day: date, text: str) -> None:
    assert format_long_date(day) == text
    assert format_day_month_year(day) == text.split(" ", 1)[1]


# ----- calculate()


def test_calculate_worked_example() -> None:
    specs = calculate(date(2026, 10, 1), certificate_date=date(2026, 11, 29), cal=CAL)
    assert [(s.key, s.due) for s in specs] == [
        ("mediation_contact", date(2026, 12, 1)),
        ("appeal", date(2027, 1, 4)),
    ]


def test_calculate_after_a_tribunal_decision() -> None:
    specs = calculate(
        date(2026, 10, 1),
        decision_type=DecisionType.refusal_to_issue_plan,
        appeal_registered_date=date(2026, 12, 1),
        tribunal_decision_date=date(2027, 1, 8),
        orders=[OrderType.make_plan, OrderType.reconsider],
        recommendations=2,
        cal=CAL,
    )
    got = {s.key: s.due for s in specs}
    assert got == {
        "mediation_contact": date(2026, 12, 1),
        "appeal": date(2026, 12, 1),
        "appeal_response": date(2027, 1, 20),
        "order:1:draft_plan": date(2027, 2, 12),
        "order:1:final_plan": date(2027, 3, 26),
        "order:2:reconsider": date(2027, 1, 22),
        "recommendation_response:1": date(2027, 2, 12),
        "recommendation_response:2": date(2027, 2, 12),
        # either party's last day to challenge the decision (r.45, r.46): 28 days
        "set_aside_application:parent": date(2027, 2, 5),
        "set_aside_application:council": date(2027, 2, 5),
        "permission_to_appeal:parent": date(2027, 2, 5),
        "permission_to_appeal:council": date(2027, 2, 5),
    }
    assert [s.due for s in specs] == sorted(s.due for s in specs)
    assert {s.party for s in specs if s.key.startswith("recommendation")} == {Party.health}


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"certificate_date": date(2026, 9, 30)}, "certificate_date"),
        ({"tribunal_decision_date": date(2026, 9, 1)}, "tribunal_decision_date"),
        ({"appeal_registered_date": date(2026, 9, 1)}, "appeal_registered_date"),
        ({"orders": [OrderType.assess]}, "orders"),
        ({"recommendations": 1}, "recommendations"),
        ({"tribunal_decision_date": date(2027, 1, 8), "recommendations": -1}, "recommendations"),
        (
            {
                "decision_type": DecisionType.refusal_to_assess,
                "tribunal_decision_date": date(2027, 1, 8),
                "recommendations": 1,
            },
            "recommendations",
        ),
    ],
)
def test_calculate_rejects_inputs_that_cannot_go_together(kwargs: dict, argument: str) -> None:
    with pytest.raises(CalculatorInputError) as caught:
        calculate(date(2026, 10, 1), cal=CAL, **kwargs)
    assert caught.value.argument == argument
    assert isinstance(caught.value, ValueError)
    assert argument in str(caught.value)


def test_refusal_to_assess_allows_orders_without_recommendations() -> None:
    specs = calculate(
        date(2026, 10, 1),
        decision_type=DecisionType.refusal_to_assess,
        tribunal_decision_date=date(2027, 1, 8),
        orders=[OrderType.assess],
        cal=CAL,
    )
    assert "order:1:notify_assessment" in {s.key for s in specs}


# ----- the command line


@pytest.mark.parametrize("real_process", [False, True])
def test_cli_table_worked_example(real_process: bool) -> None:
    result = run_cli(
        "--decision-date", "2026-10-01", "--certificate-date", "2026-11-29",
        real_process=real_process,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "Deadlines for a decision sent on Thursday 1 October 2026" in out
    [appeal_line] = [line for line in out.splitlines() if line.startswith("appeal ")]
    assert "Monday 4 January 2027" in appeal_line
    assert "parent / young person" in appeal_line
    assert "HESC Rules r.20(1)(c)(ii); r.12(3)(a); r.12(2)" in appeal_line
    assert appeal_line.endswith("[1]")
    assert "[1] 1 month from the mediation certificate (29 December 2026)" in out
    [contact_line] = [line for line in out.splitlines() if line.startswith("mediation_contact")]
    assert "Tuesday 1 December 2026" in contact_line


def test_cli_json_worked_example() -> None:
    result = run_cli("--decision-date", "2026-10-01", "--certificate-date", "2026-11-29", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["key"] for d in data] == ["mediation_contact", "appeal"]
    appeal = data[1]
    assert appeal["due"] == "2027-01-04"
    assert appeal["party"] == "parent"
    assert appeal["basis"] == "HESC Rules r.20(1)(c)(ii); r.12(3)(a); r.12(2)"
    assert appeal["confirmed"] is True
    assert appeal["title"]
    assert "r.12(3)(a)" in appeal["note"]


def test_cli_marks_unconfirmed_limits() -> None:
    result = run_cli(
        "--decision-date", "2026-10-01", "--tribunal-decision-date", "2027-01-08",
        "--order", "reconsider", "--order", "make_plan", "--recommendations", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    [reconsider] = [line for line in lines if line.startswith("order:1:reconsider")]
    assert "Friday 22 January 2027" in reconsider and reconsider.endswith("basis unconfirmed")
    [draft] = [line for line in lines if line.startswith("order:2:draft_plan")]
    assert "Friday 12 February 2027" in draft and "unconfirmed" not in draft
    [reply] = [line for line in lines if line.startswith("recommendation_response:1")]
    assert reply.endswith("basis unconfirmed")  # reg 6: the day it counts from
    assert any(line.startswith("basis unconfirmed: ") for line in lines)
    assert "docs/law-unconfirmed.md" in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--decision-date", "2026-13-01"], "--decision-date"),
        (["--decision-date", "1 Oct 2026"], "--decision-date"),
        (["--decision-date", "2026-10-01", "--certificate-date", "20261129"], "--certificate-date"),
        (["--decision-date", "2026-10-01", "--decision-type", "nope"], "--decision-type"),
        (
            ["--decision-date", "2026-10-01", "--tribunal-decision-date", "2027-01-08",
             "--order", "nope"],
            "--order",
        ),
        (["--decision-date", "2026-10-01", "--order", "assess"], "--order"),
        (
            ["--decision-date", "2026-10-01", "--tribunal-decision-date", "2027-01-08",
             "--recommendations", "-1"],
            "--recommendations",
        ),
        (
            ["--decision-date", "2026-10-01", "--certificate-date", "2026-09-30"],
            "--certificate-date",
        ),
        (
            ["--decision-date", "2026-10-01", "--tribunal-decision-date", "2026-09-01"],
            "--tribunal-decision-date",
        ),
        (
            ["--decision-date", "2026-10-01", "--decision-type", "refusal_to_assess",
             "--tribunal-decision-date", "2027-01-08", "--recommendations", "2"],
            "--recommendations",
        ),
        ([], "--decision-date"),
    ],
)  # fmt: skip
def test_cli_bad_arguments_give_one_line_and_status_2(args: list[str], option: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert option in lines[0]
    if args:  # argparse's own "required" message has no allowed list
        assert lines[0].startswith(f"error: argument {option}: ")
        assert "(allowed: " in lines[0]


# --- one set of rules with the case (issue 10, fault 12) ----------------------------------


@pytest.mark.parametrize("decision_type", list(DecisionType))
@pytest.mark.parametrize("order", list(OrderType))
def test_the_calculator_refuses_an_order_exactly_when_a_case_does(decision_type, order) -> None:
    from ehcp.case_state import EventRejected, check_event
    from ehcp.models import parse_event
    from tests.unit.casebuilder import CaseBuilder, make_case

    b = CaseBuilder(make_case(decision_type=decision_type, decision_date=date(2026, 10, 1)))
    b.add("mediation_declined", date(2026, 10, 2))
    b.add("mediation_certificate_issued", date(2026, 10, 2), certificate_kind="information_only")
    b.add("appeal_registered", date(2026, 10, 2), tribunal_ref="EH1/26/9")
    event = parse_event({"kind": "tribunal_decision", "date": "2026-11-01", "outcome": "allowed",
                         "orders": [order]})  # fmt: skip
    try:
        check_event(b.state, event, date(2026, 11, 2))
        case_refuses = None
    except EventRejected as rejected:
        case_refuses = str(rejected)
    try:
        calculate(date(2026, 10, 1), decision_type=decision_type, orders=[order],
                  tribunal_decision_date=date(2026, 11, 1), cal=CAL)  # fmt: skip
        calculator_refuses = None
    except CalculatorInputError as error:
        calculator_refuses = error.message
    assert (case_refuses is None) == (calculator_refuses is None), (
        case_refuses,
        calculator_refuses,
    )
    if case_refuses:
        assert calculator_refuses in case_refuses


def test_cli_refuses_make_plan_on_a_refusal_to_assess() -> None:
    result = run_cli(
        "--decision-date", "2026-10-01", "--decision-type", "refusal_to_assess",
        "--tribunal-decision-date", "2026-11-01", "--order", "make_plan",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--order" in result.stderr and "make_plan" in result.stderr
    assert "allowed: assess, reconsider" in result.stderr


def test_orders_without_a_decision_type_must_fit_one_decision() -> None:
    with pytest.raises(CalculatorInputError, match="cannot all follow one decision"):
        calculate(date(2026, 10, 1), orders=[OrderType.assess, OrderType.cease_plan],
                  tribunal_decision_date=date(2026, 11, 1), cal=CAL)  # fmt: skip
