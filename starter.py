"""The back-office CLI: start cases, record events, read status, list cases, compute deadlines,
manage API keys, erase personal data from case records.

Run `python starter.py --help`. Every command prints a one-line error and exits non-zero on bad
input; `deadlines` needs no server. No command prints a traceback.
"""

from __future__ import annotations

import sys

from cli import apikeys, cases, deadlines, records
from cli.parser import OneLineParser, one_line
from cli.runner import silence_stdout

COMMAND_MODULES = [cases, deadlines, apikeys, records]


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="starter.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        status = args.func(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:  # `starter.py status REF | head -3`: the reader has enough
        silence_stdout()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except Exception as error:  # never a traceback: one line, and the kind of failure
        sys.stderr.write(
            f"error: internal error ({one_line(f'{type(error).__name__}: {error}')})\n"
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
