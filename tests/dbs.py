"""Databases for tests: a SQLite file, and a real PostgreSQL server from Debian's `postgresql`
package (`sudo apt-get install -y postgresql`), started once per test process.

- `postgres_server` (session): `initdb` in a fresh temp folder, then `postgres` on a free
  port of 127.0.0.1 and a unix socket in that folder; fsync off (throwaway data). PostgreSQL
  refuses to run as root, so under root (CI containers) it runs as the `postgres` system user
  the package creates (subprocess's `user=`/`group=`): no sudo at test time. Not installed:
  the tests that need it are skipped, and fail in CI (`CI=true`), as the browser tests do.
- `database_url` (per test): parametrised `sqlite` / `postgresql`, a fresh empty database
  each (its own file, or `CREATE DATABASE`), dropped afterwards; store tests take it to run
  against both.
- `postgres_url` (per test): a fresh PostgreSQL database only.

URLs are SQLAlchemy's: `sqlite:///<file>`, `postgresql+psycopg://<user>@/<db>?host=<socket
folder>&port=<port>`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

SUPERUSER = "ehcp_test"
#: `postgres` must accept connections within this many seconds of starting
START_DEADLINE_S = 60.0
#: a PostgreSQL install other than Debian's: EHCP_TEST_PG_BINDIR=/path/to/bin
BINDIR_VARIABLE = "EHCP_TEST_PG_BINDIR"
#: run the server as this system user when the tests run as root
RUN_AS_WHEN_ROOT = "postgres"


def pg_bindir() -> Path | None:
    """Where `initdb` and `postgres` are: EHCP_TEST_PG_BINDIR, Debian's newest
    /usr/lib/postgresql/<version>/bin, or the PATH. None: not installed."""
    if given := os.environ.get(BINDIR_VARIABLE):
        return Path(given)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One throwaway PostgreSQL cluster: `start()`, `create_database()`, `stop()`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # Not under pytest's tmp folder: under root that is 0700 root, which the server's
        # own user cannot enter.
        self.root = Path(tempfile.mkdtemp(prefix="ehcp-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "postgres.log"
        self._process: subprocess.Popen | None = None
        self._user: dict = {}
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(RUN_AS_WHEN_ROOT)
            except KeyError:
                raise RuntimeError(
                    "tests run as root, and PostgreSQL refuses to: no `postgres` user to run "
                    "it as (Debian's postgresql package creates one)"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._user = {"user": account.pw_uid, "group": account.pw_gid}

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            cwd=self.root,
            **self._user,
        )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.root),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "16MB",
            "TimeZone": "UTC",
        }
        options = [f"-c{name}={value}" for name, value in settings.items()]
        with open(self.log, "wb") as log:
            self._process = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(self.data), *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                **self._user,
            )
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start: {self.log.read_text()}") from None
                time.sleep(0.05)  # polling for readiness, not timing a result

    def dsn(self, database: str) -> str:
        return f"host={self.root} port={self.port} user={SUPERUSER} dbname={database}"

    def url(self, database: str) -> str:
        """SQLAlchemy's URL for `database` (psycopg 3, over the unix socket)."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.root}&port={self.port}"

    def create_database(self) -> tuple[str, str]:
        """A fresh empty database: (name, SQLAlchemy URL)."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name, self.url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            # SIGINT: "fast" shutdown (SIGTERM's "smart" one would wait for pooled connections)
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _unavailable(why: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {why}")
    pytest.skip(f"PostgreSQL tests skipped: {why} (sudo apt-get install -y postgresql)")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = pg_bindir()
    if bindir is None or not (bindir / "postgres").exists():
        _unavailable("Debian's postgresql package is not installed")
    try:
        server = PostgresServer(bindir)
    except RuntimeError as error:
        _unavailable(str(error))
    try:
        server.start()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        server.stop()
        detail = getattr(error, "stderr", b"") or b""
        _unavailable(f"{error} {detail.decode(errors='replace')}".strip())
    yield server
    server.stop()


def _dispose(url: str) -> None:
    """Close the process's pooled connections to `url` (store.db keeps one engine per URL)."""
    from store.db import engine

    with contextlib.suppress(Exception):
        engine(url).dispose()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    name, url = postgres_server.create_database()
    yield url
    _dispose(url)
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ehcp.db'}"
        yield url
        _dispose(url)
        return
    yield request.getfixturevalue("postgres_url")
