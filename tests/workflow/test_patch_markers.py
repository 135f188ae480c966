"""A case started on this code records one patch marker, `patches-2026-12-record-with-plan`,
instead of one per earlier patch (issue 15: eight markers, then three, each with the SDK's
TemporalChangeVersion upsert, were a large part of a quiet case's history), and still takes
every patched path; older histories, with their markers, replay through
tests/workflow/test_replay.py."""

from __future__ import annotations

import json
from datetime import timedelta

from temporalio.api.enums.v1 import EventType

from ehcp import timescales
from service.callers import operator
from service.operations import Cases
from tests.workflow.fault_scenarios import CAL
from tests.workflow.harness import harness, make_case
from workflows import patches
from workflows import search_attributes as sa

PATCH_MARKER = "core_patch"


def _patch_ids(history) -> list[str]:
    ids = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        attrs = event.marker_recorded_event_attributes
        if attrs.marker_name == PATCH_MARKER:
            ids.append(json.loads(attrs.details["patch-data"].payloads[0].data)["id"])
    return ids


def _upserts(history) -> list[list[str]]:
    """The names in each search-attribute upsert of `history`, in order."""
    return [
        sorted(e.upsert_workflow_search_attributes_event_attributes.search_attributes
               .indexed_fields)
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
    ]  # fmt: skip


def _local_activities(history) -> list[str]:
    names = []
    for event in history.events:
        attrs = event.marker_recorded_event_attributes
        if attrs.marker_name == "core_local_activity":
            names.append(json.loads(attrs.details["data"].payloads[0].data)["activity_type"])
    return names


async def test_a_new_case_records_one_patch_marker_and_takes_every_patched_path(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-MARK-1", "plan_content", d0 - timedelta(days=3)))
        await h.event(handle, "mediation_adviser_contacted", date=d0)
        history = await handle.fetch_history()
        ids = _patch_ids(history)
        # the one marker stands for every patch before it
        assert ids == [patches.RECORD_WITH_PLAN]
        upserts = _upserts(history)
        # the SDK's own, for the marker; then, started (as here) by a client that gave no
        # search attributes, the case sets what identifies it, once; the event (which moves
        # the stage) upserts nothing
        assert upserts == [
            ["TemporalChangeVersion"],
            ["EhcpCaseRef", "EhcpCouncil", "EhcpDecisionType"],
        ]
        # the case record was written with the plan (record-with-plan), at start and with the
        # event: one local activity each, and no write of its own
        assert _local_activities(history) == [
            "plan_and_record_case_start", "plan_and_record_event"
        ]  # fmt: skip
        # planning and sending ran as local activities (markers), not scheduled activities
        kinds = {e.event_type for e in history.events}
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in kinds
        assert EventType.EVENT_TYPE_TIMER_STARTED in kinds


async def test_a_case_started_through_the_service_upserts_no_search_attribute(time_env, tmp_path):
    """service/ starts a case with what identifies it (workflows/search_attributes.py); the
    stage, next deadline and overdue flag are the records' (the case list), so neither an
    event that moves the stage nor a wake-up that sends writes to visibility."""
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        case = make_case("RUT-MARK-2", "plan_content", d0 - timedelta(days=3))
        await Cases(time_env.client, h.settings).start(operator(), case)
        handle = time_env.client.get_workflow_handle("ehcp-case-RUT-MARK-2")
        h.started.append(handle)
        await h.wait_started(handle)
        await h.event(handle, "mediation_adviser_contacted", date=d0)  # decision -> mediation
        # reminders go out, the appeal deadline passes (counted from its own date: an August
        # one moves to September, r.12(3)(a), past a fixed 60 days)
        due = timescales.appeal(case.decision_date, None, CAL).due
        await h.skip((due - d0).days + 1)
        status = await h.status(handle)
        assert status.stage == "mediation" and status.reminders_sent
        history = await handle.fetch_history()
        upserts = _upserts(history)
        assert upserts == [["TemporalChangeVersion"]]
        attrs = (await handle.describe()).typed_search_attributes
        assert (attrs.get(sa.CASE_REF), attrs.get(sa.COUNCIL), attrs.get(sa.DECISION_TYPE)) == (
            "RUT-MARK-2", case.council, "plan_content"
        )  # fmt: skip
        for key in (sa.STAGE, sa.NEXT_DEADLINE, sa.OVERDUE, sa.CASEWORKER):
            assert await h.search_attribute(handle, key.name) is None
