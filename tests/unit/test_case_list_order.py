"""The case list's order (store/case_records.py sort_key, page): overdue cases first, longest
overdue first; then soonest next deadline; then cases with nothing pending, and closed ones;
ties by case reference. Keyset pages continue across every boundary; migration 0004 ranks
existing rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from ehcp.case_state import close_case, refresh_statuses
from ehcp.settings import Settings
from security.codec import EncryptionCodec
from service.callers import Caller, Role
from service.listing import CaseFilter
from service.operations import Cases
from store.case_records import CaseRecords, RecordFilter
from store.migrate import alembic_config
from tests.conftest import TEST_KEYRING
from tests.unit.test_case_records import builder, record_of

TODAY = date(2026, 11, 30)


def _only_missed(ref: str, decided: date, registered: date):
    """A case whose only open duty is missed: the council's appeal response (the trial's
    RUT-2026-0900, a placement-only appeal), so it has no next deadline."""
    b = builder(ref, decision_type="plan_content", decision_date=decided)
    b.add("appeal_registered", registered, tribunal_ref="EH999/26/00009", placement_only=True)
    refresh_statuses(b.state, TODAY)
    return b


#: the expected order, and the cases in the order written (not the order listed)
EXPECTED = [
    "RUT-2026-0901",  # overdue: response due 29 Sep (registered 20 Jul)
    "RUT-2026-0900",  # overdue: response due 12 Oct
    "RUT-2026-0910",  # overdue, the same missed date as 0900: by reference
    "RUT-2026-0002",  # pending, the soonest next deadline
    "RUT-2026-0003",  # pending, the same next deadline: by reference
    "RUT-2026-0001",  # pending, later
    "RUT-2026-0005",  # closed: nothing pending, last
]


@pytest.fixture
def store(database_url: str) -> CaseRecords:
    store = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING))
    closed = builder("RUT-2026-0005")
    close_case(closed.state, "resolved", date(2026, 10, 3))
    for b in (
        closed,
        builder("RUT-2026-0001", decision_date=date(2026, 11, 20)),
        _only_missed("RUT-2026-0910", date(2026, 8, 3), date(2026, 8, 20)),
        builder("RUT-2026-0003", decision_date=date(2026, 11, 10)),
        _only_missed("RUT-2026-0900", date(2026, 8, 3), date(2026, 8, 20)),
        builder("RUT-2026-0002", decision_date=date(2026, 11, 10)),
        _only_missed("RUT-2026-0901", date(2026, 7, 1), date(2026, 7, 20)),
    ):
        store.write(record_of(b))
    return store


def test_overdue_cases_come_first_longest_overdue_first_even_with_no_next_deadline(store):
    listed, last = store.page(RecordFilter(), limit=100)
    assert last is None
    assert [r.case_ref for r in listed] == EXPECTED
    assert [r.overdue for r in listed] == [True] * 3 + [False] * 4
    assert listed[0].next_due is None  # nothing pending: only the missed response
    # ... so the list says since when (a fresh user's trial saw "No deadline pending" only)
    assert [r.overdue_since for r in listed] == [
        date(2026, 9, 29),
        date(2026, 10, 12),
        date(2026, 10, 12),
        *[None] * 4,
    ]


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_keyset_pages_cross_the_overdue_boundary_and_equal_keys(store, limit):
    paged, after = [], None
    while True:
        rows, after = store.page(RecordFilter(), limit=limit, after=after)
        paged += [r.case_ref for r in rows]
        if after is None:
            break
    assert paged == EXPECTED
    # a page that ends on the last overdue case continues with the first pending one
    rows, after = store.page(RecordFilter(), limit=3)
    assert after is not None and after[0] == 0
    assert store.page(RecordFilter(), limit=1, after=after)[0][0].case_ref == "RUT-2026-0002"


async def test_the_service_s_cursor_carries_the_rank(store):
    cases = Cases(None, Settings(database_url=store.url), records=store)  # type: ignore[arg-type]
    caller, refs, cursor = Caller("CMS import", Role.viewer, "rutland"), [], None
    while True:
        page = await cases.list_cases(caller, CaseFilter(), page_size=2, cursor=cursor)
        refs += [c.case_ref for c in page.cases]
        if not (cursor := page.next_cursor):
            break
    assert refs == EXPECTED


def test_migration_0004_ranks_existing_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0003_case_records")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [  # (ref, closed, next_due, sort_due, overdue)
        ("RUT-2026-0001", False, date(2026, 12, 1), date(2026, 12, 1), False),
        ("RUT-2026-0002", False, None, date(9999, 12, 31), True),
        ("RUT-2026-0003", False, None, date(9999, 12, 31), False),
        ("RUT-2026-0004", True, None, date(9999, 12, 31), False),
    ]
    engine = create_engine(url)
    with engine.begin() as db:
        for ref, closed, next_due, sort_due, overdue in rows:
            db.execute(
                text(
                    "INSERT INTO case_records (case_ref, council, decision_type, stage, closed,"
                    " next_due, sort_due, overdue, event_seq, version_ms, updated_at, record)"
                    " VALUES (:ref, 'rutland', 'plan_content', 'appeal', :closed, :next_due,"
                    " :sort_due, :overdue, 1, 1, :now, :record)"
                ),
                {
                    "ref": ref,
                    "closed": closed,
                    "next_due": next_due,
                    "sort_due": sort_due,
                    "overdue": overdue,
                    "now": now,
                    "record": b"sealed",
                },
            )
    command.upgrade(alembic_config(url), "head")
    with engine.begin() as db:
        ranks = dict(db.execute(text("SELECT case_ref, sort_rank FROM case_records")).all())
    engine.dispose()
    assert ranks == {"RUT-2026-0001": 1, "RUT-2026-0002": 0, "RUT-2026-0003": 2,
                     "RUT-2026-0004": 2}  # fmt: skip
    listed = CaseRecords(url, EncryptionCodec(TEST_KEYRING)).page(RecordFilter(), 10)[0]
    assert [r.case_ref for r in listed][:2] == ["RUT-2026-0002", "RUT-2026-0001"]
