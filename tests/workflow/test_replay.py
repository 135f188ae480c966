"""Replay safety: the current workflow code must replay every recorded history exactly.

A change that makes any file in tests/histories fail here would break the cases already
running in production when the new worker picks them up (see docs/workflow-changes.md).
The histories come from `scripts/record_histories.py`.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from ehcp.models import Event
from ehcp.payloads import CaseStatus, StartCase, workflow_id
from security.converter import data_converter
from security.keys import Keyring
from tests.workflow.scenarios import ENCRYPTED, HISTORY_KEYRING, SCENARIOS
from workflows.disagreement import DisagreementWorkflow

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
#: one folder per generation of workflow code; every one must replay on the current code
#: v1-activities: an activity per planning call and per email; v2-local-activities-<commit>:
#: local activities, one send batch per wake-up, a timer per sleep (recovered from git);
#: v3-...: the kept timer behind its patch, and the paths each emitting their own commands;
#: v4-...: every patch of v3 in one marker (patches-2026-11-in-one-marker), or the case record
#: written at each change (case-records-written); v5-...: both, and the caseworker's attribute;
#: v6-...: all in one marker (patches-2026-12-in-one-marker), visibility only what identifies
#: a case (no upsert when started with it), no record write for notices alone; v7-...: the
#: case record written by the planning local activity (patches-2026-12-record-with-plan)
ALL_GENERATIONS = tuple(sorted(p for p in HISTORIES.iterdir() if p.is_dir()))
#: Recorded by commit 32018cd, which shipped the kept timer with no patch: its runs carry no
#: marker, exactly like the runs of the code before it, and no code can replay both. The
#: earlier code wins (its cases were running first); these files stay, as evidence, and must
#: keep failing: if one replays, the kept-timer patch has been undone.
UNPATCHED_32018CD = HISTORIES / "v2-local-activities"
GENERATIONS = tuple(g for g in ALL_GENERATIONS if g != UNPATCHED_32018CD)
#: the scenarios every generation holds (later generations add more, see LATEST)
BASE_SCENARIOS = (
    "mediation_appeal_decision",
    "way_forward_resolved",
    "placement_only_unopposed",
    "withdrawal",
    "continue_as_new",
    "rejected_updates",
)
#: the generation scripts/record_histories.py writes: it holds every scenario
LATEST = HISTORIES / "v7-record-with-plan"
FILES = sorted(p for g in GENERATIONS for p in g.glob("*.json"))
#: the worker's converter (pydantic, encrypted), in the migration window's mode: most stored
#: histories were recorded unencrypted, for readability
CONVERTER = data_converter(HISTORY_KEYRING, allow_plaintext=True)
ENCRYPTED_MARK = base64.b64encode(b"binary/encrypted").decode()


async def load(path: Path) -> WorkflowHistory:
    """The history under the workflow id it ran with (`ehcp-case-<case_ref>` of its input):
    runs with the workflow-id-matches-case-ref marker check it on replay too."""
    history = WorkflowHistory.from_json("replay", path.read_text())
    started = history.events[0].workflow_execution_started_event_attributes
    (start,) = await CONVERTER.decode(started.input.payloads, [StartCase])
    return WorkflowHistory(workflow_id(start.case.case_ref), history.events)


async def replay(workflow_class: type, path: Path) -> None:
    replayer = Replayer(workflows=[workflow_class], data_converter=CONVERTER)
    await replayer.replay_workflow(await load(path))  # raises on any non-determinism


@pytest.mark.parametrize("folder", GENERATIONS, ids=[f.name for f in GENERATIONS])
def test_every_scenario_has_a_recorded_history(folder: Path):
    files = sorted(folder.glob("*.json"))
    stems = {path.name.split(".")[0] for path in files}
    missing = (set(SCENARIOS) if folder == LATEST else set(BASE_SCENARIOS)) - stems
    assert not missing, f"no history for {missing}: run scripts/record_histories.py"
    assert {f"{name}_encrypted" for name in ENCRYPTED} <= stems
    assert any(".run2." in path.name for path in files), "no continue-as-new run recorded"
    for path in files:
        text = path.read_text()
        assert (ENCRYPTED_MARK in text) == path.stem.startswith(
            tuple(f"{n}_encrypted" for n in ENCRYPTED)
        ), path.name


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
async def test_history_replays_on_the_current_workflow_code(path: Path):
    await replay(DisagreementWorkflow, path)


UNPATCHED = sorted(UNPATCHED_32018CD.glob("*.json"))


@pytest.mark.parametrize("path", UNPATCHED, ids=[p.stem for p in UNPATCHED])
async def test_histories_of_the_unpatched_kept_timer_do_not_replay(path: Path):
    """The trade made by the kept-timer patch (docs/workflow-changes.md): the continued-as-new
    second run carries its first timer only, so it may replay; the others must not."""
    if path.name == "continue_as_new.run2.json":
        return
    with pytest.raises(NondeterminismError):
        await replay(DisagreementWorkflow, path)


# -- the check itself works ------------------------------------------------------------------


@workflow.defn(name="DisagreementWorkflow", sandboxed=False)
class TimerFirstWorkflow(DisagreementWorkflow):
    """A careless change: a timer before the start-up planning activity, unpatched."""

    @workflow.run
    async def run(self, start: StartCase) -> CaseStatus:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(start)


@workflow.defn(name="DisagreementWorkflow", sandboxed=False)
class PatchedTimerFirstWorkflow(DisagreementWorkflow):
    """The same change made safely: only new runs take the new path."""

    @workflow.run
    async def run(self, start: StartCase) -> CaseStatus:
        if workflow.patched("timer-before-planning"):
            await workflow.sleep(timedelta(seconds=1))
        return await super().run(start)


@pytest.mark.parametrize("folder", GENERATIONS, ids=[f.name for f in GENERATIONS])
@pytest.mark.parametrize("name", ["withdrawal", "withdrawal_encrypted", "continue_as_new.run1"])
async def test_an_unpatched_change_fails_replay(name: str, folder: Path):
    with pytest.raises(NondeterminismError):
        await replay(TimerFirstWorkflow, folder / f"{name}.json")


@pytest.mark.parametrize("folder", GENERATIONS, ids=[f.name for f in GENERATIONS])
@pytest.mark.parametrize("name", ["withdrawal", "withdrawal_encrypted", "continue_as_new.run1"])
async def test_the_same_change_behind_workflow_patched_replays(name: str, folder: Path):
    await replay(PatchedTimerFirstWorkflow, folder / f"{name}.json")


@workflow.defn(name="DisagreementWorkflow", sandboxed=False)
class StricterRuleWorkflow(DisagreementWorkflow):
    """A tightened event rule (as an edit to ehcp.case_state.check_event would be): the
    handler re-checks each event inside its lock, and that re-check runs on replay too."""

    @workflow.run
    async def run(self, start: StartCase) -> CaseStatus:
        return await super().run(start)

    def _check(self, event: Event) -> None:
        if event.kind == "mediation_declined":
            raise ApplicationError("declining is no longer allowed", type="EventRejected")
        super()._check(event)


@workflow.defn(name="DisagreementWorkflow", sandboxed=False)
class PatchedStricterRuleWorkflow(StricterRuleWorkflow):
    """The same rule behind a patch. `workflow.patched` may not be called from a validator
    (read-only: the update hangs), so the run decides once and the checks read the flag:
    runs started before the change keep the old rule, runs started after get the new one."""

    @workflow.run
    async def run(self, start: StartCase) -> CaseStatus:
        self._no_more_declining = workflow.patched("no-more-declining")
        return await super().run(start)

    def _check(self, event: Event) -> None:
        if getattr(self, "_no_more_declining", False):
            super()._check(event)
        else:
            DisagreementWorkflow._check(self, event)


@workflow.defn(name="DisagreementWorkflow", sandboxed=False)
class NewHandlersWorkflow(DisagreementWorkflow):
    """New queries and new update kinds: nothing in an old history refers to them."""

    @workflow.run
    async def run(self, start: StartCase) -> CaseStatus:
        return await super().run(start)

    @workflow.query
    def open_duties(self) -> int:
        return 0

    @workflow.update
    async def add_note(self, note: str) -> str:
        return note


@pytest.mark.parametrize("folder", GENERATIONS, ids=[f.name for f in GENERATIONS])
async def test_a_stricter_event_rule_fails_replay_unless_patched(folder: Path):
    with pytest.raises(NondeterminismError):
        await replay(StricterRuleWorkflow, folder / "withdrawal.json")
    await replay(PatchedStricterRuleWorkflow, folder / "withdrawal.json")


@pytest.mark.parametrize("folder", GENERATIONS, ids=[f.name for f in GENERATIONS])
async def test_new_queries_and_update_kinds_replay(folder: Path):
    await replay(NewHandlersWorkflow, folder / "withdrawal.json")
    await replay(NewHandlersWorkflow, folder / "rejected_updates.json")


@pytest.mark.parametrize("folder", GENERATIONS, ids=[f.name for f in GENERATIONS])
async def test_an_encrypted_history_needs_its_key(folder: Path):
    other = data_converter(Keyring("other", {"other": bytes(32)}, "tests"))
    replayer = Replayer(workflows=[DisagreementWorkflow], data_converter=other)
    result = await replayer.replay_workflow(
        WorkflowHistory.from_json("replay", (folder / "withdrawal_encrypted.json").read_text()),
        raise_on_replay_failure=False,
    )
    assert "PayloadDecryptionError" in str(result.replay_failure)
