"""Mutation check: does replaying the stored histories catch small reorderings of the workflow?

    .venv/bin/python scripts/mutation_check.py          # a table: each mutation, caught or not

Each mutation is one small textual edit of workflows/disagreement.py or a module it imports
(workflows/sending.py, workflows/patches.py): swap two statements, reverse a batch, drop a
command, ... The mutant is loaded as a module of its own (with the workflow module importing
it, when the edit is in another module) and every
stored history that must replay (tests/workflow/test_replay.py's GENERATIONS) is replayed
against it; a mutation is *caught* when at least one history fails. What replay cannot see
(argument values, timer durations, the order of messages inside one batch) is listed too:
tests/workflow/test_mutations.py pins both lists, so a change in what the suite guards shows.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.client import WorkflowHistory  # noqa: E402
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner  # noqa: E402

SOURCE = ROOT / "workflows" / "disagreement.py"
#: the workflow module's imports of the modules a mutation may edit instead, by module name
IMPORTS = {
    "sending": ["from workflows.sending import Sending"],
    "visibility": ["from workflows.visibility import CaseVisibility"],
    "patches": ["from workflows import patches", "from workflows.patches import NOT_DECIDED"],
}


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str
    old: str
    new: str
    #: the module edited, under workflows/ ("disagreement": the workflow's own)
    module: str = "disagreement"


MUTATIONS = [
    Mutation(
        "swap-upsert-and-send",
        "in a wake-up, send the due emails before upserting the search attributes",
        "        self._upsert_search_attributes()  # sending changes no attribute; an event wakes "
        "the loop\n        due = due_notices(state, self._now(), learned=self._learned())\n"
        "        if self._patches.told_of_responses:\n            due += told_notices(state)\n"
        "        await self._send(with_texts(state, due))",
        "        due = due_notices(state, self._now(), learned=self._learned())\n"
        "        if self._patches.told_of_responses:\n            due += told_notices(state)\n"
        "        await self._send(with_texts(state, due))\n"
        "        self._upsert_search_attributes()",
    ),
    Mutation(
        "closing-upsert-before-closure-emails",
        "on closing, upsert the search attributes before the closure emails",
        "        await self._send(closure_notices(self._state))\n"
        "        await workflow.wait_condition(workflow.all_handlers_finished)\n"
        "        self._upsert_search_attributes()",
        "        self._upsert_search_attributes()\n"
        "        await self._send(closure_notices(self._state))\n"
        "        await workflow.wait_condition(workflow.all_handlers_finished)",
    ),
    Mutation(
        "reverse-send-batch",
        "send a wake-up's emails in reverse order (one batch either way)",
        "        await self._send(with_texts(state, due))",
        "        await self._send(list(reversed(with_texts(state, due))))",
    ),
    Mutation(
        "no-staff-alerts",
        "do not alert staff after a delivery failure",
        "        await self._send(alerts)",
        "        alerts.clear()",
        module="sending",
    ),
    Mutation(
        "new-timer-every-sleep",
        "start a new timer every sleep even when the wake-up time is unchanged",
        "        if running and wake_at == self._timer_at:\n            return\n",
        "",
    ),
    Mutation(
        "always-upsert",
        "upsert every attribute at every wake-up, changed or not",
        "        if changed:\n            workflow.upsert_search_attributes(changed)",
        "        workflow.upsert_search_attributes(updates)",
        module="visibility",
    ),
    Mutation(
        "closure-emails-after-handlers",
        "wait for running handlers before, not after, the closure emails",
        "        await self._send(closure_notices(self._state))\n"
        "        await workflow.wait_condition(workflow.all_handlers_finished)\n",
        "        await workflow.wait_condition(workflow.all_handlers_finished)\n"
        "        await self._send(closure_notices(self._state))\n",
    ),
    Mutation(
        "next-deadline-at-18",
        "EhcpNextDeadline at 18:00 instead of 17:00 (a value, not a command)",
        "london_to_utc(due, 17)",
        "london_to_utc(due, 18)",
        module="visibility",
    ),
    Mutation(
        "timer-minimum-two-seconds",
        "a kept timer's shortest delay 2 s, not 1 s (a duration, not a command)",
        "            delay = max(wake_at - self._now(), timedelta(seconds=1))",
        "            delay = max(wake_at - self._now(), timedelta(seconds=2))",
    ),
    Mutation(
        "drop-kept-timer-patch",
        "take the kept-timer path without its patch (the 32018cd mistake)",
        "        kept_timer=workflow.patched(KEPT_TIMER),",
        "        kept_timer=True,",
        module="patches",
    ),
]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def mutant(mutation: Mutation, folder: Path) -> type:
    """The workflow class of the mutated source, loaded as a module of its own."""
    source = SOURCE.with_name(f"{mutation.module}.py")
    text = source.read_text()
    if text.count(mutation.old) != 1:
        raise SystemExit(f"{mutation.name}: its edit no longer applies to {source.name}")
    stem = f"mutant_{mutation.name.replace('-', '_')}"
    path = folder / f"{stem}.py"
    path.write_text(text.replace(mutation.old, mutation.new))
    if mutation.module == "disagreement":
        return load(path).DisagreementWorkflow
    load(path)  # the edited module, then the workflow module importing it instead
    workflow_text = SOURCE.read_text()
    for line in IMPORTS[mutation.module]:
        if workflow_text.count(line) != 1:
            raise SystemExit(f"{mutation.name}: {SOURCE.name} no longer has {line!r}")
        name = line.rsplit(" ", 1)[-1]
        swapped = (
            f"import {stem} as {name}"
            if line.startswith("from workflows import")
            else (f"from {stem} import {name}")
        )
        workflow_text = workflow_text.replace(line, swapped)
    wrapper = folder / f"{stem}_workflow.py"
    wrapper.write_text(workflow_text)
    return load(wrapper).DisagreementWorkflow


async def stored_histories() -> list[tuple[str, WorkflowHistory]]:
    """Every stored history that must replay (test_replay's FILES), read once: name, history."""
    from tests.workflow.test_replay import FILES, load

    return [(f"{path.parent.name}/{path.stem}", await load(path)) for path in FILES]


async def caught_by(
    workflow_class: type,
    histories: list[tuple[str, WorkflowHistory]] | None = None,
    first_only: bool = False,
) -> list[str]:
    """The stored histories that fail to replay on `workflow_class` (with `first_only`, just
    the first that fails: enough to say it is caught). One replay worker takes them one
    after another, each judged on its own (as `replay_workflow` would, without a worker
    started per history)."""
    from tests.workflow.test_replay import CONVERTER

    histories = histories if histories is not None else await stored_histories()
    replayer = Replayer(
        workflows=[workflow_class],
        data_converter=CONVERTER,
        workflow_runner=UnsandboxedWorkflowRunner(),
    )

    async def feed() -> AsyncIterator[WorkflowHistory]:
        for _, history in histories:
            yield history

    failed = []
    async with replayer.workflow_replay_iterator(feed()) as results:
        names = iter(name for name, _ in histories)
        async for result in results:
            name = next(names)
            if result.replay_failure is not None:
                failed.append(name)
                if first_only:
                    break
    return failed


async def check(first_only: bool = False) -> dict[str, list[str]]:
    """mutation name -> histories that caught it ([]: replay does not see it); with
    `first_only`, only the first history that caught it (whether, not how often)."""
    found = {}
    histories = await stored_histories()
    with tempfile.TemporaryDirectory() as tmp:
        for mutation in MUTATIONS:
            workflow_class = mutant(mutation, Path(tmp))
            found[mutation.name] = await caught_by(workflow_class, histories, first_only)
    return found


def main() -> int:
    import logging

    logging.disable(logging.WARNING)  # the replayer logs every failing task
    found = asyncio.run(check())
    for mutation in MUTATIONS:
        files = found[mutation.name]
        verdict = f"CAUGHT by {len(files)} histories" if files else "not caught"
        print(f"{mutation.name:38} {verdict:26} {mutation.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
