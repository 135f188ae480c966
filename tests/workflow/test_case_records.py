"""The workflow writes the case's record (ehcp/records.py) to the database as the case goes:
at start, at each accepted event, when it becomes overdue, and at closure (patch
case-records-written), sealed with the payload keys, and its history replays."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    Replayer,
)

from activities.names import PLAN_AND_RECORD_EVENT
from ehcp import timescales
from ehcp.models import Case
from ehcp.records import CaseRecord
from security.codec import EncryptionCodec
from security.converter import data_converter
from store.case_records import CaseRecords, RecordFilter
from store.db import session
from store.models import CaseRecordRow
from tests.conftest import TEST_KEYRING
from tests.workflow.fault_scenarios import CAL
from tests.workflow.harness import harness, make_case
from workflows.disagreement import DisagreementWorkflow

WAIT_S = 30


async def record_when(
    store: CaseRecords, ref: str, ready: Callable[[CaseRecord], bool]
) -> CaseRecord:
    """The case's record once `ready` holds (the workflow writes it right after the event
    is accepted, on its next pass round the loop); fails after WAIT_S seconds."""
    deadline = time.monotonic() + WAIT_S
    while True:
        record = await asyncio.to_thread(store.get, ref)
        if record is not None and ready(record):
            return record
        assert time.monotonic() < deadline, f"record of {ref} never became ready: {record}"
        await asyncio.sleep(0.05)


async def _started_with_its_record(h, ref: str):
    """A refusal decided yesterday, started: the store, today, the case and its first record."""
    store = CaseRecords(h.settings.database_url, EncryptionCodec(TEST_KEYRING))
    d0 = await h.today()
    handle = await h.start(make_case(ref, "refusal_to_assess", d0 - timedelta(1)))
    return store, d0, handle, await record_when(store, ref, lambda r: True)


async def test_the_record_follows_the_case_to_its_closure(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        store, d0, handle, started = await _started_with_its_record(h, "RUT-REC-1")
        status = await h.status(handle)
        assert started.event_seq == 0 and started.status == status
        assert started.case == await handle.query(DisagreementWorkflow.case, result_type=Case)
        listed = store.page(RecordFilter(council="rutland"), 10)[0]
        assert [(r.case_ref, r.stage, r.next_due, r.closed, r.overdue) for r in listed] == [
            ("RUT-REC-1", "decision", status.next_due, False, False)
        ]

        await h.event(handle, "mediation_requested", date=d0)
        asked = await record_when(store, "RUT-REC-1", lambda r: r.event_seq == 1)
        assert asked.status.stage.value == "mediation"
        assert [e.event.kind for e in asked.timeline.events] == ["mediation_requested"]

        # the mediator's certificate is not issued: the case becomes overdue with no event
        await h.skip(60)
        late = await record_when(store, "RUT-REC-1", lambda r: r.status.overdue)
        assert late.event_seq == 1
        assert store.page(RecordFilter(overdue=True), 10)[0][0].case_ref == "RUT-REC-1"

        today = await h.today()
        await h.event(handle, "case_closed", date=today, reason="withdrawn")
        result = await handle.result()
        closed = await record_when(store, "RUT-REC-1", lambda r: r.closed)
        assert closed.status == result  # exactly what the closed workflow answered
        assert closed.closed_on == today and closed.event_seq == 2
        assert [e.event.kind for e in closed.timeline.events] == [
            "mediation_requested",
            "case_closed",
        ]
        listed = store.page(RecordFilter(closed=True), 10)[0]
        assert [(r.case_ref, r.next_due, r.overdue) for r in listed] == [("RUT-REC-1", None, False)]

        # its history (with the patch marker and the writes' markers) replays
        history = await handle.fetch_history()
        replayer = Replayer(
            workflows=[DisagreementWorkflow], data_converter=data_converter(TEST_KEYRING)
        )
        await replayer.replay_workflow(history)


async def _local_activities_once_sent(handle) -> list[str]:
    """The local activities in the case's history, once a send batch is among them."""
    return await _local_activities_once(handle, "send_notifications")


async def _local_activities_once(handle, name: str) -> list[str]:
    """The local activities in the case's history, once `name` is among them."""
    deadline = time.monotonic() + WAIT_S
    while True:
        names = []
        for event in (await handle.fetch_history()).events:
            attrs = event.marker_recorded_event_attributes
            if attrs.marker_name == "core_local_activity":
                data = json.loads(attrs.details["data"].payloads[0].data)
                names.append(data["activity_type"])
        if name in names:
            return names
        assert time.monotonic() < deadline, f"no {name} in history: {names}"
        await asyncio.sleep(0.05)


async def test_reminders_alone_write_no_record_and_the_closing_one_holds_them(time_env, tmp_path):
    """patches-2026-12-in-one-marker: the record is written when what the case list reads
    changes or an event is recorded; a wake-up that only sends reminders writes nothing (one
    marker less in history), and the closing record holds every notice sent."""
    async with harness(time_env, tmp_path) as h:
        store, d0, handle, first = await _started_with_its_record(h, "RUT-REC-2")
        start = await h.status(handle)
        # day by day, up to the first reminder (before the appeal is due, wherever the
        # shared server's date puts it: r.12(3)(a) moves an August one to September)
        due = timescales.appeal(d0 - timedelta(1), None, CAL).due
        for _ in range((due - d0).days + 1):
            await h.skip(1)
            status = await h.status(handle)
            if status.reminders_sent:
                break
        assert status.reminders_sent, "no reminder before the appeal was due"
        assert (status.next_due, status.overdue) == (start.next_due, False)
        # a wake-up's markers reach history together, at its workflow task's completion
        names = await _local_activities_once_sent(handle)
        assert names[names.index("send_notifications") :].count("write_case_record") == 0
        assert await asyncio.to_thread(store.get, "RUT-REC-2") == first

        await h.event(handle, "case_closed", date=await h.today(), reason="withdrawn")
        result = await handle.result()
        closed = await record_when(store, "RUT-REC-2", lambda r: r.closed)
        assert closed.status == result
        assert len(closed.status.reminders_sent) >= len(status.reminders_sent)


#: an event with this note has its plan's record write lost (_RecordLost)
RECORD_LOST = "the database does not take this event's record (test fault)"


class _RecordLostInbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, url: str) -> None:
        super().__init__(next)
        self._url = url

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        result = await super().execute_activity(input)
        planned = activity.info().activity_type == PLAN_AND_RECORD_EVENT
        if planned and input.args[0].event.notes == RECORD_LOST:  # as if it had not landed
            with session(self._url) as s:
                s.execute(delete(CaseRecordRow))
            return result.model_copy(update={"recorded": False})
        return result


class RecordLost(Interceptor):
    """Loses the record written with the plan of events noted RECORD_LOST."""

    def __init__(self, url: str) -> None:
        self._url = url

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _RecordLostInbound(next, self._url)


async def test_a_record_the_plan_could_not_write_is_written_by_the_loop(time_env, tmp_path):
    """patches-2026-12-record-with-plan: the record goes with the event's plan; when the
    database does not take it, the plan still counts and the loop writes the record itself."""
    url = f"sqlite:///{tmp_path / 'ehcp.db'}"
    async with harness(time_env, tmp_path, [RecordLost(url)], database_url=url) as h:
        store, d0, handle, _ = await _started_with_its_record(h, "RUT-REC-3")
        await h.event(handle, "mediation_requested", date=d0)
        names = await _local_activities_once(handle, "plan_and_record_event")
        assert "write_case_record" not in names  # recorded with the plan: no write of its own

        await h.event(handle, "mediation_adviser_contacted", date=d0, notes=RECORD_LOST)
        written = await record_when(store, "RUT-REC-3", lambda r: r.event_seq == 2)
        assert written.status == await h.status(handle)
        names = await _local_activities_once(handle, "write_case_record")
        assert names[-2:] == ["plan_and_record_event", "write_case_record"]
