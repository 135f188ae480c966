"""Work out the statutory deadlines that follow from a decision date (no server needed).

Example: python starter.py deadlines --decision-date 2026-10-01 --certificate-date 2026-11-29
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import TypeVar

from cli.parser import fail
from ehcp.calculator import CalculatorInputError, calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.dates_text import format_long_date
from ehcp.deadline import DeadlineSpec
from ehcp.settings import Settings
from ehcp.vocabulary import DecisionType, OrderType, Party

#: calculator argument name -> the option that carries it, for error messages
_OPTIONS = {
    "certificate_date": "--certificate-date",
    "appeal_registered_date": "--appeal-registered-date",
    "tribunal_decision_date": "--tribunal-decision-date",
    "orders": "--order",
    "recommendations": "--recommendations",
}

_WHO = {
    Party.parent: "parent / young person",
    Party.council: "council",
    Party.mediation_adviser: "mediation adviser",
    Party.health: "health (ICB)",
    Party.social_care: "social care",
    Party.everyone: "everyone",
}

E = TypeVar("E", bound=StrEnum)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(text: str) -> date:
    # date.fromisoformat also takes "20261001" and week dates: be strict, people type these.
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a date: {text!r} (allowed: YYYY-MM-DD, e.g. 2026-10-01)")


def _choice(enum: type[E], what: str) -> Callable[[str], E]:
    def parse(text: str) -> E:
        try:
            return enum(text)
        except ValueError:
            allowed = ", ".join(enum)
            raise argparse.ArgumentTypeError(
                f"unknown {what} {text!r} (allowed: {allowed})"
            ) from None

    return parse


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(
            f"not a whole number of 0 or more: {text!r} (allowed: 0, 1, 2, ...)"
        )
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "deadlines",
        help="work out statutory deadlines from a decision date (no server needed)",
        description=__doc__.splitlines()[0],
    )
    p.add_argument(
        "--decision-date",
        type=_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="date the council sent its decision letter",
    )
    p.add_argument(
        "--decision-type",
        type=_choice(DecisionType, "decision type"),
        metavar="TYPE",
        help=f"one of: {', '.join(DecisionType)}",
    )
    p.add_argument(
        "--certificate-date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="date of the mediation certificate",
    )
    p.add_argument(
        "--appeal-registered-date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="date the tribunal sent the appeal to the council",
    )
    p.add_argument(
        "--tribunal-decision-date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="date of the tribunal's decision (orders and recommendations run from it)",
    )
    p.add_argument(
        "--order",
        dest="orders",
        type=_choice(OrderType, "order type"),
        nargs="+",
        action="extend",
        default=[],
        metavar="TYPE",
        help=f"tribunal order(s), in order: {', '.join(OrderType)}",
    )
    p.add_argument(
        "--recommendations",
        type=_count,
        default=0,
        metavar="N",
        help="number of health recommendations the tribunal made",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cal = WorkingDayCalendar.from_settings(Settings())
    try:
        specs = calculate(
            args.decision_date,
            decision_type=args.decision_type,
            certificate_date=args.certificate_date,
            appeal_registered_date=args.appeal_registered_date,
            tribunal_decision_date=args.tribunal_decision_date,
            orders=args.orders,
            recommendations=args.recommendations,
            cal=cal,
        )
    except CalculatorInputError as err:
        fail(f"argument {_OPTIONS[err.argument]}: {err.message} (allowed: {err.allowed})")
    if args.json:
        json.dump([s.model_dump(mode="json") for s in specs], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(specs, args.decision_date))
    return 0


def render_table(specs: list[DeadlineSpec], decision_date: date) -> str:
    """A plain-text table, then the footnotes: '*' unconfirmed, [n] how a date was moved."""
    header = ("KEY", "DUE", "WHO ACTS", "BASIS", "NOTES")
    rows, notes = [], []
    for s in specs:
        flags = "*" if not s.confirmed else ""
        if s.note:
            notes.append(s.note)
            flags = f"{flags}[{len(notes)}]"
        rows.append((s.key, format_long_date(s.due), _WHO[s.party], s.basis, flags))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"Deadlines for a decision sent on {format_long_date(decision_date)}", ""]
    for r in [header, *rows]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    lines.append("")
    if any(not s.confirmed for s in specs):
        lines.append("* unconfirmed: widely stated, but the regulation text was not checked.")
    lines += [f"[{i}] {note}" for i, note in enumerate(notes, start=1)]
    return "\n".join(lines).rstrip() + "\n"
