"""The HTTP API for council back-office systems (FastAPI): the case operations of service/,
behind API keys bound to one council and one role. Run with `python -m api`."""
