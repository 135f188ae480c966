"""Alembic environment: the URL comes from the config store.migrate builds."""

from __future__ import annotations

from alembic import context

from store import models, sent_ledger  # noqa: F401  (registers the tables on Base.metadata)
from store.db import Base, engine

#: any constant: PostgreSQL's advisory lock that serialises migrations of one database
MIGRATION_LOCK = 0x65686370  # "ehcp"
config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    with engine(config.get_main_option("sqlalchemy.url")).connect() as connection:
        # batch mode: SQLite alters tables by copying them
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # several workers and the API start at once: one migrates, the others wait
                # and then find the schema current (SQLite serialises writers by itself)
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
