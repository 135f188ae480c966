"""Back-office commands that talk to Temporal: start, event, status, timeline, list.

A thin client of the service layer (service/): the same checks and operations as the HTTP
API. The caller is the operator at this terminal (`cli:<os user>`), who sees every council.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from cli.argtypes import (
    case_ref,
    choice,
    council_code,
    count,
    days,
    email_address,
    event_id,
    iso_date,
    one_of,
    read_json,
)
from cli.event_help import field_values, kinds_help
from cli.parser import USAGE_ERROR, fail
from cli.runner import emit_json, run_async
from cli.tables import deadline_table, print_table, timeline_rows
from ehcp.models import EVENT_KINDS
from ehcp.settings import Settings
from ehcp.uktime import london_date
from ehcp.vocabulary import DecisionType, OrderType, Stage
from service.callers import operator
from service.errors import BadInput
from service.inputs import check_case, check_event
from service.listing import CaseFilter, scoped_filter

if TYPE_CHECKING:
    from service.operations import Cases

#: tries of an event when the case has its 10 events in flight (Temporal's limit)
UPDATE_TRIES = 6


def _today():
    return london_date(datetime.now(UTC))


def _checked(check, *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except BadInput as error:
        fail(error.message)


def _given_flags(args: argparse.Namespace, names: tuple[str, ...]) -> list[str]:
    return [
        f"--{name.replace('_', '-')}"
        for name in names
        if getattr(args, name, None) not in (None, [], False)
    ]


def _shell_invocation() -> str:
    """How this CLI was run, so that a printed next command works as printed."""
    python = os.path.relpath(sys.executable)
    python = sys.executable if python.startswith("..") else python
    return shlex.join([python, sys.argv[0] or "starter.py"])


# -- start ----------------------------------------------------------------------------------

CASE_FLAGS = (
    "case_ref",
    "council",
    "decision_type",
    "decision_date",
    *(f"{role}_{part}" for role in ("parent", "caseworker", "second_contact", "health_contact")
      for part in ("name", "email")),
)  # fmt: skip


def _case_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.json:
        if flags := _given_flags(args, CASE_FLAGS):
            fail(f"{', '.join(flags)} and --json both give the case; give it one way")
        return read_json(args.json, "--json")
    missing = [
        f"--{name.replace('_', '-')}"
        for name in CASE_FLAGS
        if name in ("case_ref", "decision_type", "decision_date")
        or name.startswith(("parent_", "caseworker_"))
        if getattr(args, name) is None
    ]
    if missing:
        fail(f"missing {', '.join(missing)} (or give the whole case with --json FILE|-)")
    data: dict[str, Any] = {
        "case_ref": args.case_ref,
        "decision_type": args.decision_type,
        "decision_date": args.decision_date.isoformat(),
        "parent": {"name": args.parent_name, "email": args.parent_email},
        "caseworker": {"name": args.caseworker_name, "email": args.caseworker_email},
    }
    if args.council:
        data["council"] = args.council
    if args.parent_mobile:
        data["parent"]["mobile"] = args.parent_mobile
    if args.parent_contact_preference:
        data["parent"]["contact_preference"] = args.parent_contact_preference
    for role in ("second_contact", "health_contact"):
        name, email = getattr(args, f"{role}_name"), getattr(args, f"{role}_email")
        if name or email:
            data[role] = {"name": name, "email": email}
    return data


def prepare_start(args: argparse.Namespace) -> None:
    councils = Settings().councils
    args.case = _checked(check_case, _case_from_args(args), _today(), councils=councils)


async def start(args: argparse.Namespace, cases: Cases) -> int:
    started = await cases.start(operator(), args.case)
    if args.json_out:
        emit_json(started)
    else:
        print(f"started case {started.case_ref} (workflow {started.workflow_id})")
        print(f"next: {_shell_invocation()} status {started.case_ref}")
    return 0


# -- event ----------------------------------------------------------------------------------

#: option dest -> event field, for the flag form of `event`
EVENT_FIELDS = (
    "date",
    "recorded_by",
    "notes",
    "outcome",
    "meeting_date",
    "hearing_date",
    "health_included",
    "social_care_included",
    "certificate_kind",
    "tribunal_ref",
    "placement_only",
    "response_due",
    "concessions",
    "orders",
    "recommendation",
    "followed",
    "reasons",
    "deadline_key",
    "reason",
    "mediation_date",
    "council_party",
    "by",
)


def _event_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.json:
        if flags := _given_flags(args, (*EVENT_FIELDS, "recommendations")):
            fail(f"{', '.join(flags)} and --json both give the event; give it one way")
        data = read_json(args.json, "--json")
        if not isinstance(data, dict):
            fail("--json: an event must be a JSON object with a kind and a date")
        return data
    if not args.kind:
        fail(f"give KIND (one of: {', '.join(EVENT_KINDS)}) or --json FILE|-")
    data: dict[str, Any] = {"kind": args.kind}
    for name in EVENT_FIELDS:
        value = getattr(args, name, None)
        if value is not None and value != []:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    if args.recommendations:
        data["recommendations"] = [
            {"addressed_to": to, "summary": summary} for to, summary in args.recommendations
        ]
    contact = {
        field: getattr(args, f"contact_{field}")
        for field in ("name", "email", "mobile", "preference")
        if getattr(args, f"contact_{field}", None)
    }
    if contact:  # contact_updated: the new details
        if "preference" in contact:
            contact["contact_preference"] = contact.pop("preference")
        data["contact"] = contact
    if args.role:
        data["role"] = args.role
    data.setdefault("date", _today().isoformat())
    return data


def prepare_event(args: argparse.Namespace) -> None:
    data = _event_from_args(args)
    # the operator's identity, unless they say whom they record for (--recorded-by, JSON)
    data.setdefault("recorded_by", operator().name)
    args.event = _checked(check_event, data, _today(), kind=args.kind)


async def record_event(args: argparse.Namespace, cases: Cases) -> int:
    receipt = await cases.record_event(
        operator(), args.case_ref, args.event, args.event_id, tries=UPDATE_TRIES
    )
    if args.json_out:
        emit_json(receipt)
        return 0
    flags = f" [{', '.join(receipt.flags)}]" if receipt.flags else ""
    print(f"recorded {receipt.kind} as event {receipt.seq}; stage {receipt.stage}{flags}")
    if receipt.deadlines:
        sys.stdout.write(deadline_table(receipt.deadlines))
    return 0


# -- status, timeline, list -----------------------------------------------------------------


async def status(args: argparse.Namespace, cases: Cases) -> int:
    result = await cases.status(operator(), args.case_ref)
    if args.json_out:
        emit_json(result)
        return 0
    closed = f", closed: {result.closed_reason}" if result.closed_reason else ""
    overdue = "  OVERDUE" if result.overdue else ""
    print(f"case {result.case_ref} ({result.decision_type}, decision {result.decision_date})")
    print(f"stage: {result.stage}{closed}{overdue}; events recorded: {result.events}")
    sys.stdout.write(deadline_table(result.deadlines, with_status=True))
    print(f"reminders sent: {len(result.reminders_sent)}")
    return 0


async def timeline(args: argparse.Namespace, cases: Cases) -> int:
    result = await cases.timeline(operator(), args.case_ref)
    if args.json_out:
        emit_json(result)
        return 0
    rows = timeline_rows(result.events)
    print_table(rows)
    return 0


def case_filter(args: argparse.Namespace) -> CaseFilter:
    """The list's filters as the service defines them (service.listing.CaseFilter): the same
    as the API's query parameters."""
    return CaseFilter(
        overdue=True if args.overdue else None,
        due_within=args.due_within,
        stage=args.stage,
        decision_type=args.decision_type,
        council=args.council,
        caseworker=args.caseworker,
        closed=args.closed,
        case_ref=args.case_ref,
    )


def case_ref_part(text: str) -> str:
    """Part of a case reference, as CaseFilter.case_ref takes it (its one definition)."""
    try:
        return CaseFilter(case_ref=text).case_ref or text
    except ValidationError:
        raise argparse.ArgumentTypeError(
            f"{text[:50]!r} is not part of a case reference (letters, digits and hyphens, "
            "at most 40 characters)"
        ) from None


def prepare_list(args: argparse.Namespace) -> None:
    """The service's council check (scoped_filter, as the API and pages), before connecting:
    an unknown council is one line and exit status 2, not an empty list."""
    try:
        args.filter = scoped_filter(operator(), case_filter(args), Settings().councils)
    except BadInput as error:
        fail(error.message, error.exit_status)


async def list_cases(args: argparse.Namespace, cases: Cases) -> int:
    found = await cases.list_all(operator(), args.filter)
    if args.json_out:
        emit_json(found)
        return 0
    rows = [["case", "stage", "next deadline", "overdue", "decision type"]]
    rows += [
        [
            c.case_ref,
            c.stage or "-",
            c.next_deadline.isoformat() if c.next_deadline else "-",
            f"since {c.overdue_since.isoformat()}"
            if c.overdue_since
            else ("yes" if c.overdue else ""),
            c.decision_type or "-",
        ]
        for c in found
    ]
    print_table(rows)
    print(f"{len(found)} case(s)")
    return 0


# -- registration ---------------------------------------------------------------------------


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", dest="json_out", action="store_true", help="print JSON")


def _recommendation(text: str) -> tuple[str, str]:
    to, _, summary = text.partition(":")
    if to not in ("health", "social_care") or not summary.strip():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a recommendation (allowed: health:SUMMARY or social_care:SUMMARY)"
        )
    return to, summary.strip()


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("start", help="start a case from the council's decision letter")
    p.add_argument("--json", metavar="FILE|-", help="the whole case as JSON (instead of flags)")
    p.add_argument("--case-ref")
    p.add_argument("--council", help="council code (default: rutland)")
    p.add_argument(
        "--decision-type",
        type=choice(DecisionType, "decision type"),
        help=f"one of: {', '.join(DecisionType)}",
    )
    p.add_argument("--decision-date", type=iso_date, metavar="YYYY-MM-DD")
    for role in ("parent", "caseworker", "second-contact", "health-contact"):
        p.add_argument(f"--{role}-name")
        p.add_argument(f"--{role}-email")
    p.add_argument("--parent-mobile", help="a UK mobile number, for text reminders")
    p.add_argument("--parent-contact-preference", choices=["email", "text", "both"])
    p.add_argument("--print-json", dest="json_out", action="store_true", help="print JSON")
    p.set_defaults(func=run_async(start, prepare_start))

    p = subparsers.add_parser(
        "event",
        help="record an event on a case",
        description="Record one event on a case, from flags or as JSON (--json).",
        epilog=kinds_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("case_ref", metavar="CASE_REF", type=case_ref)
    p.add_argument(
        "kind",
        metavar="KIND",
        nargs="?",
        type=one_of(EVENT_KINDS, "event kind"),
        help="the event kind (listed below); with --json it must match the JSON's kind",
    )
    p.add_argument("--json", metavar="FILE|-", help="the whole event as JSON (instead of flags)")
    p.add_argument("--date", type=iso_date, help="when it happened (default: today)")
    p.add_argument(
        "--event-id",
        type=event_id,
        help="your system's id for this event: sending it again returns the first receipt; "
        "the same id with a different event is refused",
    )
    p.add_argument("--recorded-by", help="who records it (default: cli:<your user name>)")
    p.add_argument("--notes")
    p.add_argument("--outcome", help=field_values("outcome"))
    p.add_argument("--meeting-date", type=iso_date)
    p.add_argument("--hearing-date", type=iso_date)
    p.add_argument("--mediation-date", type=iso_date)
    p.add_argument(
        "--without-council",
        dest="council_party",
        action="store_const",
        const=False,
        help="mediation_held: the council was not a party (health-only mediation)",
    )
    p.add_argument(
        "--by", choices=["parent", "council"], help="who applied (set aside, permission to appeal)"
    )
    p.add_argument("--response-due", type=iso_date)
    p.add_argument("--tribunal-ref")
    p.add_argument(
        "--certificate-kind",
        choices=["information_only", "mediation_completed"],
        help=field_values("certificate_kind"),
    )
    for flag in ("health-included", "social-care-included", "placement-only"):
        p.add_argument(f"--{flag}", action="store_const", const=True)
    orders_help = f"one of: {', '.join(OrderType)}; repeat for several"
    p.add_argument(
        "--concession",
        dest="concessions",
        action="append",
        type=choice(OrderType, "order type"),
        default=[],
        help=orders_help,
    )
    p.add_argument(
        "--order",
        dest="orders",
        action="append",
        type=choice(OrderType, "order type"),
        default=[],
        help=orders_help,
    )
    p.add_argument(
        "--recommendation-for",
        dest="recommendations",
        action="append",
        type=_recommendation,
        default=[],
        metavar="health|social_care:SUMMARY",
    )
    p.add_argument("--recommendation", type=count, help="recommendation number (1, 2, ...)")
    p.add_argument("--followed", action="store_const", const=True)
    p.add_argument("--not-followed", dest="followed", action="store_const", const=False)
    p.add_argument("--reasons")
    p.add_argument("--deadline-key", help="a key shown by `status`, e.g. order:1:draft_plan")
    p.add_argument("--reason", help=field_values("reason"))
    # contact_updated: whose details, and the new ones
    p.add_argument("--role", help="contact_updated: parent, second_contact, caseworker, ...")
    p.add_argument("--contact-name")
    p.add_argument("--contact-email")
    p.add_argument("--contact-mobile", help="a UK mobile number, for text reminders")
    p.add_argument("--contact-preference", choices=["email", "text", "both"])
    p.add_argument("--print-json", dest="json_out", action="store_true", help="print JSON")
    p.set_defaults(func=run_async(record_event, prepare_event))

    for name, func, help_text in (
        ("status", status, "a case's stage, deadlines and reminders"),
        ("timeline", timeline, "every accepted event, in order"),
    ):
        p = subparsers.add_parser(name, help=help_text)
        p.add_argument("case_ref", metavar="CASE_REF", type=case_ref)
        _json_flag(p)
        p.set_defaults(func=run_async(func))

    p = subparsers.add_parser("list", help="list cases, overdue first, then soonest next deadline")
    p.add_argument("--overdue", action="store_true", help="only cases with a missed duty")
    p.add_argument(
        "--due-within",
        type=days,
        metavar="DAYS",
        help="next deadline due on or before today + DAYS (UK dates; 0 = today)",
    )
    p.add_argument("--stage", type=choice(Stage, "stage"), help=f"one of: {', '.join(Stage)}")
    p.add_argument(
        "--decision-type",
        type=choice(DecisionType, "decision type"),
        help=f"one of: {', '.join(DecisionType)}",
    )
    p.add_argument("--council", type=council_code, help="council code, e.g. rutland")
    p.add_argument(
        "--caseworker",
        type=email_address,
        metavar="EMAIL",
        help="only cases of the caseworker with this email address",
    )
    state = p.add_mutually_exclusive_group()
    state.add_argument(
        "--open", dest="closed", action="store_false", default=None, help="only open cases"
    )
    state.add_argument("--closed", dest="closed", action="store_true", help="only closed cases")
    p.add_argument(
        "--case-ref",
        type=case_ref_part,
        metavar="TEXT",
        help="only cases whose reference contains TEXT (any case), e.g. 2026-09",
    )
    _json_flag(p)
    p.set_defaults(func=run_async(list_cases, prepare_list))


__all__ = ["USAGE_ERROR", "register"]
