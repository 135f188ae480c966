"""The reminder spread: each case wakes at its own second of the minute after the reminder
time, the same second every day, so a council's 9am burst is spread over the minute."""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta

from ehcp.case_state import ReminderPolicy
from ehcp.notices import case_slot
from ehcp.uktime import london_to_utc
from tests.unit.casebuilder import MANAGER, CaseBuilder, make_case
from tests.unit.test_notices import AUTUMN, noon, utc


def builder(case_ref: str, spread_s: int) -> CaseBuilder:
    policy = ReminderPolicy(at=time(9, 0), spread_s=spread_s, send_manager=MANAGER)
    return CaseBuilder(make_case(case_ref=case_ref, decision_date=AUTUMN), policy=policy)


def test_every_message_of_a_case_goes_at_its_slot_after_the_reminder_time() -> None:
    b = builder("RUT-2026-0417", 60)
    slot = case_slot(b.state)
    assert timedelta(0) < slot < timedelta(seconds=60)  # this reference's slot is not 0
    sent = b.run_clock(noon(AUTUMN), utc(2027, 3, 1))
    assert sent, "the case sends reminders"
    reminders = [at for at, n in sent if n.kind == "reminder"]
    assert len(reminders) >= 8
    assert all(at == london_to_utc(at.date(), 9) + slot for at in reminders)  # GMT and BST


def test_the_slot_is_stable_and_within_the_spread() -> None:
    assert case_slot(builder("RUT-2026-0417", 60).state) == case_slot(
        builder("RUT-2026-0417", 60).state
    )
    assert case_slot(builder("RUT-2026-0417", 0).state) == timedelta(0)
    slots = {case_slot(builder(f"RUT-2026-{i:04d}", 60).state) for i in range(200)}
    assert max(slots) < timedelta(seconds=60) and len(slots) > 40


def test_a_thousand_cases_spread_evenly_over_the_minute() -> None:
    slots = [case_slot(builder(f"BENCH-{i:06d}", 60).state).seconds for i in range(1000)]
    per_ten_seconds = Counter(s // 10 for s in slots)
    assert sorted(per_ten_seconds) == [0, 1, 2, 3, 4, 5]
    assert all(120 <= n <= 220 for n in per_ten_seconds.values()), per_ten_seconds


def test_a_case_started_before_the_spread_existed_keeps_exact_times() -> None:
    old = ReminderPolicy.model_validate(
        {"at": "09:00:00", "offsets": [14, 7, 2, 0], "send_manager": MANAGER.model_dump()}
    )
    assert old.spread_s == 0
