"""Plain-text tables for people at a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from ehcp.case_state import RecordedEvent
from ehcp.dates_text import format_long_date
from ehcp.deadline import DeadlineSpec
from ehcp.describe import describe_event
from ehcp.vocabulary import Party

WHO = {
    Party.parent: "parent / young person",
    Party.council: "council",
    Party.mediation_adviser: "mediation adviser",
    Party.health: "health (ICB)",
    Party.social_care: "social care",
    Party.everyone: "everyone",
}


#: shown beside a deadline whose legal basis is not fully confirmed
UNCONFIRMED = "basis unconfirmed"
UNCONFIRMED_NOTE = (
    "basis unconfirmed: the period is the one widely stated, but part of its legal basis (the "
    "rule, the day it counts from, or the regulation's number) was not confirmed in the "
    "legislation; docs/law-unconfirmed.md says what was checked and what is open."
)


def table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def print_table(rows: Sequence[Sequence[str]]) -> None:
    print("\n".join(table_lines(rows)) if len(rows) > 1 else "(none)")


def deadline_table(
    deadlines: Sequence[DeadlineSpec], title: str | None = None, with_status: bool = False
) -> str:
    """Deadlines with their basis, then footnotes: "basis unconfirmed" (docs/law-unconfirmed.md
    lists what is open), [n] how a date moved."""
    header = ["KEY", "DUE", "WHO ACTS", "BASIS", "NOTES"] + (["STATUS"] if with_status else [])
    rows, notes = [header], []
    for d in deadlines:
        flags = "" if d.confirmed else UNCONFIRMED
        if d.note:
            notes.append(d.note)
            flags = f"{flags} [{len(notes)}]".lstrip()
        row = [d.key, format_long_date(d.due), WHO[d.party], d.basis, flags]
        if with_status:
            row.append(str(getattr(d, "status", "")))
        rows.append(row)
    lines = [title, ""] if title else []
    lines += [*table_lines(rows), ""]
    if any(not d.confirmed for d in deadlines):
        lines.append(UNCONFIRMED_NOTE)
    lines += [f"[{i}] {note}" for i, note in enumerate(notes, start=1)]
    return "\n".join(lines).rstrip() + "\n"


def timeline_rows(events: Sequence[RecordedEvent]) -> list[list[str]]:
    """The timeline as table rows (header first), with each event's detail."""
    rows = [["#", "date", "event", "detail", "recorded by", "flags"]]
    for recorded in events:
        event = recorded.event
        rows.append(
            [
                str(recorded.seq),
                event.date.isoformat(),
                event.kind,
                describe_event(event),
                event.recorded_by,
                ", ".join(recorded.flags),
            ]
        )
    return rows
