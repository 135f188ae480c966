"""The caseworker in visibility: `EhcpCaseworker` holds a staff reference (a keyed hash of the
email address, never the address), set at start and moved by a `contact_updated` for the
caseworker, so that the Cases page's caseworker filter follows a reassigned case."""

from __future__ import annotations

from datetime import timedelta

from security.staff_ref import STAFF_REF_PATTERN, staff_ref, staff_ref_key
from service.callers import operator
from service.operations import Cases
from tests.workflow.harness import harness, make_case
from workflows.disagreement import DisagreementWorkflow


async def test_caseworker_reference_set_at_start_and_moved_by_reassignment(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        today = await h.today()
        case = make_case("RUT-CW-1", "plan_content", today - timedelta(days=2))
        cases = Cases(time_env.client, h.settings)
        await cases.start(operator(), case)
        handle = time_env.client.get_workflow_handle("ehcp-case-RUT-CW-1")
        h.started.append(handle)
        await h.wait_started(handle)
        key = staff_ref_key(h.settings)

        first = await h.search_attribute(handle, "EhcpCaseworker")
        assert first == staff_ref("alex.cw@rutland.gov.uk", key)
        assert STAFF_REF_PATTERN.match(first)
        assert "rutland" not in first

        # another person's details for a parent leave the caseworker where it was
        await h.event(
            handle, "contact_updated", date=today, role="parent",
            contact={"name": "Sam Parent", "email": "sam.new@example.org"},
        )  # fmt: skip
        assert await h.search_attribute(handle, "EhcpCaseworker") == first

        await h.event(
            handle, "contact_updated", date=today, role="caseworker",
            contact={"name": "Robin Caseworker", "email": "Robin.CW@Rutland.gov.uk "},
        )  # fmt: skip
        moved = await h.search_attribute(handle, "EhcpCaseworker")
        assert moved == cases.staff_ref("robin.cw@rutland.gov.uk") != first
        status = await handle.query(DisagreementWorkflow.status)
        assert status.events == 2  # both events recorded, as before
