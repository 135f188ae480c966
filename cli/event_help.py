"""`starter.py event --help`: the event kinds and the allowed values of fixed-set fields,
read from the event models (ehcp.models), so the help never drifts from what is accepted."""

from __future__ import annotations

import textwrap
import typing
from collections import defaultdict
from enum import Enum

from ehcp.models import Event


def _members() -> list[type]:
    return list(Event.__origin__.__args__)  # type: ignore[attr-defined]


def _fixed_values(annotation: object) -> list[str] | None:
    """The values a Literal (or Literal | None) field allows; None for open fields."""
    if typing.get_origin(annotation) is typing.Literal:
        return [v.value if isinstance(v, Enum) else str(v) for v in typing.get_args(annotation)]
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if len(args) == 1:
        return _fixed_values(args[0])
    return None


def field_values(field: str) -> str:
    """'one of: a, b (kind x); c, d (kind y)' for a field whose values depend on the kind."""
    by_values: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for model in _members():
        info = model.model_fields.get(field)
        if info is None:
            continue
        values = _fixed_values(info.annotation)
        if values:
            by_values[tuple(values)].append(model.model_fields["kind"].default)
    return "; ".join(f"{', '.join(v)} ({', '.join(kinds)})" for v, kinds in by_values.items())


def kinds_help() -> str:
    """The epilog: each kind with its required fields."""
    lines = ["event kinds (KIND) and their required fields:"]
    for model in _members():
        required = [
            name for name, info in model.model_fields.items()
            if info.is_required() and name not in ("kind", "date")
        ]  # fmt: skip
        kind = model.model_fields["kind"].default
        lines.append(f"  {kind}" + (f": {', '.join(required)}" if required else ""))
    lines.append("")
    lines.append(
        textwrap.fill(
            "Every event takes --date (default today), --notes, --recorded-by. "
            "Bad input: one line on stderr, exit 2; an event the case refuses: exit 1.",
            width=90,
        )
    )
    return "\n".join(lines)
