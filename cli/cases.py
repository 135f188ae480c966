"""Back-office commands that talk to Temporal: start, event, status, timeline, list."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from cli.argtypes import case_ref, choice, count, days, event_id, iso_date, one_of, read_json
from cli.parser import USAGE_ERROR, fail
from cli.tables import deadline_table, print_table
from ehcp.models import EVENT_KINDS, Case, Event, describe_validation_error, parse_event
from ehcp.payloads import CaseStatus, CaseTimeline, EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date
from ehcp.vocabulary import DecisionType, OrderType, Stage

if TYPE_CHECKING:
    from temporalio.client import Client, WorkflowHandle

# temporalio and the workflow module are imported where a command talks to the server, not
# here: they are half the CLI's start-up time, and bad input is refused before they are needed
WORKFLOW_TYPE = "DisagreementWorkflow"

#: tries of an event when the case has its 10 events in flight (Temporal's limit)
UPDATE_TRIES = 6

#: exit status when the server refuses (rejected event, duplicate case, unknown case)
REFUSED = 1


# -- plumbing -------------------------------------------------------------------------------


async def connect(settings: Settings) -> Client:
    from security.keys import KeyConfigError
    from worker import connect as worker_connect

    try:
        return await asyncio.wait_for(worker_connect(settings), timeout=10)
    except KeyConfigError as error:
        fail(str(error))
    except (RuntimeError, TimeoutError, OSError) as error:
        fail(
            f"cannot reach Temporal at {settings.temporal_address} ({error}); "
            "is `make run` running?",
            REFUSED,
        )


def run_async(
    command: Callable[[argparse.Namespace, Client], Awaitable[int]],
    prepare: Callable[[argparse.Namespace], None] | None = None,
):
    """The command, after `prepare` checked every input: bad input is refused before any
    connection is tried (and so without a server, fast, with the real reason)."""

    def run(args: argparse.Namespace) -> int:
        if prepare is not None:
            prepare(args)  # fail()s with one line and status 2 on bad input

        async def main() -> int:
            try:
                client = await connect(Settings())
                return await command(args, client)
            except SystemExit as stop:  # fail() inside: still leave through os._exit below
                return stop.code if isinstance(stop.code, int) else REFUSED

        status = asyncio.run(main())
        from worker import exit_without_finalising

        exit_without_finalising(status)

    return run


def emit_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


async def existing_handle(client: Client, case_ref: str) -> WorkflowHandle:
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.service import RPCError, RPCStatusCode

    handle = client.get_workflow_handle(workflow_id(case_ref))
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            fail(f"no case {case_ref} on this server", REFUSED)
        raise
    if description.status == WorkflowExecutionStatus.COMPLETED:
        handle.closed = True
    return handle


# -- start ----------------------------------------------------------------------------------


def _case_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.json:
        return read_json(args.json, "--json")
    missing = [
        f"--{name.replace('_', '-')}"
        for name in (
            "case_ref",
            "decision_type",
            "decision_date",
            "parent_name",
            "parent_email",
            "caseworker_name",
            "caseworker_email",
        )
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


def validate_case(data: Any, today) -> Case:
    try:
        case = Case.model_validate(data)
    except ValidationError as error:
        fail(describe_validation_error(error))
    if case.decision_date > today:
        fail(f"decision_date {case.decision_date} is in the future (today is {today})")
    return case


def prepare_start(args: argparse.Namespace) -> None:
    args.case = validate_case(_case_from_args(args), london_date(datetime.now(UTC)))


async def start(args: argparse.Namespace, client: Client) -> int:
    from temporalio.exceptions import WorkflowAlreadyStartedError

    from workflows.disagreement import DisagreementWorkflow

    settings = Settings()
    case: Case = args.case
    try:
        handle = await client.start_workflow(
            DisagreementWorkflow.run,
            StartCase(case=case),
            id=workflow_id(case.case_ref),
            task_queue=settings.task_queue,
        )
    except WorkflowAlreadyStartedError:
        fail(f"case {case.case_ref} already exists; it was not started again", REFUSED)
    if args.json_out:
        emit_json({"case_ref": case.case_ref, "workflow_id": handle.id})
    else:
        print(f"started case {case.case_ref} (workflow {handle.id})")
        print(f"next: python starter.py status {case.case_ref}")
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
    data.setdefault("date", london_date(datetime.now(UTC)).isoformat())
    return data


def prepare_event(args: argparse.Namespace) -> None:
    data = _event_from_args(args)
    kind = data.get("kind")
    if "kind" in data and kind not in EVENT_KINDS:
        shown = repr(kind)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        fail(f"kind: unknown event kind {shown} (allowed: {', '.join(EVENT_KINDS)})")
    try:
        event = parse_event(data)
    except ValidationError as error:
        fail(describe_validation_error(error))
    today = london_date(datetime.now(UTC))
    if event.date > today:
        fail(
            f"date {event.date} is in the future (today is {today}); "
            "record an event on or after the day it happens"
        )
    args.event = event


async def record_event(args: argparse.Namespace, client: Client) -> int:
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.service import RPCError, RPCStatusCode

    from workflows.disagreement import DisagreementWorkflow

    event: Event = args.event
    handle = await existing_handle(client, args.case_ref)
    if getattr(handle, "closed", False):
        fail(f"case {args.case_ref} is closed; a closed case accepts no more events", REFUSED)
    # One id for every try: a retry after a lost answer returns the first receipt.
    update_id = args.event_id or f"cli:{uuid.uuid4()}"
    try:
        for attempt in range(UPDATE_TRIES):
            try:
                receipt = await handle.execute_update(
                    DisagreementWorkflow.record_event, event, id=update_id,
                    result_type=EventReceipt,
                )  # fmt: skip
                break
            except RPCError as error:
                # at most 10 events in flight per case: wait for a slot
                if error.status != RPCStatusCode.RESOURCE_EXHAUSTED:
                    raise
                if attempt == UPDATE_TRIES - 1:
                    fail(f"case {args.case_ref} is busy; try again shortly", REFUSED)
                await asyncio.sleep(0.2 * 2**attempt)
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        message = getattr(cause, "message", None) or str(cause or error)
        fail(f"event refused: {message}", REFUSED)
    if args.json_out:
        emit_json(receipt)
        return 0
    flags = f" [{', '.join(receipt.flags)}]" if receipt.flags else ""
    print(f"recorded {receipt.kind} as event {receipt.seq}; stage {receipt.stage}{flags}")
    if receipt.deadlines:
        sys.stdout.write(deadline_table(receipt.deadlines))
    return 0


# -- status, timeline, list -----------------------------------------------------------------


async def query_case(args: argparse.Namespace, client: Client, name: str, result_type):
    """Ask the case's workflow a query; with --json print the answer and return None."""
    handle = await existing_handle(client, args.case_ref)
    result = await handle.query(name, result_type=result_type)
    if args.json_out:
        emit_json(result)
        return None
    return result


async def status(args: argparse.Namespace, client: Client) -> int:
    result = await query_case(args, client, "status", CaseStatus)
    if result is None:
        return 0
    closed = f", closed: {result.closed_reason}" if result.closed_reason else ""
    overdue = "  OVERDUE" if result.overdue else ""
    print(f"case {result.case_ref} ({result.decision_type}, decision {result.decision_date})")
    print(f"stage: {result.stage}{closed}{overdue}; events recorded: {result.events}")
    sys.stdout.write(deadline_table(result.deadlines, with_status=True))
    print(f"reminders sent: {len(result.reminders_sent)}")
    return 0


async def timeline(args: argparse.Namespace, client: Client) -> int:
    result = await query_case(args, client, "timeline", CaseTimeline)
    if result is None:
        return 0
    rows = [["#", "date", "event", "recorded by", "flags"]]
    for recorded in result.events:
        event = recorded.event
        rows.append(
            [
                str(recorded.seq),
                event.date.isoformat(),
                event.kind,
                event.recorded_by,
                ", ".join(recorded.flags),
            ]
        )
    print_table(rows)
    return 0


def list_query(args: argparse.Namespace, now: datetime) -> str:
    from workflows import search_attributes as sa

    clauses = [f"WorkflowType = '{WORKFLOW_TYPE}'"]
    if args.overdue:
        clauses.append(f"{sa.OVERDUE.name} = true")
    if args.due_within is not None:
        limit = (now + timedelta(days=args.due_within)).strftime("%Y-%m-%dT%H:%M:%SZ")
        clauses.append(f"{sa.NEXT_DEADLINE.name} <= '{limit}'")
    if args.stage:
        clauses.append(f"{sa.STAGE.name} = '{args.stage}'")
    return " AND ".join(clauses)


async def list_cases(args: argparse.Namespace, client: Client) -> int:
    from workflows import search_attributes as sa

    query = list_query(args, datetime.now(UTC))
    cases = []
    async for execution in client.list_workflows(query):
        attrs = execution.typed_search_attributes
        next_deadline = attrs.get(sa.NEXT_DEADLINE)
        cases.append(
            {
                "case_ref": attrs.get(sa.CASE_REF),
                "council": attrs.get(sa.COUNCIL),
                "decision_type": attrs.get(sa.DECISION_TYPE),
                "stage": attrs.get(sa.STAGE),
                "next_deadline": london_date(next_deadline).isoformat() if next_deadline else None,
                "overdue": bool(attrs.get(sa.OVERDUE)),
                "status": execution.status.name.lower() if execution.status else None,
            }
        )
    cases.sort(key=lambda c: (c["next_deadline"] or "9999", c["case_ref"] or ""))
    if args.json_out:
        emit_json(cases)
        return 0
    rows = [["case", "stage", "next deadline", "overdue", "decision type"]]
    rows += [
        [
            c["case_ref"],
            c["stage"],
            c["next_deadline"] or "-",
            "yes" if c["overdue"] else "",
            c["decision_type"],
        ]
        for c in cases
    ]
    print_table(rows)
    print(f"{len(cases)} case(s)")
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
    p.add_argument("--json", metavar="FILE|-", help="the whole case as JSON")
    p.add_argument("--case-ref")
    p.add_argument("--council")
    p.add_argument("--decision-type", type=choice(DecisionType, "decision type"))
    p.add_argument("--decision-date", type=iso_date)
    for role in ("parent", "caseworker", "second-contact", "health-contact"):
        p.add_argument(f"--{role}-name")
        p.add_argument(f"--{role}-email")
    p.add_argument("--parent-mobile", help="a UK mobile number, for text reminders")
    p.add_argument("--parent-contact-preference", choices=["email", "text", "both"])
    p.add_argument("--print-json", dest="json_out", action="store_true", help="print JSON")
    p.set_defaults(func=run_async(start, prepare_start))

    p = subparsers.add_parser("event", help="record an event on a case")
    p.add_argument("case_ref", metavar="CASE_REF", type=case_ref)
    p.add_argument("kind", metavar="KIND", nargs="?", type=one_of(EVENT_KINDS, "event kind"))
    p.add_argument("--json", metavar="FILE|-", help="the whole event as JSON")
    p.add_argument("--date", type=iso_date, help="when it happened (default: today)")
    p.add_argument(
        "--event-id",
        type=event_id,
        help="your system's id for this event: sending it again returns the first receipt",
    )
    p.add_argument("--recorded-by")
    p.add_argument("--notes")
    p.add_argument("--outcome")
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
    p.add_argument("--certificate-kind", choices=["information_only", "mediation_completed"])
    for flag in ("health-included", "social-care-included", "placement-only"):
        p.add_argument(f"--{flag}", action="store_const", const=True)
    p.add_argument(
        "--concession",
        dest="concessions",
        action="append",
        type=choice(OrderType, "order type"),
        default=[],
    )
    p.add_argument(
        "--order", dest="orders", action="append", type=choice(OrderType, "order type"), default=[]
    )
    p.add_argument(
        "--recommendation-for",
        dest="recommendations",
        action="append",
        type=_recommendation,
        default=[],
        metavar="health|social_care:SUMMARY",
    )
    p.add_argument("--recommendation", type=count, help="recommendation number")
    p.add_argument("--followed", action="store_const", const=True)
    p.add_argument("--not-followed", dest="followed", action="store_const", const=False)
    p.add_argument("--reasons")
    p.add_argument("--deadline-key")
    # contact_updated: whose details, and the new ones
    p.add_argument("--role")
    p.add_argument("--contact-name")
    p.add_argument("--contact-email")
    p.add_argument("--contact-mobile")
    p.add_argument("--contact-preference", choices=["email", "text", "both"])
    p.add_argument("--reason")
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

    p = subparsers.add_parser("list", help="list cases (from search attributes)")
    p.add_argument("--overdue", action="store_true", help="only cases with a missed duty")
    p.add_argument("--due-within", type=days, metavar="DAYS")
    p.add_argument("--stage", type=choice(Stage, "stage"))
    _json_flag(p)
    p.set_defaults(func=run_async(list_cases))


__all__ = ["USAGE_ERROR", "register"]
