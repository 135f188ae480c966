"""Run Alembic migrations from code (at start of the API and of `starter.py api-key`)."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic's configuration for `url`, without an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


#: Alembic's environment is module state (alembic.context), so two threads must never run
#: it at once: the worker's activity threads open the stores on first use, together
_LOCK = threading.Lock()
_DONE: set[str] = set()


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (once per process, whichever thread
    asks first; the others wait for it)."""
    with _LOCK:
        if url in _DONE:
            return
        command.upgrade(alembic_config(url), "head")
        _DONE.add(url)
