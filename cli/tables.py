"""Plain-text tables for people at a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from ehcp.dates_text import format_long_date
from ehcp.deadline import DeadlineSpec
from ehcp.vocabulary import Party

WHO = {
    Party.parent: "parent / young person",
    Party.council: "council",
    Party.mediation_adviser: "mediation adviser",
    Party.health: "health (ICB)",
    Party.social_care: "social care",
    Party.everyone: "everyone",
}


def print_table(rows: Sequence[Sequence[str]]) -> None:
    if len(rows) <= 1:
        print("(none)")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def deadline_table(deadlines: Sequence[DeadlineSpec], with_status: bool = False) -> list[list[str]]:
    header = ["key", "due", "who acts", "basis"]
    rows = [header + (["status"] if with_status else [])]
    for d in deadlines:
        basis = d.basis + ("" if d.confirmed else " (unconfirmed)")
        row = [d.key, format_long_date(d.due), WHO[d.party], basis]
        if with_status:
            row.append(str(getattr(d, "status", "")))
        rows.append(row)
    return rows
