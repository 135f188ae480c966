"""The caseworker filter follows a reassigned case through the case records: each record
carries the caseworker's staff reference (a keyed hash of the email address, never the
address). Cases started on `patches-2026-12-in-one-marker` keep no caseworker in Temporal's
visibility (it changed with events); older ones replay their `EhcpCaseworker` upserts
(tests/workflow/test_replay.py, v5 histories)."""

from __future__ import annotations

from datetime import timedelta

from security.codec import EncryptionCodec
from security.staff_ref import STAFF_REF_PATTERN, staff_ref, staff_ref_key
from service.callers import operator
from service.operations import Cases
from store.case_records import CaseRecords, RecordFilter
from tests.conftest import TEST_KEYRING
from tests.workflow.harness import harness, make_case
from tests.workflow.test_case_records import record_when
from workflows.disagreement import DisagreementWorkflow


def _listed_under(store: CaseRecords, ref: str) -> list[str]:
    return [r.case_ref for r in store.page(RecordFilter(caseworker_id=ref), 10)[0]]


async def test_caseworker_reference_in_the_record_follows_reassignment(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        store = CaseRecords(h.settings.database_url, EncryptionCodec(TEST_KEYRING))
        today = await h.today()
        case = make_case("RUT-CW-1", "plan_content", today - timedelta(days=2))
        cases = Cases(time_env.client, h.settings)
        await cases.start(operator(), case)
        handle = time_env.client.get_workflow_handle("ehcp-case-RUT-CW-1")
        h.started.append(handle)
        await h.wait_started(handle)
        first = staff_ref("alex.cw@rutland.gov.uk", staff_ref_key(h.settings))
        assert STAFF_REF_PATTERN.match(first) and "rutland" not in first
        await record_when(store, "RUT-CW-1", lambda r: True)
        assert _listed_under(store, first) == ["RUT-CW-1"]
        assert await h.search_attribute(handle, "EhcpCaseworker") is None  # not in visibility

        # another person's details for a parent leave the caseworker where it was
        await h.event(
            handle, "contact_updated", date=today, role="parent",
            contact={"name": "Sam Parent", "email": "sam.new@example.org"},
        )  # fmt: skip
        await record_when(store, "RUT-CW-1", lambda r: r.event_seq == 1)
        assert _listed_under(store, first) == ["RUT-CW-1"]

        await h.event(
            handle, "contact_updated", date=today, role="caseworker",
            contact={"name": "Robin Caseworker", "email": "Robin.CW@Rutland.gov.uk "},
        )  # fmt: skip
        await record_when(store, "RUT-CW-1", lambda r: r.event_seq == 2)
        moved = cases.staff_ref("robin.cw@rutland.gov.uk")
        assert moved != first
        assert _listed_under(store, moved) == ["RUT-CW-1"]
        assert _listed_under(store, first) == []
        assert await h.search_attribute(handle, "EhcpCaseworker") is None
        status = await handle.query(DisagreementWorkflow.status)
        assert status.events == 2  # both events recorded, as before
