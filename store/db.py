"""Engine and session helpers: one engine per database URL per process."""

from __future__ import annotations

import functools
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
    cursor.close()


@functools.cache
def engine(url: str) -> Engine:
    """The process's engine for `url`; a SQLite file's directory is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    created = create_engine(url, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
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
