"""Bounds on what one case carries, so that it can never lock itself.

A run carries its whole `CaseState` over continue-as-new, and the `status` and `timeline`
queries return parts of it; Temporal refuses any payload over 2 MB (the server's blob size
limit), and a workflow whose continue-as-new input is too large fails every task from then
on. So the state is bounded by design:

- an event is refused, before it reaches history, when the case's record would pass
  `STATE_LIMIT_BYTES` with room kept for the emails its open deadlines may still send
  (`check_room`); `case_closed` is always accepted;
- notes are at most 2,000 characters (ehcp.models), a delivery failure's reason at most
  `MAX_REASON` (`short_reason`);
- escalation records are compacted: only the latest `KEEP_ESCALATIONS` escalations of each
  deadline are kept (`compact_notices`), since each later one carries the next number.
"""

from __future__ import annotations

from collections import defaultdict

from ehcp.case_state import CaseState, EventRejected
from ehcp.models import Event
from ehcp.notices import escalation_parts
from ehcp.vocabulary import DeadlineStatus

#: deadlines that may still send email (closed ones never do)
_OPEN = frozenset({DeadlineStatus.pending, DeadlineStatus.missed})

#: The most a case's record (its state as JSON) may hold when an event is accepted: three
#: quarters of Temporal's 2 MB payload limit, leaving room for the case itself, the
#: encryption envelope and the open deadlines' emails (NOTICE_ROOM_BYTES each).
STATE_LIMIT_BYTES = 1_500_000
#: Room kept per open deadline for the emails it may still send (reminders to up to 3
#: readers at 4 offsets and a catch-up, late notices, the latest escalation, alerts).
NOTICE_ROOM_BYTES = 6_000
#: Escalations of one deadline kept on record (weekly: about six weeks' worth).
KEEP_ESCALATIONS = 6
#: A provider's error message is kept to this many characters.
MAX_REASON = 500


def state_size(state: CaseState) -> int:
    """Bytes of the state as JSON: what continue-as-new carries."""
    return len(state.model_dump_json().encode())


def check_room(state: CaseState, event: Event, limit: int = STATE_LIMIT_BYTES) -> None:
    """Raise EventRejected when recording `event` would leave the case without room under
    `limit` (bytes); `case_closed` always fits (it ends the case)."""
    if event.kind == "case_closed":
        return
    open_deadlines = sum(1 for d in state.deadlines.values() if d.status in _OPEN)
    needed = (
        state_size(state)
        + len(event.model_dump_json().encode())
        + NOTICE_ROOM_BYTES * (open_deadlines + 1)
    )
    if needed > limit:
        raise EventRejected(
            f"case {state.case.case_ref} has no room for more events: its record would need "
            f"{needed:,} bytes of the {limit:,} a case may hold ({len(state.timeline)} events "
            "recorded). Record case_closed, or shorten the notes; start a new case for a new "
            "disagreement"
        )


def short_reason(reason: str) -> str:
    """A delivery failure's reason, cut to `MAX_REASON` characters."""
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 3] + "..."


def compact_notices(state: CaseState) -> None:
    """Keep only the latest `KEEP_ESCALATIONS` escalations of each deadline and due date (for
    every reader): earlier ones are never due again, since each carries the next number. A
    record whose key is not an escalation's (`ehcp.notices.escalation_parts`) is kept."""
    numbers: dict[str, list[int]] = defaultdict(list)
    for record in state.notices:
        if parts := escalation_parts(record.key):
            numbers[parts[0]].append(parts[1])
    state.notices = [
        r
        for r in state.notices
        if (parts := escalation_parts(r.key)) is None
        or parts[1] > max(numbers[parts[0]]) - KEEP_ESCALATIONS
    ]
