"""The sent ledger: which message keys a provider accepted, in the service's database.

SendGrid's mail send has no idempotency key, so "never twice" is ours to keep, across every
worker on every host. Two tables (store/migrations/versions/0002_sent_ledger.py):

- `sent_messages`: one row per key a provider accepted (unique `message_key`), with its
  message id. Written in the same transaction that ends the attempt, never rewritten.
- `send_attempts`: one row per key: the attempt in progress (`sending`, leased until
  `leased_until`) or how the last one ended (`failed`: the provider said no for now, safe
  to send again; `refused`: refused for good (400, 401, 403, 413...), never sent again;
  `unknown`: no answer, e.g. a timeout; `accepted`: accepted, but the sent record could not
  be written yet; `sent`: recorded in `sent_messages`).

**Leases use the database's clock, never the host's.** `begin` claims a key with one
conditional UPDATE whose condition and new lease are computed by the database
(`db_epoch()`: PostgreSQL's `now()`, SQLite's `julianday('now')`): a host whose clock is
wrong can neither take over an attempt still in flight elsewhere nor keep one alive. The
claimer's own clock is only recorded (`holder_clock_skew_s`, for operators).

Rows hold keys (case reference, deadline, kind, role), times, attempt numbers, the
provider's message id and status code: no names, addresses, case details or provider text.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    String,
    Text,
    and_,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import FunctionElement

from store.db import Base, engine, session
from store.migrate import upgrade

NEW = "new"  # a row made by `begin` that no attempt holds yet (never left committed)
SENDING = "sending"
FAILED = "failed"
UNKNOWN = "unknown"
ACCEPTED = "accepted"
REFUSED = "refused"
SENT = "sent"
#: how an earlier attempt ended that settles the key: no new attempt is made
SETTLED = (ACCEPTED, REFUSED, SENT)
#: what a new attempt may take over at once (a `sending` one only once its lease is over)
CLAIMABLE = (NEW, FAILED, UNKNOWN)

#: what the ledger raises when the database cannot be used (unreachable, locked, full)
LedgerError = SQLAlchemyError


class db_epoch(FunctionElement):
    """The database server's clock, in epoch seconds (float)."""

    type = Float()
    inherit_cache = True


@compiles(db_epoch, "postgresql")
def _pg_epoch(element, compiler, **kw) -> str:
    return "CAST(EXTRACT(EPOCH FROM now()) AS DOUBLE PRECISION)"


@compiles(db_epoch, "sqlite")
def _sqlite_epoch(element, compiler, **kw) -> str:
    return "((julianday('now') - 2440587.5) * 86400.0)"


class SendAttempt(Base):
    """The latest attempt to send one message key (see the module docstring)."""

    __tablename__ = "send_attempts"

    message_key: Mapped[str] = mapped_column(Text, primary_key=True)
    #: 1 for the first attempt; taken-over and retried attempts count up
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12))
    #: how the attempt before this one ended (`sending` or `unknown`: it may have been sent)
    previous_state: Mapped[str | None] = mapped_column(String(12), default=None)
    #: epoch seconds on the DATABASE's clock until which a `sending` attempt is alive
    leased_until: Mapped[float | None] = mapped_column(Float, default=None)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    #: `host:pid` of the worker holding it
    holder: Mapped[str | None] = mapped_column(String(200), default=None)
    #: the holder's clock minus the database's when it claimed (seconds): a skewed host shows
    #: here; never used for the lease
    holder_clock_skew_s: Mapped[float | None] = mapped_column(Float, default=None)
    message_id: Mapped[str | None] = mapped_column(String(200), default=None)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)


class SentMessage(Base):
    """A message key a provider accepted: written once, in the transaction that ends the
    attempt; a key here is never sent again."""

    __tablename__ = "sent_messages"

    message_key: Mapped[str] = mapped_column(Text, primary_key=True)
    message_id: Mapped[str | None] = mapped_column(String(200))
    transport: Mapped[str] = mapped_column(String(20))
    #: the database's clock
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: attempts it took; more than one after an `unknown` or dead attempt: possibly twice;
    #: 0 when recorded from the provider's event webhook (`reconcile`)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


@dataclass(frozen=True)
class SentRecord:
    key: str
    message_id: str | None
    transport: str


@dataclass(frozen=True)
class Attempt:
    key: str
    state: str
    number: int
    holder: str | None = None
    previous_state: str | None = None
    message_id: str | None = None
    #: the provider's HTTP status for a `refused` attempt
    status_code: int | None = None


class AttemptInFlight(Exception):
    """Another attempt for this key holds an unexpired lease and may be talking to the
    provider right now. `wait_s`: seconds left on its lease, by the database's clock."""

    def __init__(self, attempt: Attempt, wait_s: float) -> None:
        super().__init__(f"another attempt (#{attempt.number}) is in progress")
        self.attempt = attempt
        self.wait_s = wait_s


def _attempt(row: SendAttempt) -> Attempt:
    return Attempt(
        row.message_key, row.state, row.number, row.holder, row.previous_state, row.message_id,
        row.status_code,
    )  # fmt: skip


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


class SentLedger:
    """The ledger in the database at `url` (migrated on first use).

    `lease_s`: how long a `sending` attempt is taken to be alive (the send activity's
    start-to-close timeout); after that, by the database's clock, it is a dead attempt and
    one other attempt may take it over. `host_time` (epoch seconds) is only recorded.
    """

    def __init__(
        self, url: str, lease_s: float = 30.0, host_time: Callable[[], float] | None = None
    ) -> None:
        self.url = url
        self.lease_s = lease_s
        self._host_time = host_time
        upgrade(url)
        self._insert = pg_insert if engine(url).dialect.name == "postgresql" else sqlite_insert

    # -- reading -----------------------------------------------------------------------------

    def sent(self, key: str) -> SentRecord | None:
        with session(self.url) as s:
            row = s.get(SentMessage, key)
            return None if row is None else SentRecord(key, row.message_id, row.transport)

    def attempt(self, key: str) -> Attempt | None:
        with session(self.url) as s:
            row = s.get(SendAttempt, key)
            return None if row is None or row.state == NEW else _attempt(row)

    def refusal(self, key: str) -> Attempt | None:
        """The recorded permanent refusal of `key`, if an earlier attempt got one."""
        found = self.attempt(key)
        return found if found is not None and found.state == REFUSED else None

    # -- attempts ----------------------------------------------------------------------------

    def begin(self, key: str) -> tuple[Attempt, Attempt | None]:
        """Claim `key` for a new attempt (`sending`); return it and how the one before ended
        (None for the first). One transaction, one conditional UPDATE: of several concurrent
        callers on any hosts exactly one wins; the others raise AttemptInFlight while the
        winner's lease lasts (by the database's clock). A key already settled (`sent`,
        `accepted`, `refused`) is returned as it is: the caller records it, or reports the
        refusal, and sends nothing. Raises LedgerError when the database cannot be used."""
        now = db_epoch()
        host_now = self._host_time() if self._host_time else None
        with session(self.url) as s:
            s.execute(
                self._insert(SendAttempt)
                .values(message_key=key, number=0, state=NEW)
                .on_conflict_do_nothing(index_elements=["message_key"])
            )
            claimable = or_(
                SendAttempt.state.in_(CLAIMABLE),
                and_(SendAttempt.state == SENDING, SendAttempt.leased_until <= now),
            )
            not_sent = ~exists().where(SentMessage.message_key == key)
            claimed = s.execute(
                update(SendAttempt)
                .where(SendAttempt.message_key == key, claimable, not_sent)
                .values(
                    number=SendAttempt.number + 1,
                    previous_state=SendAttempt.state,
                    state=SENDING,
                    leased_until=now + self.lease_s,
                    started_at=func.now(),
                    ended_at=None,
                    holder=holder_name(),
                    holder_clock_skew_s=None if host_now is None else host_now - now,
                    message_id=None,
                    status_code=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            row, left = s.execute(
                select(SendAttempt, SendAttempt.leased_until - now)
                .where(SendAttempt.message_key == key)
                .execution_options(populate_existing=True)
            ).one()
            current = _attempt(row)
            if claimed == 1:
                previous = None
                if current.previous_state not in (None, NEW):
                    previous = Attempt(key, current.previous_state, current.number - 1)
                return current, previous
            if current.state in SETTLED:
                return current, current
            if current.state == NEW:  # sent by a path that kept no attempt: settled
                return Attempt(key, SENT, 0), None
            raise AttemptInFlight(current, max(0.0, float(left or 0.0)))

    def end(
        self,
        attempt: Attempt,
        state: str,
        message_id: str | None = None,
        status_code: int | None = None,
    ) -> None:
        """Record how an attempt ended (`failed`, `unknown`, `accepted`, or `refused` with the
        provider's status code), unless another attempt has taken the key over meanwhile."""
        with session(self.url) as s:
            s.execute(
                update(SendAttempt)
                .where(
                    SendAttempt.message_key == attempt.key,
                    SendAttempt.number == attempt.number,
                    SendAttempt.state.in_((SENDING, ACCEPTED)),
                )
                .values(
                    state=state,
                    ended_at=func.now(),
                    leased_until=None,
                    message_id=message_id,
                    status_code=status_code,
                )
                .execution_options(synchronize_session=False)
            )

    def record_sent(
        self, key: str, message_id: str | None, transport: str, attempt: Attempt | None = None
    ) -> SentRecord:
        """Write the sent record and end the attempt, in one transaction: after the commit the
        key is never sent again. A record already there wins (its record is returned)."""
        with session(self.url) as s:
            row = s.get(SendAttempt, key)
            number = row.number if row is not None else 1
            s.execute(
                self._insert(SentMessage)
                .values(
                    message_key=key,
                    message_id=message_id,
                    transport=transport,
                    attempts=max(number, 1),
                )
                .on_conflict_do_nothing(index_elements=["message_key"])
            )
            s.execute(
                update(SendAttempt)
                .where(SendAttempt.message_key == key)
                .values(
                    state=SENT,
                    ended_at=func.now(),
                    leased_until=None,
                    message_id=message_id,
                )
                .execution_options(synchronize_session=False)
            )
            found = s.get(SentMessage, key, populate_existing=True)
            assert found is not None
            return SentRecord(key, found.message_id, found.transport)

    def expire_lease_now(self, key: str) -> None:
        """End the lease of `key`'s attempt now, by the database's clock: an operator's
        tool after a worker is known dead (and tests, to simulate its lease running out)."""
        with session(self.url) as s:
            s.execute(
                update(SendAttempt)
                .where(SendAttempt.message_key == key, SendAttempt.state == SENDING)
                .values(leased_until=db_epoch() - 0.001)
                .execution_options(synchronize_session=False)
            )

    def reconcile(self, key: str, message_id: str, transport: str = "sendgrid") -> str:
        """What the provider's event webhook says about `key`: it accepted a message with
        this id. Returns `recorded` (no sent record yet: the 202 was lost or not yet
        recorded; now it is, so no retry sends it again), `matches` (the recorded id), or
        `duplicate` (another id than the recorded one: the key went twice, in the window of
        docs/email.md)."""
        with session(self.url) as s:
            inserted = s.execute(
                self._insert(SentMessage)
                .values(message_key=key, message_id=message_id, transport=transport, attempts=0)
                .on_conflict_do_nothing(index_elements=["message_key"])
                .returning(SentMessage.message_key)  # a row only if this insert made one
            ).first()
            if inserted is not None:  # the first word of it: end any attempt, as record_sent does
                s.execute(
                    update(SendAttempt)
                    .where(SendAttempt.message_key == key)
                    .values(
                        state=SENT, ended_at=func.now(), leased_until=None, message_id=message_id
                    )
                    .execution_options(synchronize_session=False)
                )
                return "recorded"
            found = s.get(SentMessage, key)
            assert found is not None
            return "matches" if found.message_id in (None, message_id) else "duplicate"
