"""Durable records of the service (SQLAlchemy 2, schema by Alembic): API keys (api_keys.py)
and case records (case_records.py, docs/records.md).

SQLite file under data/ by default; PostgreSQL in production (EHCP_DATABASE_URL). Migrations
run at start (`store.migrate.upgrade`), so a fresh database and an old one both end up at the
code's schema.
"""
