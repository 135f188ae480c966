"""429 when a case has as many events in flight as Temporal allows (10 per workflow), on the
real stack: a problem document with Retry-After, and nothing of the refused events recorded.

The case runs on a task queue no worker polls, so the first ten updates stay in flight (the
server has admitted them and waits for a worker) for as long as the test needs: how many are
in flight is then exact, not a matter of timing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from ehcp.models import Case
from ehcp.payloads import StartCase, workflow_id
from ehcp.settings import Settings
from tests.integration.apiclient import Api, case_body, is_problem, new_ref, today
from workflows import search_attributes as sa
from workflows.disagreement import DisagreementWorkflow

pytestmark = pytest.mark.integration

#: Temporal's default limit of updates in flight per workflow execution
#: (dynamic config history.maxInFlightUpdates)
IN_FLIGHT_LIMIT = 10
#: how long the test waits for the refusals (they come at once; this is only a bound)
ANSWER_DEADLINE_S = 120.0


async def test_too_many_events_in_flight_on_one_case_is_429(api: Api, monkeypatch):
    from worker import connect

    for name, value in api.run.client_env.items():
        monkeypatch.setenv(name, value)
    client = await connect(Settings(temporal_address=api.run.address))
    ref = new_ref("BSY")
    case = Case.model_validate(
        {**case_body(ref, today() - timedelta(days=10)), "council": "busycouncil"}
    )
    handle = await client.start_workflow(
        DisagreementWorkflow.run,
        StartCase(case=case),
        id=workflow_id(ref),
        task_queue=f"no-worker-{uuid.uuid4()}",  # nothing takes these updates
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.CASE_REF, ref),
                SearchAttributePair(sa.COUNCIL, "busycouncil"),
                SearchAttributePair(sa.DECISION_TYPE, case.decision_type.value),
            ]
        ),
    )
    http = api.client(api.key("busycouncil", "caseworker"))
    event = {"kind": "mediation_adviser_contacted", "date": today().isoformat()}

    async def post(n: int) -> httpx.Response:
        headers = {"Idempotency-Key": f"busy-{ref}-{n}"}  # ten different updates, not retries
        return await http.post(f"/api/v1/cases/{ref}/events", json=event, headers=headers)

    tasks = [asyncio.create_task(post(n)) for n in range(2 * IN_FLIGHT_LIMIT)]
    try:
        # ten are admitted and wait; the next are refused by the server, and answered 429 (after
        # the SDK's own retries of RESOURCE_EXHAUSTED, a few seconds)
        answered: set[asyncio.Task] = set()
        pending = set(tasks)
        while not any(t.result().status_code == 429 for t in answered):
            done, pending = await asyncio.wait(
                pending, timeout=ANSWER_DEADLINE_S, return_when=asyncio.FIRST_COMPLETED
            )
            assert done, f"no answer in {ANSWER_DEADLINE_S} s; {len(answered)} answered"
            answered |= done
        busy = [t.result() for t in answered if t.result().status_code == 429]
        assert busy, [t.result().text for t in answered]
        for response in busy:
            body = is_problem(response, 429, "case-busy")
            assert body["title"] == "Case busy"
            assert body["detail"] == f"case {ref} is busy; try again shortly"
            assert response.headers["retry-after"] == "1"
        # the server may also give up on an update that waited (it aborts it): a retryable
        # 503 that says nothing was recorded, never a 500 or a success
        for task in answered:
            response = task.result()
            if response.status_code != 429:
                body = is_problem(response, 503, "temporal-unavailable")
                assert "nothing was recorded" in body["detail"], body
                assert response.headers["retry-after"] == "5"
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await handle.terminate("test over")
    # a refused event never reached the case's history (nor did the ones left waiting)
    history = await handle.fetch_history()
    accepted = [
        e
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert accepted == []
