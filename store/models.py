"""Tables. Every change here comes with an Alembic migration (store/migrations/versions)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
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


class CaseRecordRow(Base):
    """One case's durable record (ehcp.records.CaseRecord): the listed fields in plain columns
    (no personal data: reference, council, decision type, stage, dates, flags) and the whole
    record encrypted with the payload codec's keys in `record`.

    Writes are ordered by (`event_seq`, `version_ms`): an older write never replaces a newer
    one, so retries and replays of the workflow's write cannot go backwards. A row whose
    personal data has been erased (`erased_at`) is never written again."""

    __tablename__ = "case_records"
    __table_args__ = (
        # the case list: one council's open (or closed) cases, overdue first, then soonest
        # next deadline first
        Index("ix_case_records_list", "council", "closed", "sort_rank", "sort_due", "case_ref"),
        # an operator's list across councils, and retention (closed cases by closing date)
        Index("ix_case_records_all", "closed", "sort_rank", "sort_due", "case_ref"),
        Index("ix_case_records_closed_on", "closed", "closed_on"),
    )

    case_ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    council: Mapped[str] = mapped_column(String(40))
    decision_type: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(40))
    closed: Mapped[bool] = mapped_column(Boolean)
    #: UK date the case closed (retention counts from it)
    closed_on: Mapped[date | None] = mapped_column(Date, default=None)
    #: UK due date of the next pending deadline
    next_due: Mapped[date | None] = mapped_column(Date, default=None)
    #: the list's first key: 0 overdue, 1 a deadline pending, 2 none pending (or closed)
    sort_rank: Mapped[int] = mapped_column(Integer, server_default=text("2"))
    #: the list's second key: an overdue case's earliest missed duty still owed, else next_due,
    #: else the last date: with sort_rank, one ascending, index-friendly sort in any database
    sort_due: Mapped[date] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean)
    #: the caseworker's staff id, when the case has one (a hook for the caseworker filter)
    caseworker_id: Mapped[str | None] = mapped_column(String(100), default=None)
    event_seq: Mapped[int] = mapped_column(Integer)
    #: the write's workflow time, milliseconds since the Unix epoch (UTC)
    version_ms: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: when personal data was erased (retention or an erasure request); then never rewritten
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: the CaseRecord as JSON in an encrypted payload (security/codec.py), serialized
    record: Mapped[bytes] = mapped_column(LargeBinary)
