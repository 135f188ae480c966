"""Case records in the database: written by the workflow (a local activity), read by the case
list (the read model behind `GET /api/v1/cases`, `starter.py list` and the Cases page) and by
`status`/`timeline` once Temporal no longer holds a closed case; erased on retention or on
request.

The plain columns hold no personal data. The whole record is a JSON payload encrypted by the
payload codec (security/codec.py: AES-256-GCM, the same keyring and key ids as Temporal
payloads, so rotation works the same way). SQL is portable (SQLite and PostgreSQL): no
upsert dialect, no NULLS LAST; a conditional UPDATE orders writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from temporalio.api.common.v1 import Payload

from ehcp.case_state import missed_duty
from ehcp.records import CaseRecord, anonymised, without_person
from security.codec import EncryptionCodec
from store.db import engine, session
from store.migrate import upgrade
from store.models import CaseRecordRow

#: sort_due of a case with no pending deadline: after every real date
NO_DEADLINE = date(9999, 12, 31)
#: sort_rank: the list shows overdue cases first, then those with a deadline pending, then the
#: rest (nothing pending, or closed)
RANK_OVERDUE, RANK_PENDING, RANK_NONE = 0, 1, 2
_JSON = b"json/plain"
_TABLE = CaseRecordRow.__table__


@dataclass(frozen=True)
class RecordFilter:
    """What the store filters on (service.listing.CaseFilter says it for callers). Dates are
    UK dates; `due_by` keeps a case whose next deadline is on or before it, or that is
    overdue; `case_ref_contains` is a case-insensitive part of the reference."""

    council: str | None = None
    closed: bool | None = None
    overdue: bool | None = None
    due_by: date | None = None
    stage: str | None = None
    decision_type: str | None = None
    case_ref_contains: str | None = None
    #: the caseworker filter: the staff reference of the caseworker's email (security/staff_ref.py)
    caseworker_id: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        row = CaseRecordRow
        found: list[ColumnElement[bool]] = []
        for column, value in (
            (row.council, self.council),
            (row.closed, self.closed),
            (row.overdue, self.overdue),
            (row.stage, self.stage),
            (row.decision_type, self.decision_type),
            (row.caseworker_id, self.caseworker_id),
        ):
            if value is not None:
                found.append(column == value)
        if self.due_by is not None:
            # an overdue case's missed duty is past, whatever its next pending deadline says
            found.append(or_(row.sort_due <= self.due_by, row.overdue.is_(True)))
        if self.case_ref_contains:
            found.append(func.upper(row.case_ref).contains(self.case_ref_contains.upper()))
        return found


@dataclass(frozen=True)
class ListedRecord:
    """A listed case: the plain columns only (nothing decrypted)."""

    case_ref: str
    council: str
    decision_type: str
    stage: str
    closed: bool
    next_due: date | None
    overdue: bool
    caseworker_id: str | None
    #: when overdue: the due date (UK) of the earliest missed duty still owed (the list's
    #: sort date for an overdue case)
    overdue_since: date | None = None


def _listed(row: CaseRecordRow) -> ListedRecord:
    since = row.sort_due if row.sort_rank == RANK_OVERDUE and row.overdue else None
    return ListedRecord(
        row.case_ref, row.council, row.decision_type, row.stage, row.closed, row.next_due,
        row.overdue, row.caseworker_id, since,
    )  # fmt: skip


#: the list's order, and the key a cursor continues from: (sort_rank, sort_due, case_ref)
SortKey = tuple[int, date, str]


def sort_key(record: CaseRecord) -> tuple[int, date]:
    """Where a case sits in the list: (rank, date). An overdue case (rank 0) by the earliest
    due date of its missed duties still owed, longest overdue first (the duties that make it
    overdue: ehcp.case_state.missed_duty); an open case with a deadline pending (rank 1) by
    that date; any other (rank 2) last, by reference alone. Dates are UK dates."""
    status = record.status
    if record.closed:
        return RANK_NONE, NO_DEADLINE
    if status.overdue:
        missed = [d.due for d in status.deadlines if missed_duty(d)]
        return RANK_OVERDUE, min(missed, default=status.next_due or NO_DEADLINE)
    if status.next_due is not None:
        return RANK_PENDING, status.next_due
    return RANK_NONE, NO_DEADLINE


def _ms(instant: datetime) -> int:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return int(instant.timestamp() * 1000)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class CaseRecords:
    """The case records at one database URL (migrated on first use), sealed with `codec`.
    `staff_ref` turns the caseworker's email into the staff reference kept in the
    `caseworker_id` column (security/staff_ref.py; None: the column stays empty)."""

    def __init__(
        self, url: str, codec: EncryptionCodec, staff_ref: Callable[[str], str | None] | None = None
    ) -> None:
        self.url = url
        self.codec = codec
        self._staff_ref = staff_ref
        upgrade(url)

    # -- sealing ----------------------------------------------------------------------------

    def seal(self, record: CaseRecord) -> bytes:
        """The record as an encrypted payload, serialized."""
        payload = Payload(metadata={"encoding": _JSON}, data=record.model_dump_json().encode())
        return self.codec.encrypt(payload).SerializeToString()

    def open(self, sealed: bytes) -> CaseRecord:
        """A sealed record, decrypted (raises PayloadDecryptionError for a key not held)."""
        return CaseRecord.model_validate_json(self.codec.decrypt(Payload.FromString(sealed)).data)

    # -- writing ----------------------------------------------------------------------------

    def write(self, record: CaseRecord) -> bool:
        """Insert or update the case's row, unless the stored one is newer (a higher event
        sequence, or the same one written later) or erased. True if this write was stored.
        Safe to repeat: the same record written twice leaves the same row.

        SQLAlchemy Core, not the ORM: this runs at every accepted event, and the ORM's
        bulk-update path was about 40% of the write's time in a profile (docs/performance.md,
        "Third round")."""
        values = self._values(record)
        seq, version = values["event_seq"], values["version_ms"]
        row = _TABLE.c
        newer_or_same = or_(
            row.event_seq < seq, and_(row.event_seq == seq, row.version_ms <= version)
        )
        ref = record.case.case_ref
        guarded = (
            update(_TABLE)
            .where(row.case_ref == ref, row.erased_at.is_(None), newer_or_same)
            .values(**values)
        )
        if seq == 0 and self._inserted(ref, values):
            return True  # a case's first write (at its start): one transaction, no update
        for _ in range(2):  # a concurrent first insert: the update then decides
            with engine(self.url).begin() as conn:
                if conn.execute(guarded).rowcount:
                    return True
                if conn.execute(select(row.case_ref).where(row.case_ref == ref)).first():
                    return False  # a newer write, or an erased record
            if self._inserted(ref, values):
                return True
        return False

    def _inserted(self, ref: str, values: dict[str, object]) -> bool:
        """Insert the case's first row; False if it has one already (the caller updates)."""
        try:
            with engine(self.url).begin() as conn:
                conn.execute(insert(_TABLE).values(case_ref=ref, **values))
        except IntegrityError:
            return False
        return True

    def insert_many(self, records: list[CaseRecord]) -> None:
        """Insert records of cases that have none yet, in one transaction (a backfill of
        cases started before records were written, or a benchmark's seed). Raises
        IntegrityError, inserting nothing, if any case already has one."""
        with session(self.url) as s:
            s.add_all(CaseRecordRow(case_ref=r.case.case_ref, **self._values(r)) for r in records)

    def _caseworker_id(self, record: CaseRecord) -> str | None:
        caseworker = record.case.caseworker
        if self._staff_ref is None or caseworker is None or not caseworker.email:
            return None
        return self._staff_ref(caseworker.email)

    def _values(self, record: CaseRecord) -> dict[str, object]:
        status = record.status
        rank, due = sort_key(record)
        return {
            "council": record.case.council,
            "decision_type": record.case.decision_type.value,
            "stage": status.stage.value,
            "closed": record.closed,
            "closed_on": record.closed_on,
            "next_due": None if record.closed else status.next_due,
            "sort_rank": rank,
            "sort_due": due,
            "overdue": status.overdue and not record.closed,
            "caseworker_id": self._caseworker_id(record),
            "event_seq": record.event_seq,
            "version_ms": _ms(record.written_at),
            "updated_at": datetime.now(UTC),
            "record": self.seal(record),
        }

    # -- reading ----------------------------------------------------------------------------

    def get(self, case_ref: str) -> CaseRecord | None:
        """The case's record, decrypted; None if there is none."""
        with session(self.url) as s:
            sealed = s.scalar(
                select(CaseRecordRow.record).where(CaseRecordRow.case_ref == case_ref)
            )
        return None if sealed is None else self.open(sealed)

    def council_of(self, case_ref: str) -> str | None:
        """The case's council, without decrypting; None if there is no record."""
        with session(self.url) as s:
            return s.scalar(select(CaseRecordRow.council).where(CaseRecordRow.case_ref == case_ref))

    def page(
        self, flt: RecordFilter, limit: int, after: SortKey | None = None, offset: int = 0
    ) -> tuple[list[ListedRecord], SortKey | None]:
        """Up to `limit` cases matching `flt` in the list's order (`sort_key`: overdue first,
        longest overdue first; then soonest next deadline; none last; ties by case
        reference), from after the key `after` (keyset pagination) or skipping
        `offset` rows (the pages' numbered pages). Returns the cases and the key to continue
        from (None: the last page)."""
        row = CaseRecordRow
        # the list reads plain columns only: the sealed record stays on disk
        query = select(row).options(defer(row.record)).where(*flt.conditions())
        if after is not None:
            rank, due, ref = after
            # (sort_rank, sort_due, case_ref) > after, spelled out: portable to any database
            query = query.where(
                or_(
                    row.sort_rank > rank,
                    and_(row.sort_rank == rank, row.sort_due > due),
                    and_(row.sort_rank == rank, row.sort_due == due, row.case_ref > ref),
                )
            )
        order = (row.sort_rank, row.sort_due, row.case_ref)
        query = query.order_by(*order).limit(limit + 1).offset(offset)
        with session(self.url) as s:
            rows = list(s.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        last = (rows[-1].sort_rank, rows[-1].sort_due, rows[-1].case_ref) if more and rows else None
        return [_listed(r) for r in rows], last

    def count(self, flt: RecordFilter) -> int:
        """How many cases match `flt`."""
        with session(self.url) as s:
            return s.scalar(
                select(func.count()).select_from(CaseRecordRow).where(*flt.conditions())
            )

    # -- erasure ----------------------------------------------------------------------------

    def _rewrite(self, case_ref: str, change: Callable[[CaseRecord], CaseRecord | None]) -> bool:
        """Apply `change` to one record and mark it erased, in one transaction."""
        with session(self.url) as s:
            row = s.get(CaseRecordRow, case_ref, with_for_update=True)
            if row is None:
                return False
            changed = change(self.open(row.record))
            if changed is None:
                return False
            row.record = self.seal(changed)
            row.erased_at = datetime.now(UTC)
            return True

    def erase_case(self, case_ref: str) -> bool:
        """Every person's data erased from one case's record (the anonymised record stays).
        False if there is no such record."""
        return self._rewrite(case_ref, anonymised)

    def erase_person(
        self, email: str, name: str | None = None, council: str | None = None
    ) -> tuple[list[str], list[str]]:
        """One person's data erased from every closed case's record (of `council` when given)
        that holds their email address. Returns the case references erased, and those of
        open cases that hold the person and were left alone (a running case still writes
        to its people: correct or close it first). Reads each record (they are encrypted):
        an operator's command, not a hot path."""
        erased, still_open = [], []
        for case_ref in self._refs(council):
            with session(self.url) as s:
                row = s.get(CaseRecordRow, case_ref)
                holds = row is not None and without_person(self.open(row.record), email, name)
                closed = row is not None and row.closed
            if not holds:
                continue
            if not closed:
                still_open.append(case_ref)
            elif self._rewrite(case_ref, lambda r: without_person(r, email, name)):
                erased.append(case_ref)
        return erased, still_open

    def _refs(self, council: str | None) -> Iterator[str]:
        query = select(CaseRecordRow.case_ref).order_by(CaseRecordRow.case_ref)
        if council is not None:
            query = query.where(CaseRecordRow.council == council)
        with session(self.url) as s:
            refs = list(s.scalars(query))
        yield from refs

    def due_for_erasure(self, years_for: Callable[[str], int], today: date) -> list[str]:
        """Closed cases not yet erased whose closing date is `years_for(council)` years or
        more before `today` (UK date)."""
        row = CaseRecordRow
        with session(self.url) as s:
            councils = list(s.scalars(select(row.council).distinct()))
            due: list[str] = []
            for council in councils:
                cutoff = years_before(today, years_for(council))
                due += s.scalars(
                    select(row.case_ref).where(
                        row.council == council,
                        row.closed.is_(True),
                        row.erased_at.is_(None),
                        row.closed_on <= cutoff,
                    )
                )
        return sorted(due)

    def apply_retention(self, years_for: Callable[[str], int], today: date) -> list[str]:
        """Erase personal data from every record past its council's retention period; returns
        the case references erased."""
        return [ref for ref in self.due_for_erasure(years_for, today) if self.erase_case(ref)]
