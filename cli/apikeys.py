"""`starter.py api-key create|list|revoke`: API keys for council back-office systems.

Run by an operator on the service's host (the same database as the API, EHCP_DATABASE_URL).
A key is printed once, when created; only its hash is stored.
"""

from __future__ import annotations

import argparse
import json
import sys

from cli.argtypes import choice, council_code
from cli.parser import fail
from cli.tables import print_table
from ehcp.settings import Settings
from service.callers import Role, operator
from service.errors import EXIT_REFUSED


def key_name(text: str) -> str:
    """What events record as recorded_by: 1 to 100 printable characters."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 100 or not cleaned.isprintable():
        raise argparse.ArgumentTypeError(
            f"{text[:50]!r} is not a key name (allowed: 1 to 100 printable characters, "
            'e.g. "CMS import")'
        )
    return cleaned


def key_id(text: str) -> str:
    if len(text) != 8 or any(c not in "0123456789abcdef" for c in text):
        raise argparse.ArgumentTypeError(
            f"{text[:50]!r} is not a key id (allowed: the 8 hex characters `api-key list` shows)"
        )
    return text


def _store():
    from sqlalchemy.exc import SQLAlchemyError

    from store.api_keys import ApiKeys

    url = Settings().database_url
    try:
        return ApiKeys(url)
    except SQLAlchemyError as error:
        fail(f"cannot open the database {url.split('@')[-1]} ({type(error).__name__})", 1)


def create(args: argparse.Namespace) -> int:
    councils = Settings().councils
    if args.council not in councils:
        fail(
            f"argument --council: {args.council!r} is not a council of this service "
            f"(allowed: {', '.join(sorted(councils))})"
        )
    key, info = _store().create(args.name, args.council, args.role, operator().name)
    if args.json_out:
        json.dump({"key": key, "key_id": info.key_id, "name": info.name,
                   "council": info.council, "role": info.role.value}, sys.stdout)  # fmt: skip
        sys.stdout.write("\n")
        return 0
    print(f"created key {info.key_id} ({info.role} for {info.council}, named {info.name!r}):")
    print(key)
    print("This is the only time the key is shown; store it in the back-office system now.")
    return 0


def list_keys(args: argparse.Namespace) -> int:
    keys = _store().list(council=args.council, include_revoked=args.all)
    rows = [["KEY ID", "COUNCIL", "ROLE", "NAME", "CREATED", "REVOKED"]]
    rows += [
        [k.key_id, k.council, k.role.value, k.name, f"{k.created_at:%Y-%m-%d %H:%M}",
         f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else ""]
        for k in keys
    ]  # fmt: skip
    print_table(rows)
    return 0


def revoke(args: argparse.Namespace) -> int:
    info = _store().revoke(args.key_id)
    if info is None:
        fail(f"no key {args.key_id}", EXIT_REFUSED)
    print(f"revoked key {info.key_id} ({info.role} for {info.council}, named {info.name!r})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("api-key", help="create, list and revoke API keys")
    sub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    c = sub.add_parser("create", help="a new key, shown once")
    c.add_argument("--council", type=council_code, required=True, help="e.g. rutland")
    c.add_argument(
        "--role",
        type=choice(Role, "role"),
        required=True,
        help="viewer (read), caseworker (read, start, record events), manager (also keys)",
    )
    c.add_argument("--name", type=key_name, required=True, help='e.g. "CMS import"')
    c.add_argument("--json", dest="json_out", action="store_true", help="print JSON")
    c.set_defaults(func=create)
    ls = sub.add_parser("list", help="keys (never their secrets)")
    ls.add_argument("--council", type=council_code)
    ls.add_argument("--all", action="store_true", help="revoked keys too")
    ls.set_defaults(func=list_keys)
    r = sub.add_parser("revoke", help="revoke a key at once")
    r.add_argument("key_id", metavar="KEY_ID", type=key_id)
    r.set_defaults(func=revoke)
