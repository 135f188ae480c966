"""The back-office CLI: start cases, record events, read status, list cases, compute deadlines.

Run `python starter.py --help`. Every command prints a one-line error and exits non-zero on bad
input; `deadlines` needs no server.
"""

from __future__ import annotations

import sys

from cli import cases, deadlines
from cli.parser import OneLineParser

COMMAND_MODULES = [cases, deadlines]


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="starter.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
