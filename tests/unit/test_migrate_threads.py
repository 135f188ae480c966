"""Migrations run once per process and database, whichever thread asks first: the worker's
activity threads open the case records and the sent ledger together on a fresh database, and
Alembic's environment is module state (two at once failed with "table ... already exists")."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import inspect

from store.db import engine
from store.migrate import upgrade


def test_threads_migrating_a_fresh_database_together_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: upgrade(url), range(16)))
    assert results == [None] * 16
    tables = set(inspect(engine(url)).get_table_names())
    assert {"api_keys", "sent_messages", "send_attempts", "case_records"} <= tables
