"""Engine and session helpers: one engine per database URL per process."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Base of every table; Alembic reads its metadata (store/migrations/env.py)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # several processes share the file (the API, the CLI): wait for a lock, do not fail
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA foreign_keys = ON")
    # Write-ahead log: readers never block the writer (the worker's 16 activity threads write
    # case records and the sent ledger while the API reads), and a commit is one fsync of the
    # log, not three of a rollback journal. synchronous stays FULL (the default): a committed
    # ledger row survives a power cut. The mode is kept in the file; the log and its index
    # (-wal, -shm) get the database file's mode.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _private_file(path: Path) -> None:
    """A missing SQLite file is made 0600 (missing folders 0700) before SQLite opens it, so
    that its records (case references, key hashes) are the service user's only; SQLite gives
    its journal the database file's mode."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@functools.cache
def engine(url: str) -> Engine:
    """The process's engine for `url`; a SQLite file's directory is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _private_file(Path(parsed.database))
    sqlite = parsed.get_backend_name() == "sqlite"
    # a file has no connection to lose: no "SELECT 1" before every transaction
    created = create_engine(url, pool_pre_ping=not sqlite)
    if sqlite:
        event.listen(created, "connect", _sqlite_pragmas)
    return created


@functools.cache
def _sessions(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine(url), expire_on_commit=False)


@contextmanager
def session(url: str) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with _sessions(url).begin() as s:
        yield s
