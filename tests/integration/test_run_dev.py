"""`make run` (scripts/run_dev.py) as a developer meets it: start, banner, Ctrl-C, restart.

Runs the real dev server from the venv on free ports with a temporary data dir, and a stand-in
worker (EHCP_DEV_WORKER_CMD) so these tests do not depend on the workflow code.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import stat
import sys
import time
from pathlib import Path

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from tests.integration.devstack import ROOT, START_DEADLINE_S, eventually, pid_alive
from workflows.search_attributes import ALL_KEYS, CASE_REF, SEARCH_ATTRIBUTES

pytestmark = pytest.mark.integration

#: stands in for worker.py: records what it was given, then idles until SIGTERM
STAND_IN_WORKER = """
import json, os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(sys.argv[1], "w") as fh:
    json.dump({"address": os.environ.get("EHCP_TEMPORAL_ADDRESS"), "cwd": os.getcwd()}, fh)
time.sleep(3600)
"""


async def test_start_stop_and_cases_survive_a_restart(start_run_dev, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    seen = tmp_path / "worker-saw.json"
    worker = [sys.executable, "-c", STAND_IN_WORKER, str(seen)]

    run = start_run_dev(data_dir, worker)
    server_pid, worker_pid = await run.wait_for_banner()
    assert f"Temporal UI  http://localhost:{run.ui_port}\n" in run.text()
    assert "starter.py start --case-ref RUT-2026-0001" in run.text()
    # what the CLI needs, as export lines; the API's address and docs
    assert f"export EHCP_TEMPORAL_ADDRESS={run.address}\n" in run.text()
    assert "export EHCP_CODEC_KEY_FILE=" in run.text()
    assert "export EHCP_DATABASE_URL=sqlite:///" in run.text()
    assert f"API          {run.api_url}/api/v1 (docs {run.api_url}/api/docs" in run.text()
    await eventually(seen.exists, "the stand-in worker to start", START_DEADLINE_S)
    assert f'"address": "{run.address}"' in seen.read_text()
    assert f'"cwd": "{ROOT}"' in seen.read_text()

    client = await Client.connect(run.address)
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace="default")
    )
    assert set(SEARCH_ATTRIBUTES) == {key.name for key in ALL_KEYS}
    for key in ALL_KEYS:
        assert listed.custom_attributes.get(key.name) == key.indexed_value_type, key.name

    # A case nobody works on: no worker polls this queue, so it stays Running.
    case_ref = "RUT-TEST-0001"
    await client.start_workflow(
        "RunDevProbe",
        id="run-dev-probe",
        task_queue="run-dev-probe-nobody-polls",
        search_attributes=TypedSearchAttributes([SearchAttributePair(CASE_REF, case_ref)]),
    )

    assert await run.stop(signal.SIGINT) == 0, run.text()
    # a normal stop says nothing of the children's exit statuses (it said "api exited with
    # status -15", the SIGTERM it was sent)
    assert "exited with status" not in run.text(), run.text()
    await eventually(
        lambda: not pid_alive(server_pid) and not pid_alive(worker_pid),
        "the server and worker processes to be gone",
        5.0,
    )
    assert (data_dir / "temporal.db").is_file()
    assert (data_dir / "temporal.log").is_file()
    # issue 17 fault 4: nothing under data/ is readable by other users of the host
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for made in data_dir.iterdir():
        expected = 0o700 if made.is_dir() else 0o600
        assert stat.S_IMODE(made.stat().st_mode) == expected, made.name

    again = start_run_dev(data_dir, worker)
    await again.wait_for_banner()
    client = await Client.connect(again.address)
    description = await client.get_workflow_handle("run-dev-probe").describe()
    assert description.status == WorkflowExecutionStatus.RUNNING

    async def listed_by_case_ref() -> list[str]:
        query = f"EhcpCaseRef = '{case_ref}'"
        return [wf.id async for wf in client.list_workflows(query)]

    deadline = time.monotonic() + START_DEADLINE_S
    while not (ids := await listed_by_case_ref()):
        assert time.monotonic() < deadline, "the probe case is not listed after a restart"
        await asyncio.sleep(0.1)
    assert ids == ["run-dev-probe"]
    assert await again.stop(signal.SIGTERM) == 0, again.text()


async def test_worker_dying_stops_the_server_and_fails(start_run_dev, tmp_path: Path) -> None:
    run = start_run_dev(tmp_path / "data", [sys.executable, "-c", "raise SystemExit(3)"])
    server_pid, _ = await run.wait_for_banner()
    assert await run.wait_for_exit() == 1
    assert "worker exited unexpectedly with status 3" in run.text()
    assert not pid_alive(server_pid)


async def test_port_in_use_is_reported_plainly(start_run_dev, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = start_run_dev(tmp_path / "data", ["true"], port=port)
        assert await run.wait_for_exit() == 1
    assert f"port {port} on 127.0.0.1 is taken" in run.text()
    assert "EHCP_DEV_PORT" in run.text()
