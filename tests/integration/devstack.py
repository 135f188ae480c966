"""A real `make run` stack for integration tests: scripts/run_dev.py on free ports with a
temporary data dir, and helpers to wait for it without sleep-based timing."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEPLOYED_ENV

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 60.0
#: the councils configured on every test stack (tests/integration/councils.toml)
COUNCILS_FILE = Path(__file__).resolve().parent / "councils.toml"
BANNER = re.compile(r"server pid (\d+), worker pid (\d+)")


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


async def eventually_async(
    check: Callable[[], Awaitable[bool]], what: str, deadline_s: float
) -> None:
    """`eventually` for a check that awaits (an HTTP call)."""
    deadline = time.monotonic() + deadline_s
    while not await check():
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
    #: what a client (the CLI) needs beside the address to talk to this stack
    client_env: dict[str, str] = field(default_factory=dict)
    api_port: int = 0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

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


def run_dev_starter(tmp_path: Path) -> Iterator[Callable[..., RunDev]]:
    """Generator behind the `start_run_dev` fixture: stops every stack it started."""
    started: list[RunDev] = []
    ports = free_port(), free_port(), free_port()

    def start(data_dir: Path, worker_cmd: list[str], port: int | None = None) -> RunDev:
        output = tmp_path / f"run_dev-{len(started)}.out"
        port = port or ports[0]
        env = {
            **os.environ,
            **DEPLOYED_ENV,
            "EHCP_DEV_PORT": str(port),
            "EHCP_DEV_UI_PORT": str(ports[1]),
            "EHCP_API_PORT": str(ports[2]),
            # the pages' local identity provider (web/dev_oidc.py), never a developer's 9400
            "EHCP_DEV_OIDC_PORT": os.environ.get("EHCP_DEV_OIDC_PORT") or str(free_port()),
            "EHCP_DATA_DIR": str(data_dir),
            "EHCP_DEV_WORKER_CMD": shlex.join(worker_cmd),
        }
        env.pop("EHCP_OUTBOX_DIR", None)
        env.pop("EHCP_DATABASE_URL", None)
        # tests fail authentication on purpose; the limit itself is tested in-process
        env["EHCP_API_AUTH_FAILURE_LIMIT"] = "10000/minute"
        # the councils the tests use (each test works in its own); only these can start cases
        env.setdefault("EHCP_COUNCILS_FILE", str(COUNCILS_FILE))
        with output.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "scripts/run_dev.py"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        # run_dev makes the stack's development key file there; the CLI must use the same.
        keys = {
            "EHCP_CODEC_KEY_FILE": str(data_dir / "dev-codec-keys.json"),
            "EHCP_DATABASE_URL": f"sqlite:///{data_dir / 'ehcp.db'}",
        }
        started.append(RunDev(proc, output, port, ports[1], client_env=keys, api_port=ports[2]))
        return started[-1]

    yield start
    for run in started:
        run.kill()


# -- a dev server and worker processes, each started and killed on its own ----------------

TEMPORAL_BIN = Path(sysconfig.get_path("scripts")) / "temporal"
HOST = "127.0.0.1"


@dataclass
class DevServer:
    """`temporal server start-dev` on a SQLite file: stop it and start it again on the same
    file to prove that cases survive a server restart."""

    db_file: Path
    port: int = field(default_factory=free_port)
    log: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    #: more `temporal server start-dev` arguments, e.g. dynamic config values
    extra_args: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self) -> None:
        from workflows.search_attributes import SEARCH_ATTRIBUTES

        command = [
            str(TEMPORAL_BIN),
            "server",
            "start-dev",
            "--headless",
            "--db-filename",
            str(self.db_file),
            "--ip",
            HOST,
            "--port",
            str(self.port),
            "--http-port",
            str(free_port()),
            "--metrics-port",
            str(free_port()),
        ]
        for name, kind in SEARCH_ATTRIBUTES.items():
            command += ["--search-attribute", f"{name}={kind}"]
        command += self.extra_args
        self.log = self.db_file.with_suffix(".log")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    async def wait_ready(self, client_factory: Callable[[str], Any]) -> Any:
        """Connect once the frontend answers; returns the client."""
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            assert self.proc and self.proc.poll() is None, "dev server exited"
            try:
                return await client_factory(self.address)
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGINT)


@dataclass
class WorkerProcess:
    """The real `python worker.py`, with its own environment."""

    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "worker.py"],
                cwd=ROOT,
                env={**os.environ, **DEPLOYED_ENV, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def wait_polling(self) -> None:
        await eventually(
            lambda: (
                "worker polling" in self.log.read_text(errors="replace")
                or (self.proc is not None and self.proc.poll() is not None)
            ),
            "the worker to start polling",
            START_DEADLINE_S,
        )
        assert self.proc and self.proc.poll() is None, self.log.read_text(errors="replace")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # SIGKILL: no clean shutdown, in-flight work is simply lost
        self.proc.wait(STOP_DEADLINE_S)

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGTERM)


def stop_process(proc: subprocess.Popen[bytes] | None, sig: int) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(STOP_DEADLINE_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
