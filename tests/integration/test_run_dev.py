"""`make run` (scripts/run_dev.py) as a developer meets it: start, banner, Ctrl-C, restart.

Runs the real dev server from the venv on free ports with a temporary data dir, and a stand-in
worker (EHCP_DEV_WORKER_CMD) so these tests do not depend on the workflow code.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from workflows.search_attributes import ALL_KEYS, CASE_REF, SEARCH_ATTRIBUTES

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 60.0
BANNER = re.compile(r"server pid (\d+), worker pid (\d+)")

#: stands in for worker.py: records what it was given, then idles until SIGTERM
STAND_IN_WORKER = """
import json, os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(sys.argv[1], "w") as fh:
    json.dump({"address": os.environ.get("EHCP_TEMPORAL_ADDRESS"), "cwd": os.getcwd()}, fh)
time.sleep(3600)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def eventually(check: Callable[[], bool], what: str, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {deadline_s:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass
class RunDev:
    """One scripts/run_dev.py process, its output in a file (no pipe to fill up)."""

    proc: subprocess.Popen[bytes]
    output: Path
    port: int
    ui_port: int
    pids: tuple[int, int] | None = field(default=None)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    async def wait_for_banner(self) -> tuple[int, int]:
        def banner_or_exit() -> bool:
            return self.proc.poll() is not None or BANNER.search(self.text()) is not None

        await eventually(banner_or_exit, "the run_dev banner", START_DEADLINE_S)
        match = BANNER.search(self.text())
        assert match, (
            f"run_dev exited with {self.proc.returncode} before its banner:\n{self.text()}"
        )
        self.pids = (int(match[1]), int(match[2]))
        return self.pids

    async def wait_for_exit(self) -> int:
        await eventually(lambda: self.proc.poll() is not None, "run_dev to exit", STOP_DEADLINE_S)
        return self.proc.returncode

    async def stop(self, sig: int = signal.SIGINT) -> int:
        self.proc.send_signal(sig)
        return await self.wait_for_exit()

    def kill(self) -> None:
        """Teardown after a failed test: whatever happened, leave nothing running."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in self.pids or ():
            if pid_alive(pid):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def start_run_dev(tmp_path: Path) -> Iterator[Callable[..., RunDev]]:
    started: list[RunDev] = []
    ports = free_port(), free_port()

    def start(data_dir: Path, worker_cmd: list[str], port: int | None = None) -> RunDev:
        output = tmp_path / f"run_dev-{len(started)}.out"
        port = port or ports[0]
        env = {
            **os.environ,
            "EHCP_DEV_PORT": str(port),
            "EHCP_DEV_UI_PORT": str(ports[1]),
            "EHCP_DATA_DIR": str(data_dir),
            "EHCP_DEV_WORKER_CMD": shlex.join(worker_cmd),
        }
        env.pop("EHCP_OUTBOX_DIR", None)
        with output.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "scripts/run_dev.py"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(RunDev(proc, output, port, ports[1]))
        return started[-1]

    yield start
    for run in started:
        run.kill()


async def test_start_stop_and_cases_survive_a_restart(start_run_dev, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    seen = tmp_path / "worker-saw.json"
    worker = [sys.executable, "-c", STAND_IN_WORKER, str(seen)]

    run = start_run_dev(data_dir, worker)
    server_pid, worker_pid = await run.wait_for_banner()
    assert f"Temporal UI  http://localhost:{run.ui_port}\n" in run.text()
    assert "starter.py start --case-ref RUT-2026-0001" in run.text()
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
    await eventually(
        lambda: not pid_alive(server_pid) and not pid_alive(worker_pid),
        "the server and worker processes to be gone",
        5.0,
    )
    assert (data_dir / "temporal.db").is_file()
    assert (data_dir / "temporal.log").is_file()

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
