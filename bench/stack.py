"""The processes one benchmark run needs: a Temporal dev server on a SQLite file in a temp
folder (free ports), the SendGrid sink, and K worker processes; plus their RSS and CPU.

The dev server is started as `scripts/run_dev.py` and tests/integration/devstack.py do it
(`temporal server start-dev` from the venv, headless, search attributes registered), but on
ports and a file of its own, so a benchmark never touches `make run`'s data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client

from bench.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
TEMPORAL = Path(sysconfig.get_path("scripts")) / "temporal"
HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 45.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# -- /proc readings --------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident set size (VmRSS) of one process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads) since it started."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLK_TCK


@dataclass(frozen=True)
class Usage:
    rss: int
    cpu: float


def usage(pids: list[int]) -> Usage:
    """Summed over `pids` (K worker processes count as one system)."""
    return Usage(sum(rss_bytes(p) for p in pids), sum(cpu_seconds(p) for p in pids))


# -- processes ---------------------------------------------------------------------------------


def spawn(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """In the bench's own process group: a Ctrl-C, or a test killing the group after a
    timeout, reaches every process the bench started (the worker and sink also leave when
    the bench dies)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )


def stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> int | None:
    """Ask, wait, then kill this process (only the one we started)."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def log_tail(path: Path, lines: int = 20) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


#: WAL with synchronous=normal, the usual setting for a SQLite server (durable across a
#: process crash): about 40% more starts/s than the dev server's rollback journal on 2 CPUs
DEFAULT_PRAGMAS = ("journal_mode=wal", "synchronous=normal")


@dataclass
class DevServer:
    folder: Path
    pragmas: tuple[str, ...] = DEFAULT_PRAGMAS
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def db_file(self) -> Path:
        return self.folder / "temporal.db"

    @property
    def log(self) -> Path:
        return self.folder / "temporal.log"

    def command(self) -> list[str]:
        from workflows.search_attributes import SEARCH_ATTRIBUTES

        cmd = [
            str(TEMPORAL), "server", "start-dev", "--headless",
            "--db-filename", str(self.db_file),
            "--ip", HOST,
            "--port", str(self.port),
            "--http-port", str(free_port()),
            "--metrics-port", str(free_port()),
            "--log-level", "warn",
            # never a developer's own Temporal profile or TEMPORAL_* variables
            "--disable-config-file", "--disable-config-env",
        ]  # fmt: skip
        for name, kind in SEARCH_ATTRIBUTES.items():
            cmd += ["--search-attribute", f"{name}={kind}"]
        for pragma in self.pragmas:
            cmd += ["--sqlite-pragma", pragma]
        return cmd

    def start(self) -> None:
        if not TEMPORAL.is_file():
            raise RuntimeError(f"no Temporal CLI at {TEMPORAL}: install the dev extra")
        self.proc = spawn(self.command(), self.log)

    async def wait_ready(self) -> Client:
        """A plain client once the frontend answers and our search attributes are in."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"dev server exited while starting:\n{log_tail(self.log)}")
            try:
                client = await Client.connect(self.address)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        remaining = max(1.0, deadline - time.monotonic())
        await wait_until(
            lambda: self._attributes_registered(client), "search attributes", remaining
        )
        return client

    async def _attributes_registered(self, client: Client) -> bool:
        from workflows.search_attributes import SEARCH_ATTRIBUTES

        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        return set(SEARCH_ATTRIBUTES) <= set(listed.custom_attributes)

    def db_bytes(self) -> int:
        """The SQLite file with its write-ahead log (recent writes live there)."""
        files = [self.db_file, Path(f"{self.db_file}-wal")]
        return sum(f.stat().st_size for f in files if f.exists())

    def db_used_bytes(self) -> int:
        """Pages in use, as a reader sees the database (WAL included). The files alone are
        noisy: the WAL keeps the size it once grew to, several MB, whatever it now holds."""
        with contextlib.closing(sqlite3.connect(f"file:{self.db_file}?mode=ro", uri=True)) as db:
            pages, free, size = (
                db.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("page_count", "freelist_count", "page_size")
            )
        return (pages - free) * size

    def stop(self) -> None:
        stop(self.proc, signal.SIGINT)  # the server exits 0 on SIGINT


@dataclass
class Sink:
    folder: Path
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def records(self) -> Path:
        return self.folder / "sink.jsonl"

    def start(self) -> None:
        port_file = self.folder / "sink.port"
        cmd = [sys.executable, "-m", "bench.sink", "--port-file", str(port_file)]
        self.proc = spawn([*cmd, "--records", str(self.records)], self.folder / "sink.log")
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sink did not start:\n{log_tail(self.folder / 'sink.log')}")
            time.sleep(0.05)
        self.port = int(port_file.read_text())

    def read(self) -> list[dict[str, Any]]:
        """Every message received so far: {"t": epoch seconds, "args": custom_args}."""
        if not self.records.exists():
            return []
        lines = self.records.read_text().splitlines()
        return [json.loads(line) for line in lines if line.endswith("}")]

    def stop(self) -> None:
        stop(self.proc)


@dataclass
class WorkerProcs:
    """K worker processes of one system on one task queue; each writes its own stats file."""

    folder: Path
    system: str
    address: str
    task_queue: str
    env: dict[str, str]
    extra_args: list[str]
    count: int = 1
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    generation: int = 0

    def stats_file(self, n: int) -> Path:
        return self.folder / f"worker-{self.system}-{self.generation}-{n}.json"

    def log(self, n: int) -> Path:
        return self.folder / f"worker-{self.system}-{n}.log"

    async def start(self, env: dict[str, str] | None = None) -> None:
        self.generation += 1
        for n in range(self.count):
            cmd = [
                sys.executable, "-m", "bench.worker_proc",
                "--system", self.system,
                "--task-queue", self.task_queue,
                "--address", self.address,
                "--stats", str(self.stats_file(n)),
                *self.extra_args,
            ]  # fmt: skip
            self.procs.append(spawn(cmd, self.log(n), {**self.env, **(env or {})}))
        await wait_until(self._all_ready, f"{self.count} {self.system} worker(s)", READY_TIMEOUT_S)

    def _all_ready(self) -> bool:
        for n, proc in enumerate(self.procs):
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited ({proc.returncode}):\n{log_tail(self.log(n))}")
        return all(self.stats_file(n).exists() for n in range(self.count))

    def check_alive(self) -> None:
        self._all_ready()

    def stats(self) -> list[dict[str, Any]]:
        found = []
        for n in range(self.count):
            with contextlib.suppress(FileNotFoundError, ValueError):
                found.append(json.loads(self.stats_file(n).read_text()))
        return found

    def completed(self, activity: str) -> int:
        return sum(s["completed"].get(activity, 0) for s in self.stats())

    def failed(self) -> dict[str, int]:
        """Failed activities by name, over every generation of workers in this run."""
        total: dict[str, int] = {}
        for path in self.folder.glob(f"worker-{self.system}-*.json"):
            try:
                stats = json.loads(path.read_text())
            except (FileNotFoundError, ValueError):
                continue
            for name, n in stats["failed"].items():
                total[name] = total.get(name, 0) + n
        return total

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.poll() is None]

    def stop(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)  # all at once: they drain in parallel
        for proc in self.procs:
            stop(proc)
        self.procs = []

    def log_lines(self) -> list[str]:
        """What the workers logged: they log at WARNING, so every line is worth a look."""
        found: list[str] = []
        for n in range(self.count):
            if self.log(n).exists():
                lines = self.log(n).read_text(errors="replace").splitlines()
                found += [line for line in lines if line.strip()]
        return found
