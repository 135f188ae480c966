"""Tables. Every change here comes with an Alembic migration (store/migrations/versions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from store.db import Base


class ApiKey(Base):
    """An API key: stored only as a SHA-256 hash of its secret part; bound to one council and
    one role; revoked keys stay (revoked_at set) so the record of who had access remains."""

    __tablename__ = "api_keys"

    #: the public part of the key (ehcp_<key_id>_<secret>), shown in lists and logs
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    council: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
