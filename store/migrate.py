"""Run Alembic migrations from code (at start of the API and of `starter.py api-key`)."""

from __future__ import annotations

import functools
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


@functools.cache
def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (once per process)."""
    command.upgrade(alembic_config(url), "head")
