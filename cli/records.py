"""`starter.py erase` and `starter.py retention`: personal data out of the case records
(docs/records.md). Run by an operator on the service's host (EHCP_DATABASE_URL, the codec
keys, and Temporal for `--delete-history`), through the service layer (service/records.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import TypeAdapter, ValidationError

from cli.argtypes import case_ref, iso_date
from cli.runner import run_async
from ehcp.text_fields import EmailAddress
from ehcp.uktime import london_date
from service.callers import operator

if TYPE_CHECKING:
    from service.operations import Cases

_EMAIL = TypeAdapter(EmailAddress)


def email_address(text: str) -> str:
    try:
        return _EMAIL.validate_python(text.strip())
    except ValidationError:
        raise argparse.ArgumentTypeError(
            f"{text[:60]!r} is not an email address (allowed: name@domain, e.g. sam@example.org)"
        ) from None


def _print(result: dict, json_out: bool) -> None:
    if json_out:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
        return
    for key, value in result.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        print(f"{key.replace('_', ' ')}: {shown if shown not in ('', None) else '-'}")


async def erase(args: argparse.Namespace, cases: Cases) -> int:
    from service.records import erase_case, erase_person

    if args.case_ref:
        done = await erase_case(cases, operator(), args.case_ref, args.delete_history)
    else:
        done = await erase_person(cases, operator(), args.email, args.name)
    _print(
        {"erased": done.erased, "still_open": done.still_open,
         "history_deleted": done.history_deleted},
        args.json_out,
    )  # fmt: skip
    if not args.json_out and not done.history_deleted:
        print(
            "Temporal keeps each case's history until its namespace retention ends after "
            "closure (docs/records.md); `erase --case-ref REF --delete-history` removes it now."
        )
    return 0


async def retention(args: argparse.Namespace, cases: Cases) -> int:
    from service.records import apply_retention

    today = args.today or london_date(datetime.now(UTC))
    refs = await apply_retention(cases, operator(), today, args.dry_run)
    key = "due_for_erasure" if args.dry_run else "erased"
    _print({key: refs, "count": str(len(refs))}, args.json_out)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "erase",
        help="erase a person's (or a closed case's) personal data from the case records",
        description="For a subject's erasure request: by email address, that person's data "
        "in every closed case record; or by case reference, every person's data in that "
        "closed case's record. The anonymised record (dates, stages, deadlines, event kinds) "
        "stays. Open cases are named, not changed.",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", type=email_address, help="the person's email address")
    who.add_argument("--case-ref", type=case_ref, help="a closed case: everyone's data")
    p.add_argument("--name", help="the person's name, erased too wherever text holds it")
    p.add_argument(
        "--delete-history",
        action="store_true",
        help="with --case-ref: delete the case's history from Temporal now (not only at the "
        "end of the namespace retention)",
    )
    p.add_argument("--json", dest="json_out", action="store_true", help="print JSON")
    p.set_defaults(func=run_async(erase, _check_erase))

    p = subparsers.add_parser(
        "retention",
        help="erase personal data from case records past their council's retention period",
        description="Closed cases whose closure is EHCP_RETENTION_YEARS (or the council's "
        "EHCP_RETENTION_YEARS_BY_COUNCIL) years old or more lose their personal data; the "
        "anonymised record stays. Run it daily from the host's scheduler (docs/records.md).",
    )
    p.add_argument("--dry-run", action="store_true", help="only list what would be erased")
    p.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)  # tests
    p.add_argument("--json", dest="json_out", action="store_true", help="print JSON")
    p.set_defaults(func=run_async(retention))


def _check_erase(args: argparse.Namespace) -> None:
    from cli.parser import fail

    if args.delete_history and not args.case_ref:
        fail("--delete-history goes with --case-ref (a whole case's history)")
    if args.name is not None and not args.email:
        fail("--name goes with --email (the person whose data is erased)")
