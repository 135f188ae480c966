"""Work out the statutory deadlines that follow from a decision date (no server needed).

Example: python starter.py deadlines --decision-date 2026-10-01 --certificate-date 2026-11-29
"""

from __future__ import annotations

import argparse
import json
import sys

from pydantic import ValidationError

from cli.argtypes import choice, count, iso_date
from cli.parser import fail
from cli.tables import deadline_table
from ehcp.dates_text import format_long_date
from ehcp.orders import MAX_ORDERS, MAX_RECOMMENDATIONS
from ehcp.settings import Settings
from ehcp.vocabulary import DecisionType, OrderType
from service.deadlines import DeadlinesRequest, deadlines
from service.errors import BadInput

#: calculator argument name -> the option that carries it, for error messages
_OPTIONS = {
    "decision_date": "--decision-date",
    "certificate_date": "--certificate-date",
    "appeal_registered_date": "--appeal-registered-date",
    "tribunal_decision_date": "--tribunal-decision-date",
    "orders": "--order",
    "recommendations": "--recommendations",
    "concession_date": "--concession-date",
    "response_sent_date": "--response-sent-date",
    "consent_order_date": "--consent-order-date",
    "written_reasons_date": "--written-reasons-date",
}

#: the later dates: (option, help)
_LATER = (
    (
        "--concession-date",
        "date the council told the tribunal it would not oppose the appeal, before its "
        "response (SEND Regs reg 45): the --order limits run from it",
    ),
    (
        "--response-sent-date",
        "date the council sent its response to the appeal (a concession after it is a "
        "consent order)",
    ),
    (
        "--consent-order-date",
        "date of the tribunal's consent order after a late concession (HESC Rules r.29): the "
        "--order limits run from it",
    ),
    (
        "--written-reasons-date",
        "date the tribunal sent written reasons, when later than its decision (permission to "
        "appeal runs from it, r.46)",
    ),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "deadlines",
        help="work out statutory deadlines from a decision date (no server needed)",
        description=__doc__.splitlines()[0],
    )
    p.add_argument(
        "--decision-date",
        type=iso_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="date the council sent its decision letter",
    )
    p.add_argument(
        "--decision-type",
        type=choice(DecisionType, "decision type"),
        metavar="TYPE",
        help=f"one of: {', '.join(DecisionType)}",
    )
    p.add_argument(
        "--certificate-date",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="date of the mediation certificate",
    )
    p.add_argument(
        "--appeal-registered-date",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="date the tribunal sent the appeal to the council",
    )
    p.add_argument(
        "--tribunal-decision-date",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="date of the tribunal's decision (orders and recommendations run from it)",
    )
    p.add_argument(
        "--order",
        dest="orders",
        type=choice(OrderType, "order type"),
        nargs="+",
        action="extend",
        default=[],
        metavar="TYPE",
        help=f"tribunal order(s), in order: {', '.join(OrderType)}",
    )
    p.add_argument(
        "--recommendations",
        type=count,
        default=0,
        metavar="N",
        help="number of health recommendations the tribunal made",
    )
    for option, text in _LATER:
        p.add_argument(option, type=iso_date, metavar="YYYY-MM-DD", help=text)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # The limits of a tribunal_decision event (ehcp.orders), said the way the CLI says them.
    if len(args.orders) > MAX_ORDERS:
        fail(f"argument --order: {len(args.orders)} orders (allowed: at most {MAX_ORDERS})")
    if args.recommendations > MAX_RECOMMENDATIONS:
        fail(
            f"argument --recommendations: {args.recommendations} recommendations "
            f"(allowed: 0 to {MAX_RECOMMENDATIONS})"
        )
    try:
        request = DeadlinesRequest(
            decision_date=args.decision_date,
            decision_type=args.decision_type,
            certificate_date=args.certificate_date,
            appeal_registered_date=args.appeal_registered_date,
            tribunal_decision_date=args.tribunal_decision_date,
            orders=args.orders,
            recommendations=args.recommendations,
            concession_date=args.concession_date,
            response_sent_date=args.response_sent_date,
            consent_order_date=args.consent_order_date,
            written_reasons_date=args.written_reasons_date,
        )
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        field = str(item["loc"][0]) if item["loc"] else "decision_date"
        option = _OPTIONS.get(field, "--decision-date")
        fail(f"argument {option}: {item['msg'].removeprefix('Value error, ')}")
    try:
        specs = deadlines(request, Settings())
    except BadInput as err:
        where = err.errors[0].field if err.errors else ""
        if where in _OPTIONS:
            fail(f"argument {_OPTIONS[where]}: {err.errors[0].message}")
        fail(err.errors[0].message if err.errors else err.message)
    if args.json:
        json.dump([s.model_dump(mode="json") for s in specs], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        title = f"Deadlines for a decision sent on {format_long_date(args.decision_date)}"
        sys.stdout.write(deadline_table(specs, title))
    return 0
