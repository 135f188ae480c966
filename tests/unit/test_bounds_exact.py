"""The case's size bound at its exact edge (issue 19 after issue 10): the bytes needed are
the state, the event and NOTICE_ROOM_BYTES for each open deadline and one more; a limit of
exactly that is enough, one byte less is refused with the whole message."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp.bounds import MAX_REASON, NOTICE_ROOM_BYTES, check_room, short_reason, state_size
from ehcp.case_state import EventRejected
from ehcp.vocabulary import DeadlineStatus
from tests.unit.casebuilder import CaseBuilder, ev

ON = date(2026, 10, 1)


def test_the_room_needed_is_exact_and_counts_only_open_deadlines() -> None:
    b = CaseBuilder()
    event = ev("way_forward_meeting_requested", ON, notes="n" * 100)
    statuses = [d.status for d in b.state.deadlines.values()]
    open_deadlines = sum(s in (DeadlineStatus.pending, DeadlineStatus.missed) for s in statuses)
    assert open_deadlines >= 1
    needed = (
        state_size(b.state)
        + len(event.model_dump_json().encode())
        + NOTICE_ROOM_BYTES * (open_deadlines + 1)
    )
    check_room(b.state, event, needed)  # exactly enough
    with pytest.raises(EventRejected) as refused:
        check_room(b.state, event, needed - 1)
    assert str(refused.value) == (
        f"case {b.state.case.case_ref} has no room for more events: its record would need "
        f"{needed:,} bytes of the {needed - 1:,} a case may hold "
        f"({len(b.state.timeline)} events recorded). Record case_closed, or shorten the "
        "notes; start a new case for a new disagreement"
    )


def test_case_closed_always_fits() -> None:
    b = CaseBuilder()
    check_room(b.state, ev("case_closed", ON, reason="withdrawn"), 0)


def test_a_reason_of_the_limit_is_kept_and_one_longer_is_cut_to_the_limit() -> None:
    assert short_reason("r" * MAX_REASON) == "r" * MAX_REASON
    cut = short_reason("r" * (MAX_REASON + 1))
    assert cut == "r" * (MAX_REASON - 3) + "..."
    assert len(cut) == MAX_REASON
