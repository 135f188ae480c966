"""The case records store (store/case_records.py): ordered writes, encryption, the list read
model (filters, order, keyset pages), erasure and retention. Against `database_url`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from activities.records import RecordActivities
from ehcp.case_state import close_case, next_due, refresh_statuses
from ehcp.records import ERASED, ERASED_EMAIL, CaseRecord
from ehcp.records import record_of as written_record
from security.codec import EncryptionCodec
from security.keys import KeyConfigError
from store.case_records import CaseRecords, RecordFilter
from store.db import session
from store.models import CaseRecordRow
from tests.conftest import TEST_KEYRING
from tests.unit.casebuilder import CASEWORKER, PARENT, CaseBuilder, make_case

T0 = datetime(2026, 10, 2, 12, tzinfo=UTC)


def record_of(builder: CaseBuilder, at: datetime = T0) -> CaseRecord:
    """The record the workflow writes for this state (ehcp.records.record_of), with a warning
    naming the parent, as a reader not reached would have (for erasure)."""
    state = builder.state
    record = written_record(state.case, state, at)
    record.status.warnings = [f"{state.case.parent.name} was not reached"]
    return record


def builder(ref: str = "RUT-2026-0042", **fields) -> CaseBuilder:
    return CaseBuilder(make_case(case_ref=ref, **fields))


@pytest.fixture
def store(database_url: str) -> CaseRecords:
    return CaseRecords(database_url, EncryptionCodec(TEST_KEYRING))


def row(store: CaseRecords, ref: str) -> CaseRecordRow:
    with session(store.url) as s:
        return s.scalars(select(CaseRecordRow).where(CaseRecordRow.case_ref == ref)).one()


def test_a_record_round_trips_and_is_stored_encrypted(store):
    b = builder()
    b.add("mediation_declined", date(2026, 10, 5), notes="Alex Parent phoned")
    record = record_of(b)
    assert store.write(record)
    assert store.get("RUT-2026-0042") == record
    stored = row(store, "RUT-2026-0042")
    for secret in (b"Alex Parent", b"alex.parent@example.com", b"phoned", b"casey.worker"):
        assert secret not in stored.record
    assert (stored.council, stored.stage, stored.event_seq) == ("rutland", "mediation", 1)
    assert stored.next_due == record.status.next_due and stored.closed is False
    assert store.get("RUT-2026-0099") is None


def test_writes_never_go_backwards(store):
    b = builder()
    first = record_of(b, T0)
    b.add("mediation_declined", date(2026, 10, 5))
    second = record_of(b, T0 + timedelta(days=3))
    assert store.write(second)
    assert not store.write(first)  # a lower event sequence, written late (a retry)
    assert store.get("RUT-2026-0042") == second
    assert store.write(second)  # the same write again: idempotent, same row
    later_same_seq = second.model_copy(update={"written_at": T0 + timedelta(days=4)})
    assert store.write(later_same_seq)
    assert not store.write(second)  # same sequence, earlier workflow time
    assert row(store, "RUT-2026-0042").event_seq == 1


def test_the_list_is_by_next_deadline_then_reference_with_keyset_pages(store):
    dates = [date(2026, 10, d) for d in (1, 9, 3, 7, 5, 2, 8, 4, 6)]
    for n, decided in enumerate(dates):
        store.write(record_of(builder(f"RUT-2026-{n:04d}", decision_date=decided)))
    closed = builder("RUT-2026-0100")
    close_case(closed.state, "resolved", date(2026, 10, 3))
    store.write(record_of(closed))
    everything, last = store.page(RecordFilter(), limit=100)
    assert last is None
    dues = [r.next_due for r in everything]
    assert dues[:-1] == sorted(dues[:-1]) and dues[-1] is None  # no deadline: last
    assert everything[-1].case_ref == "RUT-2026-0100" and everything[-1].closed
    paged, after = [], None
    while True:
        rows, after = store.page(RecordFilter(), limit=4, after=after)
        paged += rows
        if after is None:
            break
    assert [r.case_ref for r in paged] == [r.case_ref for r in everything]
    assert store.count(RecordFilter(closed=False)) == 9
    assert [r.case_ref for r in store.page(RecordFilter(closed=True), 10)[0]] == ["RUT-2026-0100"]


def test_filters(store):
    soon = builder("RUT-2026-0001", decision_date=date(2026, 10, 1))
    late = builder(
        "RUT-2026-0002", decision_date=date(2026, 10, 20), decision_type="refusal_to_assess"
    )
    other = builder("LEI-2026-0003", council="leicestershire")
    for b in (soon, late, other):
        store.write(record_of(b))
    due_soon = soon.state and next_due(soon.state)
    refs = lambda flt: sorted(r.case_ref for r in store.page(flt, 50)[0])  # noqa: E731
    assert refs(RecordFilter(due_by=due_soon)) == ["LEI-2026-0003", "RUT-2026-0001"]
    assert refs(RecordFilter(due_by=due_soon - timedelta(days=1))) == []
    assert refs(RecordFilter(council="rutland")) == ["RUT-2026-0001", "RUT-2026-0002"]
    assert refs(RecordFilter(decision_type="refusal_to_assess")) == ["RUT-2026-0002"]
    assert refs(RecordFilter(stage="decision")) == refs(RecordFilter())
    assert refs(RecordFilter(stage="appeal")) == []
    assert refs(RecordFilter(case_ref_contains="lei")) == ["LEI-2026-0003"]
    assert refs(RecordFilter(overdue=True)) == []
    # overdue: a missed duty (the mediator's certificate); due_by keeps it whatever its next
    # deadline
    late.add("mediation_requested", date(2026, 10, 21))
    refresh_statuses(late.state, date(2027, 12, 1))
    store.write(record_of(late, T0 + timedelta(days=400)))
    assert refs(RecordFilter(overdue=True)) == ["RUT-2026-0002"]
    assert "RUT-2026-0002" in refs(RecordFilter(due_by=date(2026, 10, 2)))


def test_erasing_a_case_keeps_an_anonymised_record_and_refuses_later_writes(store):
    b = builder()
    b.add("mediation_declined", date(2026, 10, 5), notes="Alex Parent phoned")
    close_case(b.state, "resolved", date(2026, 10, 6))
    record = record_of(b)
    store.write(record)
    assert store.erase_case("RUT-2026-0042")
    kept = store.get("RUT-2026-0042")
    text = kept.model_dump_json()
    for personal in ("Alex Parent", "alex.parent", "Casey Worker", "casey.worker", "phoned"):
        assert personal not in text
    assert kept.case.parent.name == ERASED and kept.case.parent.email == ERASED_EMAIL
    assert kept.status.deadlines == record.status.deadlines or all(
        d.legal_basis for d in kept.status.deadlines
    )
    assert [e.event.kind for e in kept.timeline.events] == ["mediation_declined"]
    assert kept.status.warnings == []
    assert row(store, "RUT-2026-0042").erased_at is not None
    later = record.model_copy(update={"written_at": T0 + timedelta(days=9)})
    assert not store.write(later)  # an erased record is final
    assert not store.erase_case("RUT-2026-0999")


def test_erasing_one_person(store):
    a = builder("RUT-2026-0001")
    a.add("mediation_declined", date(2026, 10, 5), recorded_by=CASEWORKER.name)
    a.add("case_closed", date(2026, 10, 6), reason="withdrawn")
    b = builder("RUT-2026-0002")
    b.add("case_closed", date(2026, 10, 6), reason="withdrawn")
    running = builder("RUT-2026-0003")
    for each in (a, b, running):
        store.write(record_of(each))
    # a member of staff: only their details, in every closed record that holds them; an
    # open case is left alone and named
    assert store.erase_person(CASEWORKER.email.upper()) == (
        ["RUT-2026-0001", "RUT-2026-0002"], ["RUT-2026-0003"],
    )  # fmt: skip
    first = store.get("RUT-2026-0001")
    assert first.case.caseworker.email == ERASED_EMAIL
    assert first.timeline.events[0].event.recorded_by == ERASED
    assert first.case.parent == PARENT  # someone else's data stays
    # the family: the whole record is anonymised
    assert store.erase_person(PARENT.email, council="rutland") == (
        ["RUT-2026-0001", "RUT-2026-0002"], ["RUT-2026-0003"],
    )  # fmt: skip
    assert PARENT.email not in store.get("RUT-2026-0002").model_dump_json()
    assert store.get("RUT-2026-0003").case.parent == PARENT
    assert store.erase_person("nobody@example.org") == ([], [])


def test_retention_counts_from_closure_per_council(store):
    old = builder("RUT-2001-0001")
    old.add("case_closed", date(2026, 10, 6), reason="withdrawn")
    recent = builder("RUT-2001-0002")
    recent.add("case_closed", date(2026, 10, 8), reason="withdrawn")
    leics = builder("LEI-2001-0003", council="leicestershire")
    close_case(leics.state, "resolved", date(2026, 10, 6))  # closed by itself: written that day
    running = builder("RUT-2001-0004")
    for b in (old, recent, running):
        store.write(record_of(b, T0 + timedelta(days=30)))
    store.write(record_of(leics, datetime(2026, 10, 6, 23, 30, tzinfo=UTC)))  # 7th in London
    assert row(store, "RUT-2001-0001").closed_on == date(2026, 10, 6)
    assert row(store, "LEI-2001-0003").closed_on == date(2026, 10, 7)
    years = {"rutland": 25, "leicestershire": 30}
    today = date(2051, 10, 7)  # 25 years and a day after the first closure
    assert store.due_for_erasure(years.__getitem__, today) == ["RUT-2001-0001"]
    assert store.apply_retention(years.__getitem__, today) == ["RUT-2001-0001"]
    assert store.apply_retention(years.__getitem__, today) == []  # done once
    assert store.get("RUT-2001-0001").case.parent.email == ERASED_EMAIL
    assert store.get("RUT-2001-0002").case.parent == PARENT
    assert store.apply_retention(years.__getitem__, date(2056, 10, 7)) == [
        "LEI-2001-0003", "RUT-2001-0002",
    ]  # fmt: skip
    assert store.get("RUT-2001-0004").case.parent == PARENT  # open cases are never erased


def test_the_caseworker_filter_finds_a_case_by_its_caseworkers_staff_reference(database_url):
    refs = {CASEWORKER.email: "st_alex"}
    store = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING), refs.get)
    store.write(record_of(builder("RUT-2026-0042")))
    other = builder("RUT-2026-0043")
    other.add(
        "contact_updated",
        date(2026, 10, 5),
        role="caseworker",
        contact={"name": "Sam Other", "email": "sam.other@rutland.gov.uk"},
    )
    store.write(record_of(other))
    assert row(store, "RUT-2026-0042").caseworker_id == "st_alex"
    assert row(store, "RUT-2026-0043").caseworker_id is None  # a reference the map lacks
    rows, _ = store.page(RecordFilter(caseworker_id="st_alex"), 10)
    assert [r.case_ref for r in rows] == ["RUT-2026-0042"]


def test_a_worker_without_a_staff_reference_key_still_writes_the_record(database_url):
    """The caseworker id is for one filter: a missing key must not hold up the record (the
    closing write is retried until it succeeds)."""

    def no_key(email: str) -> str:
        raise KeyConfigError("no staff reference key")

    activities = RecordActivities(database_url, EncryptionCodec(TEST_KEYRING), no_key)
    assert activities.write_case_record(record_of(builder()))
    store = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING))
    assert store.get("RUT-2026-0042") is not None
    assert row(store, "RUT-2026-0042").caseworker_id is None
