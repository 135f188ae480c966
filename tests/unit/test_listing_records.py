"""The case list on the records table through the service layer (service/listing.py,
Cases.list_cases/count_cases), and who may erase: no Temporal server needed."""

from __future__ import annotations

from datetime import date

import pytest

from ehcp.settings import Settings
from security.codec import EncryptionCodec
from service.callers import Caller, Role, operator
from service.errors import BadInput, Forbidden
from service.listing import CaseFilter, decode_key, encode_key, list_tag, record_filter
from service.operations import Cases
from service.records import apply_retention, erase_case, erase_person
from store.case_records import CaseRecords
from tests.conftest import TEST_KEYRING
from tests.unit.test_case_records import builder, record_of

TODAY = date(2026, 11, 30)
RUTLAND = Caller("CMS import", Role.viewer, "rutland")


def test_filters_become_a_record_filter_with_uk_dates():
    flt = CaseFilter(due_within=7, overdue=True, stage="appeal", decision_type="plan_content",
                     council="rutland", closed=False, case_ref="026-00")  # fmt: skip
    made = record_filter(flt, TODAY)
    assert (made.due_by, made.overdue, made.stage, made.decision_type) == (
        date(2026, 12, 7), True, "appeal", "plan_content",
    )  # fmt: skip
    assert (made.council, made.closed, made.case_ref_contains) == ("rutland", False, "026-00")
    assert record_filter(CaseFilter(due_within=0), TODAY).due_by == TODAY
    assert record_filter(CaseFilter(), TODAY).due_by is None


def test_a_continuation_key_round_trips_and_garbage_is_bad_input():
    key = (1, date(2026, 12, 1), "RUT-2026-0001")
    assert decode_key(encode_key(key)) == key
    for garbage in (b"[]", b"{}", b'[1, "not a date", "x"]', b'["2026-12-01", "x"]', b"\xff"):
        with pytest.raises(BadInput, match="cursor"):
            decode_key(garbage)
    assert list_tag(CaseFilter(stage="appeal")) != list_tag(CaseFilter())


@pytest.fixture
def cases(database_url) -> Cases:
    store = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING))
    for n in range(7):
        store.write(record_of(builder(f"RUT-2026-{n:04d}", decision_date=date(2026, 10, 1 + n))))
    store.write(record_of(builder("LEI-2026-0001", council="leicestershire")))
    return Cases(None, Settings(database_url=database_url), records=store)  # type: ignore[arg-type]


async def test_pages_follow_the_cursor_within_the_caller_s_council(cases):
    refs, cursor = [], None
    while True:
        page = await cases.list_cases(RUTLAND, CaseFilter(), page_size=3, cursor=cursor)
        refs += [c.case_ref for c in page.cases]
        assert all(c.council == "rutland" and c.status == "running" for c in page.cases)
        if not (cursor := page.next_cursor):
            break
    assert refs == [f"RUT-2026-{n:04d}" for n in range(7)]  # soonest next deadline first
    assert await cases.count_cases(RUTLAND, CaseFilter()) == 7
    assert await cases.count_cases(operator(), CaseFilter()) == 8
    first = await cases.list_cases(RUTLAND, CaseFilter(), page_size=3)
    with pytest.raises(BadInput, match="other filters"):
        await cases.list_cases(RUTLAND, CaseFilter(stage="appeal"), cursor=first.next_cursor)
    with pytest.raises(BadInput, match="not a cursor"):
        await cases.list_cases(RUTLAND, CaseFilter(), cursor="e30")
    window = await cases.list_cases(RUTLAND, CaseFilter(), page_size=2, offset=5)
    assert [c.case_ref for c in window.cases] == ["RUT-2026-0005", "RUT-2026-0006"]


async def test_only_managers_and_operators_erase_and_only_operators_run_retention(cases):
    for role in (Role.viewer, Role.caseworker):
        caller = Caller("someone", role, "rutland")
        with pytest.raises(Forbidden, match="erase"):
            await erase_person(cases, caller, "sam@example.org")
        with pytest.raises(Forbidden, match="erase"):
            await erase_case(cases, caller, "RUT-2026-0001")
    manager = Caller("manager", Role.manager, "rutland")
    done = await erase_person(cases, manager, "alex.parent@example.com")
    assert done.erased == [] and done.still_open == [f"RUT-2026-{n:04d}" for n in range(7)]
    with pytest.raises(Forbidden, match="operator"):
        await apply_retention(cases, manager, TODAY, dry_run=True)
    assert await apply_retention(cases, operator(), TODAY, dry_run=True) == []
