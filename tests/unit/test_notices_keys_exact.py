"""Message keys read back, the plain first slot, and what a closed case's notices say, with
exact values (ehcp/notices.py; issue 19)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ehcp.case_state import close_case
from ehcp.notices import (
    NoticeKind,
    closure_notices,
    due_notices,
    escalation_parts,
    first_slot_after,
    notice_key,
)
from tests.unit.casebuilder import CaseBuilder
from tests.unit.test_learned_notices_exact import _icb_notice_missed


def test_an_escalation_key_reads_back_as_its_deadline_part_and_number() -> None:
    key = notice_key("RUT-1", "appeal_response@2026-11-12", "escalation", 12, "send_manager")
    assert key == "RUT-1/appeal_response@2026-11-12/escalation/12/send_manager"
    assert escalation_parts(key) == ("RUT-1/appeal_response@2026-11-12", 12)


def test_other_keys_are_not_escalations() -> None:
    escalation = "RUT-1/appeal_response@2026-11-12/escalation/3/caseworker"
    for key in (
        "RUT-1/appeal_response@2026-11-12/reminder/7/parent",
        "RUT-1/appeal_response@2026-11-12/late_notice/parent",
        f"{escalation}/delivery_failure/send_manager",  # the alert about a failed escalation
        "RUT-1/appeal_response@2026-11-12/escalation/x/caseworker",
        "RUT-1/appeal_response@2026-11-12/escalation/3",
    ):
        assert escalation_parts(key) is None, key


def test_the_plain_first_slot_may_fall_on_a_weekend() -> None:
    # Friday 27 Nov 2026 09:00 London (GMT): the next slot on any day is Saturday 09:00.
    b = CaseBuilder()
    friday = datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert first_slot_after(b.state, friday) == datetime(2026, 11, 28, 9, tzinfo=UTC)


def test_only_the_closure_notices_carry_the_closed_reason() -> None:
    # A missed duty stays missed when the case closes; its escalation and late notice (were
    # they sent) say nothing of the closure, the closure notices do.
    b, at = _icb_notice_missed()
    close_case(b.state, "withdrawn", date(2026, 7, 6))
    assert b.status("icb_mediation_notice") == "missed"
    for learned in (True, False):
        due = due_notices(b.state, at + timedelta(days=1), learned=learned)
        assert {n.kind for n in due} == {NoticeKind.escalation, NoticeKind.late_notice}
        assert [n.closed_reason for n in due] == [None] * len(due)
    closing = closure_notices(b.state)
    assert [(n.role, n.closed_reason) for n in closing] == [
        ("parent", "withdrawn"),
        ("caseworker", "withdrawn"),
    ]
