"""A case started on this code records one patch marker, `patches-2026-11-in-one-marker`,
instead of one per earlier patch (issue 15: eight markers were about a third of a quiet case's
history), and still takes every patched path; older histories, with one marker per patch,
replay through tests/workflow/test_replay.py."""

from __future__ import annotations

import json
from datetime import timedelta

from temporalio.api.enums.v1 import EventType

from tests.workflow.harness import harness, make_case
from workflows import patches

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


async def test_a_new_case_records_one_patch_marker_and_takes_every_patched_path(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-MARK-1", "plan_content", d0 - timedelta(days=3)))
        await h.event(handle, "mediation_adviser_contacted", date=d0)
        history = await handle.fetch_history()
        ids = _patch_ids(history)
        # the one marker, then the patches made after it (each asked on its own)
        assert ids == [patches.ALL_OF_2026_11, patches.CASEWORKER_REF, patches.CASE_RECORDS]
        # planning and sending ran as local activities (markers), not scheduled activities
        kinds = {e.event_type for e in history.events}
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in kinds
        assert EventType.EVENT_TYPE_TIMER_STARTED in kinds
