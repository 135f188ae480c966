"""Record the workflow histories that tests/workflow/test_replay.py replays.

    .venv/bin/python scripts/record_histories.py            # every scenario
    .venv/bin/python scripts/record_histories.py withdrawal # just these
    .venv/bin/python scripts/record_histories.py --out /tmp/h  # elsewhere (to compare)

Runs each scenario of tests/workflow/scenarios.py on the time-skipping test server (from the
venv, never downloaded) with the real worker, and writes every run's history as JSON to
the current generation folder, tests/histories/<GENERATION>/<name>.json (<name>.run<N>.json
when the case continued as new). It never overwrites a file: stored histories are append-only
(tests/histories/MANIFEST.sha256); a new generation of workflow code gets a new folder (change
GENERATION), and new files go into the manifest with `scripts/history_manifest.py --add`. Most
are
recorded with the plain pydantic converter (readable, independent of any key); the scenarios
in ENCRYPTED are recorded a second time through the encrypting converter, as production
writes them.

Record only after a deliberate, patched workflow change, once the OLD files still replay:
see docs/workflow-changes.md.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.api.enums.v1 import EventType  # noqa: E402
from temporalio.client import Client, WorkflowHandle, WorkflowHistory  # noqa: E402
from temporalio.contrib.pydantic import pydantic_data_converter  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from security.converter import data_converter  # noqa: E402
from tests.conftest import SERVER_STARTUP, TEST_SERVER, register_search_attributes  # noqa: E402
from tests.workflow.fault_scenarios import setup_for  # noqa: E402
from tests.workflow.harness import harness  # noqa: E402
from tests.workflow.scenarios import ENCRYPTED, HISTORY_KEYRING, SCENARIOS  # noqa: E402

#: one folder per workflow code generation; new recordings go to a new one, and the older
#: folders stay: cases started on that code may still be running. v3: the kept timer behind
#: its patch, the workflow-id check, and the paths with commands of their own (faults).
#: v4-one-patch-marker: every patch of v3 (and the three before it) in one marker,
#: patches-2026-11-in-one-marker; v4-case-records: the case record written to the database
#: (case-records-written), recorded on a branch before the one marker; v5: both, with the
#: caseworker's search attribute (caseworker-search-attribute); v6: all in one marker with
#: the lean visibility (patches-2026-12-in-one-marker); v7: the case record written by the
#: planning local activity (patches-2026-12-record-with-plan).
GENERATION = "v7-record-with-plan"
HISTORIES = ROOT / "tests" / "histories" / GENERATION


class _EnvWithClient:
    """The test environment (its clock and time skipping) seen through another client."""

    def __init__(self, env: WorkflowEnvironment, client: Client) -> None:
        self._env = env
        self.client = client

    def __getattr__(self, name: str):
        return getattr(self._env, name)


async def run_histories(client: Client, handle: WorkflowHandle) -> list[WorkflowHistory]:
    """The history of every run of the case, first to last, following continue-as-new."""
    histories = []
    run_id: str | None = handle.first_execution_run_id or handle.run_id
    while run_id:
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        histories.append(history)
        last = history.events[-1]
        run_id = None
        if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    return histories


def check(name: str, history: WorkflowHistory) -> None:
    failed = [
        e.event_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]
    if failed:
        raise SystemExit(f"{name}: workflow task failed at events {failed}; not recording")


def write(out: Path, name: str, history: WorkflowHistory) -> Path:
    path = out / f"{name}.json"
    if path.exists():
        raise SystemExit(f"{path} exists: stored histories are never overwritten (new GENERATION)")
    # to_json() is indented protobuf JSON; the same content, compact, is a third of the size
    compact = json.dumps(json.loads(history.to_json()), separators=(",", ":"))
    path.write_text(compact + "\n")
    return path


async def record(
    env: WorkflowEnvironment, name: str, encrypted: bool, tmp: Path, out: Path
) -> list[Path]:
    client = env.client
    if encrypted:
        config = client.config()
        config["data_converter"] = data_converter(HISTORY_KEYRING)
        client = Client(**config)
    view = _EnvWithClient(env, client)
    with setup_for(name) as kwargs:  # the scenario's fault, if it has one
        async with harness(view, tmp / name, **kwargs) as h:  # type: ignore[arg-type]
            handle = await SCENARIOS[name](h)
            histories = await run_histories(client, handle)
    stem = f"{name}_encrypted" if encrypted else name
    paths = []
    for n, history in enumerate(histories, start=1):
        run_name = stem if len(histories) == 1 else f"{stem}.run{n}"
        check(run_name, history)
        paths.append(write(out, run_name, history))
    return paths


async def main(argv: list[str]) -> int:
    out = HISTORIES
    if argv[:1] == ["--out"] and len(argv) >= 2:
        out, argv = Path(argv[1]).resolve(), argv[2:]
    names = argv
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(
            f"error: unknown scenario(s) {', '.join(unknown)} (allowed: {', '.join(SCENARIOS)})",
            file=sys.stderr,
        )
        return 2
    out.mkdir(parents=True, exist_ok=True)
    # the worker seals case records with these keys when its client does not encrypt
    key = base64.b64encode(HISTORY_KEYRING.current_key).decode()
    os.environ["EHCP_CODEC_KEYS"] = f"{HISTORY_KEYRING.current_id}:{key}"
    os.environ["EHCP_CODEC_CURRENT_KEY"] = HISTORY_KEYRING.current_id
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(TEST_SERVER),
        test_server_startup_timeout=SERVER_STARTUP,
    )
    try:
        await register_search_attributes(env)
        with tempfile.TemporaryDirectory() as tmp:
            for name in names or list(SCENARIOS):
                for encrypted in (False, True) if name in ENCRYPTED else (False,):
                    started = time.monotonic()
                    paths = await record(env, name, encrypted, Path(tmp), out)
                    for path in paths:
                        size = path.stat().st_size
                        events = len(json.loads(path.read_text())["events"])
                        print(
                            f"{path}: {events} events, {size // 1024} KB "
                            f"({time.monotonic() - started:.1f} s)"
                        )
    finally:
        await env.shutdown()
    total = sum(p.stat().st_size for p in out.glob("*.json"))
    print(f"{out}: {total // 1024} KB in all")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
