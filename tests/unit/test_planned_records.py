"""Planning and the case record's write in one local activity (activities/planned_records.py,
patch patches-2026-12-record-with-plan): the record written is the one the workflow would
write once it applies the plan, and a database that cannot take it never fails the plan."""

from __future__ import annotations

from datetime import UTC, date, datetime

from temporalio.testing import ActivityEnvironment

from activities.planned_records import PlannedRecordActivities
from activities.planning import PlanningActivities
from activities.records import RecordActivities
from ehcp.case_state import accept_event, new_case_state
from ehcp.payloads import EventToPlan, StartToPlan
from ehcp.planning import request_for
from ehcp.records import record_of
from ehcp.settings import Settings
from security.codec import EncryptionCodec
from store.case_records import CaseRecords
from tests.conftest import TEST_KEYRING
from tests.unit.casebuilder import CaseBuilder, ev, make_case

NOW = datetime(2026, 10, 5, 11, 30, tzinfo=UTC)
#: a SQLite file under a path that cannot exist: every write fails
UNREACHABLE = "sqlite:////proc/no-such-folder/records.db"


def activities(url: str, codec: EncryptionCodec | None = None) -> PlannedRecordActivities:
    settings = Settings()
    return PlannedRecordActivities(
        PlanningActivities(settings), RecordActivities(url, codec or EncryptionCodec(TEST_KEYRING))
    )


def test_the_start_plan_writes_the_record_of_the_first_state(database_url):
    case = make_case(case_ref="RUT-2026-0101", decision_date=date(2026, 10, 2))
    planned = ActivityEnvironment().run(
        activities(database_url).plan_and_record_start, StartToPlan(case=case, now=NOW)
    )
    assert planned.recorded
    assert planned.start.deadlines  # the plan itself, as plan_case_start gives it
    state = new_case_state(case, planned.start.policy, planned.start.deadlines, NOW)
    stored = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING)).get("RUT-2026-0101")
    assert stored == record_of(case, state, NOW)


def test_the_event_plan_writes_the_record_of_the_case_after_the_event(database_url):
    b = CaseBuilder(make_case(case_ref="RUT-2026-0102", decision_date=date(2026, 10, 2)))
    event = ev(
        "appeal_registered", date(2026, 10, 5), tribunal_ref="EH857/26/00042", placement_only=True
    )
    request = EventToPlan(
        identity=b.case, state=b.state.model_copy(deep=True), event=event, now=NOW
    )
    planned = ActivityEnvironment().run(activities(database_url).plan_and_record_event, request)
    # the deadlines are the planner's own, and the state the workflow makes from them is
    # exactly what the stored record shows
    expected = PlanningActivities(Settings()).plan_event_deadlines(request_for(b.state, event))
    assert planned.deadlines == expected and planned.recorded
    accept_event(b.state, event, planned.deadlines, NOW)
    stored = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING)).get("RUT-2026-0102")
    assert stored == record_of(b.case, b.state, NOW)
    assert stored.event_seq == 1 and stored.status.stage.value == "appeal"


def test_an_event_that_closes_the_case_is_recorded_closed(database_url):
    b = CaseBuilder(make_case(case_ref="RUT-2026-0103", decision_date=date(2026, 10, 2)))
    b.add(
        "appeal_registered", date(2026, 10, 5), tribunal_ref="EH857/26/00042", placement_only=True
    )
    event = ev("appeal_withdrawn", date(2026, 10, 9))
    request = EventToPlan(identity=b.case, state=b.state, event=event, now=NOW)
    assert ActivityEnvironment().run(activities(database_url).plan_and_record_event, request)
    stored = CaseRecords(database_url, EncryptionCodec(TEST_KEYRING)).get("RUT-2026-0103")
    assert stored.closed and stored.status.closed_reason == "withdrawn"


def test_a_database_that_cannot_take_the_record_never_fails_the_plan():
    b = CaseBuilder(make_case(case_ref="RUT-2026-0104", decision_date=date(2026, 10, 2)))
    event = ev(
        "appeal_registered", date(2026, 10, 5), tribunal_ref="EH857/26/00042", placement_only=True
    )
    request = EventToPlan(identity=b.case, state=b.state, event=event, now=NOW)
    planned = ActivityEnvironment().run(activities(UNREACHABLE).plan_and_record_event, request)
    assert not planned.recorded  # the workflow's loop writes it (and retries) instead
    assert planned.deadlines == PlanningActivities(Settings()).plan_event_deadlines(
        request_for(CaseBuilder(b.case).state, event)
    )
    start = StartToPlan(case=b.case, now=NOW)
    assert (
        not ActivityEnvironment().run(activities(UNREACHABLE).plan_and_record_start, start).recorded
    )
