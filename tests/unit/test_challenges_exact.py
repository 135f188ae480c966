"""A decision on permission to appeal, checked with whole messages (ehcp/challenges.py;
issue 19): each party's request and decision are its own."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp.case_state import EventRejected, check_event
from tests.unit.casebuilder import CaseBuilder, ev
from tests.unit.test_later_law import appealed

DECIDED = date(2027, 3, 1)


def _decided() -> CaseBuilder:
    b = CaseBuilder()
    appealed(b)
    b.add("tribunal_decision", DECIDED, outcome="partly_allowed", orders=[])
    return b


def _refused(b: CaseBuilder, on: date, **fields) -> str:
    with pytest.raises(EventRejected) as caught:
        check_event(b.state, ev("permission_to_appeal_decided", on, **fields), on)
    return str(caught.value)


def test_a_decision_needs_that_partys_own_request() -> None:
    b = _decided()
    b.add("permission_to_appeal_requested", date(2027, 3, 2), by="council")
    assert _refused(b, date(2027, 3, 3), by="parent", outcome="granted") == (
        "the parent has not asked for permission to appeal: record "
        "permission_to_appeal_requested first"
    )
    b.add("permission_to_appeal_decided", date(2027, 3, 3), by="council", outcome="refused")


def test_a_request_is_decided_once_per_party() -> None:
    b = _decided()
    b.add("permission_to_appeal_requested", date(2027, 3, 2), by="council")
    b.add("permission_to_appeal_requested", date(2027, 3, 2), by="parent")
    done = b.add("permission_to_appeal_decided", date(2027, 3, 3), by="council", outcome="refused")
    assert _refused(b, date(2027, 3, 4), by="council", outcome="granted") == (
        f"the council's request was already decided (event {done.seq})"
    )
    b.add("permission_to_appeal_decided", date(2027, 3, 4), by="parent", outcome="granted")
