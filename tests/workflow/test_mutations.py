"""What the replay suite guards: scripts/mutation_check.py applies small reorderings to the
workflow and replays every stored history against each. This pins which are caught, so a
history generation (or a workflow change) that loses or gains coverage shows here."""

from __future__ import annotations

import logging

import pytest

from scripts.mutation_check import MUTATIONS, check

#: caught by at least one stored history
CAUGHT = {
    "closing-upsert-before-closure-emails",
    "no-staff-alerts",  # only since the v3 delivery_failures history
    "new-timer-every-sleep",
    "always-upsert",
    "next-deadline-at-18",  # the upsert is skipped when unchanged, so the value shows
    "drop-kept-timer-patch",
}
#: replay cannot see these (docs/workflow-changes.md says why, and what guards them instead)
NOT_CAUGHT = {
    "swap-upsert-and-send",  # no stored wake-up both changes an attribute and sends
    "reverse-send-batch",  # one local activity either way; its input is not compared
    "closure-emails-after-handlers",  # waiting on a condition already true issues nothing
    "timer-minimum-two-seconds",  # timer durations are not compared
}


@pytest.mark.slow
async def test_replay_catches_the_reorderings_it_should(caplog: pytest.LogCaptureFixture):
    assert {m.name for m in MUTATIONS} == CAUGHT | NOT_CAUGHT
    with caplog.at_level(logging.ERROR):
        found = await check(first_only=True)  # caught or not; not by how many
    assert {name for name, files in found.items() if files} == CAUGHT
    assert {name for name, files in found.items() if not files} == NOT_CAUGHT
