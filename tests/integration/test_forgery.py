"""Forgery through the back door: the real Temporal CLI (from the venv) with no payload key,
against the dev server and the real worker. A plaintext start fails and sends nothing; a
plaintext update is refused before its validator and never reaches the timeline."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from temporalio.client import WorkflowFailureError

from ehcp.models import parse_event
from ehcp.payloads import EventReceipt, StartCase, workflow_id
from tests.integration.devstack import TEMPORAL_BIN, DevServer, WorkerProcess
from tests.integration.test_crash_restart import case, client_for, stack_env
from workflows.disagreement import DisagreementWorkflow

pytestmark = pytest.mark.integration


def temporal(server: DevServer, *args: str) -> subprocess.CompletedProcess[str]:
    """The Temporal CLI as an attacker on the same network has it: address only, no key."""
    return subprocess.run(
        [str(TEMPORAL_BIN), *args, "--address", server.address, "--namespace", "default"],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_plaintext_start_and_update_from_the_cli_are_refused(tmp_path: Path):
    server = DevServer(tmp_path / "temporal.db")
    env = stack_env(tmp_path, server)
    worker = WorkerProcess(env, tmp_path / "worker.log")
    server.start()
    try:
        client = await client_for(env, server)
        worker.start()
        await worker.wait_polling()
        today = date.today()
        legit = await client.start_workflow(
            DisagreementWorkflow.run,
            StartCase(case=case("RUT-2026-0931", today)),
            id=workflow_id("RUT-2026-0931"),
            task_queue=env["EHCP_TASK_QUEUE"],
        )

        # 1. a forged case whose parent is the attacker's address
        forged_case = case("FORGED-0002", today).model_dump(mode="json")
        forged_case["parent"] = {
            "name": "Your council needs you to log in at http://evil.example",
            "email": "victim@evil.example",
        }
        started = temporal(
            server,
            "workflow", "start",
            "--task-queue", env["EHCP_TASK_QUEUE"],
            "--type", "DisagreementWorkflow",
            "--workflow-id", workflow_id("FORGED-0002"),
            "--input", json.dumps({"case": forged_case}),
        )  # fmt: skip
        assert started.returncode == 0, started.stderr  # the server cannot tell; the worker can
        with pytest.raises(WorkflowFailureError) as failed:
            forged = client.get_workflow_handle(workflow_id("FORGED-0002"))
            await asyncio.wait_for(forged.result(), timeout=30)  # at once, not retried
        assert "not encrypted with a payload key" in str(failed.value.cause)

        # 2. a forged event on a real case, in a caseworker's name
        forged_event = {
            "kind": "mediation_adviser_contacted",
            "date": today.isoformat(),
            "recorded_by": "Alex Caseworker (forged)",
        }
        update = temporal(
            server,
            "workflow", "update", "execute",
            "--workflow-id", legit.id,
            "--name", "record_event",
            "--update-id", f"forged-{uuid.uuid4()}",
            "--input", json.dumps(forged_event),
        )  # fmt: skip
        assert update.returncode != 0
        assert "UnencryptedPayloadRefused" in update.stderr  # its message is encrypted

        # the case carries on for key holders, with nothing of the forger's in it
        event = parse_event({"kind": "mediation_adviser_contacted", "date": today})
        receipt = await legit.execute_update(
            DisagreementWorkflow.record_event, event, result_type=EventReceipt
        )
        assert receipt.seq == 1
        history = await legit.fetch_history()
        text = history.to_json()
        assert "forged" not in text and "WorkflowTaskFailed" not in text
        outbox = Path(env["EHCP_OUTBOX_DIR"])
        sent = [p.read_text(errors="replace") for p in outbox.glob("*.eml")]
        assert not any("evil.example" in body for body in sent)
    finally:
        worker.stop()
        server.stop()
