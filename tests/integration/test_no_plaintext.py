"""Data minimisation: what the Temporal server stores about a case holds no personal data.

A real dev server and the real worker (in-process) run one case with distinctive names, emails
and notes: events, parents told of a reply to a recommendation, one delivery refused with the
address in the error, a rejected event, closure. Then the server's own record is read WITHOUT
the codec: every history page, the description (memo, search attributes, workflow id), the
visibility listing. None of the distinctive strings may appear in those bytes. Decoded with
the codec, the same bytes must show them all: proof that the check looks where the data is.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, WorkflowExecution
from temporalio.api.workflowservice.v1 import (
    DescribeWorkflowExecutionRequest,
    GetWorkflowExecutionHistoryRequest,
    ListWorkflowExecutionsRequest,
)
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.outbox import OutboxSender
from ehcp.delivery_state import DeliveryReceipt, DeliveryReport, DeliveryReports
from ehcp.models import parse_event
from ehcp.payloads import CaseStatus, EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date
from security.codec import EncryptionCodec
from security.converter import data_converter
from tests.conftest import SERVER_STARTUP, TEMPORAL, TEST_KEYRING
from tests.workflow.harness import make_case
from worker import build_worker
from workflows.disagreement import DisagreementWorkflow
from workflows.search_attributes import ALL_KEYS

pytestmark = pytest.mark.integration

PARENT = {
    "name": "Perpetua Quillfeather",
    "email": "perpetua.quillfeather@example.org",
    "mobile": "+447400987654",  # texts, and the number in delivery reports
    "contact_preference": "both",
}
#: a provider's delivery report whose reason quotes the reader (redacted or not, encrypted)
BOUNCE_REASON = "550 mailbox of Perpetua Quillfeather is full"
CORRECTED = {"name": "Perpetua Quillfeather", "email": "pq.corrected@example.org"}
SECOND = {"name": "Barnaby Oddlington", "email": "barnaby.oddlington@example.net"}
HEALTH = {"name": "Drusilla Fennimore-Ash", "email": "drusilla.fennimore@icb.example"}
NOTE = "Zephyrine has dyspraxia and attends Larkspur Hollow school"
REJECTED_NOTE = "Octavian Brightwater needs a hearing loop"
DISTINCTIVE = [
    PARENT["name"],
    PARENT["email"],
    PARENT["mobile"],
    *SECOND.values(),
    *HEALTH.values(),
    NOTE,
    "Quillfeather",
    "Oddlington",
    "Fennimore",
    "Zephyrine",
    "Larkspur Hollow",
    BOUNCE_REASON,
    CORRECTED["email"],
]
#: only in a rejected event, which never reaches history: must not be there in any form
REJECTED_ONLY = "Octavian Brightwater"
#: present in the delivery error below: a provider's error echoing the address
REFUSED_BY_PROVIDER = f"550 mailbox {SECOND['email']} ({SECOND['name']}) does not exist"


@pytest.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    assert TEMPORAL.exists(), f"{TEMPORAL} missing: run `make test` to install dev extras"
    env = await WorkflowEnvironment.start_local(
        data_converter=data_converter(TEST_KEYRING),
        dev_server_existing_path=str(TEMPORAL),
        dev_server_startup_timeout=SERVER_STARTUP,
        search_attributes=ALL_KEYS,
    )
    yield env
    await env.shutdown()


def refuse_second_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    """The email provider refuses the second contact's address, saying so in its error."""
    send = OutboxSender.send

    def send_or_refuse(self, n, email):
        if n.to.email == SECOND["email"] and not n.fallback:
            raise ApplicationError(
                REFUSED_BY_PROVIDER, type="PermanentDeliveryError", non_retryable=True
            )
        return send(self, n, email)

    monkeypatch.setattr(OutboxSender, "send", send_or_refuse)


async def event(handle: WorkflowHandle, kind: str, **fields) -> EventReceipt:
    return await handle.execute_update(
        DisagreementWorkflow.record_event,
        parse_event({"kind": kind, **fields}),
        result_type=EventReceipt,
    )


async def status(handle: WorkflowHandle) -> CaseStatus:
    return await handle.query(DisagreementWorkflow.status, result_type=CaseStatus)


async def wait_for(handle: WorkflowHandle, done, what: str, timeout_s: float = 30.0) -> CaseStatus:
    deadline = time.monotonic() + timeout_s
    while not done(current := await status(handle)):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {current}"
        await asyncio.sleep(0.1)
    return current


async def raw_record(client: Client, wf_id: str) -> list[Message]:
    """Everything the server keeps about the case, as it stores it (no codec applied): the
    history pages, then the description, then the visibility listing."""
    service, namespace = client.workflow_service, client.namespace
    messages: list[Message] = []
    token = b""
    while True:
        page = await service.get_workflow_execution_history(
            GetWorkflowExecutionHistoryRequest(
                namespace=namespace,
                execution=WorkflowExecution(workflow_id=wf_id),
                next_page_token=token,
                maximum_page_size=50,
            )
        )
        messages.append(page)
        if not (token := page.next_page_token):
            break
    messages.append(
        await service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=namespace, execution=WorkflowExecution(workflow_id=wf_id)
            )
        )
    )
    messages.append(
        await service.list_workflow_executions(
            ListWorkflowExecutionsRequest(namespace=namespace, query=f"WorkflowId = '{wf_id}'")
        )
    )
    return messages


def decode_all(message: Message, codec: EncryptionCodec) -> None:
    """Decrypt, in place, every Payload anywhere in `message` (failures' encoded attributes,
    memo and search attribute maps included)."""
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        if field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            if value_field.type == value_field.TYPE_MESSAGE:
                for key in list(value):
                    _decode_one(value[key], codec)
        elif field.is_repeated:
            for item in value:
                _decode_one(item, codec)
        else:
            _decode_one(value, codec)


def _decode_one(message: Message, codec: EncryptionCodec) -> None:
    if isinstance(message, Payload):
        message.CopyFrom(codec.decrypt(message))
    decode_all(message, codec)


def found_in(blob: bytes) -> list[str]:
    lowered = blob.lower()
    return [s for s in [*DISTINCTIVE, REJECTED_ONLY] if s.lower().encode() in lowered]


async def test_the_server_stores_no_personal_data_in_plaintext(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_second_contact(monkeypatch)
    client = dev_env.client
    settings = Settings(task_queue=f"no-plaintext-{uuid.uuid4()}", outbox_dir=tmp_path / "outbox")
    today = london_date(await dev_env.get_current_time())
    decided = today - timedelta(days=120)  # long ago: its council deadlines are already missed
    case_ref = f"RUT-NPT-{uuid.uuid4().hex[:8].upper()}"
    case = make_case(
        case_ref, "plan_content", decided,
        parent=PARENT, second_contact=SECOND, health_contact=HEALTH,
    )  # fmt: skip

    with ThreadPoolExecutor(max_workers=8) as executor:
        async with build_worker(client, settings, executor):
            handle = await client.start_workflow(
                DisagreementWorkflow.run,
                StartCase(case=case),
                id=workflow_id(case_ref),
                task_queue=settings.task_queue,
                memo={"summary": f"{PARENT['name']} <{PARENT['email']}>: {NOTE}"},
            )
            await event(handle, "way_forward_meeting_requested", date=decided, notes=NOTE,
                        recorded_by=HEALTH["name"])  # fmt: skip
            await event(handle, "mediation_requested", date=decided, health_included=True,
                        notes=f"{NOTE}; health needs: ask {HEALTH['email']}")  # fmt: skip
            with pytest.raises(WorkflowUpdateFailedError) as rejected:
                await event(handle, "mediation_declined", date=today + timedelta(days=3),
                            notes=REJECTED_NOTE)  # fmt: skip
            assert "in the future" in str(rejected.value.cause)
            # Emails due at once (escalations now wait for the next working-day reminder time
            # after the case learns of a deadline): both parents told of a reply to a
            # recommendation, the second contact's refused.
            await event(handle, "appeal_registered", date=decided, tribunal_ref="EH1/26/4",
                        placement_only=True, health_included=True)  # fmt: skip
            review = [{"addressed_to": "health", "summary": "Review"}]
            await event(handle, "tribunal_decision", date=today, outcome="allowed",
                        recommendations=review)  # fmt: skip
            await event(handle, "recommendation_response_sent", date=today, recommendation=1,
                        followed=False, reasons=f"{NOTE}: not offered")  # fmt: skip
            await wait_for(
                handle,
                lambda s: s.reminders_sent and s.delivery_failures,
                "notices to be sent and one refused",
            )
            # a delivery report (as the webhooks send it) and corrected contact details
            sent = (await status(handle)).reminders_sent
            parent_key = next(n.key for n in sent if n.role == "parent")
            report = DeliveryReport(
                provider="sendgrid", event_id="sg-npt-1", case_ref=case_ref,
                message_key=parent_key, status="bounce", occurred_at=datetime.now(UTC),
                reason=BOUNCE_REASON,
            )  # fmt: skip
            receipt = await handle.execute_update(
                DisagreementWorkflow.record_delivery,
                DeliveryReports(reports=[report]),
                result_type=DeliveryReceipt,
            )
            assert receipt.alerts == 2
            await event(handle, "contact_updated", date=today, role="parent", contact=CORRECTED)
            await event(handle, "case_closed", date=today, reason="resolved_by_agreement",
                        notes=f"closed after talking to {SECOND['name']}")  # fmt: skip
            final = await handle.result()

        # What actually happened, decoded by the client: the data is there.
        kinds = {n.kind for n in final.reminders_sent}
        assert {"recommendation_response", "case_closed", "delivery_failure"} <= kinds, kinds
        assert {f.role for f in final.delivery_failures} == {"second_contact", "parent"}
        assert any(REFUSED_BY_PROVIDER in f.reason for f in final.delivery_failures)

        raw = await raw_record(client, handle.id)

    stored = b"".join(m.SerializeToString() for m in raw)
    text = "".join(str(m) for m in raw).encode()  # text format: strings unescaped
    assert found_in(stored) == [] and found_in(text) == [], (
        "personal data stored in plaintext on the Temporal server"
    )
    *history_pages, description, _listing = raw
    events = [e for page in history_pages for e in page.history.events]
    markers = [
        e.marker_recorded_event_attributes
        for e in events
        if e.HasField("marker_recorded_event_attributes")
    ]
    results = [p for m in markers if "result" in m.details for p in m.details["result"].payloads]
    assert results, "planning and sending are local activities: their results are markers"
    assert all(p.metadata["encoding"] == b"binary/encrypted" for p in results)
    assert REFUSED_BY_PROVIDER.encode() not in stored  # the refusal is in an encrypted result
    failures = [m.failure for m in markers if m.HasField("failure")] + [
        e.activity_task_failed_event_attributes.failure
        for e in events
        if e.HasField("activity_task_failed_event_attributes")
    ]
    assert all(f.message == "Encoded failure" and not f.stack_trace for f in failures)
    assert description.workflow_execution_info.memo.fields["summary"].metadata["encoding"] == (
        b"binary/encrypted"
    )
    assert description.workflow_execution_info.search_attributes.indexed_fields  # plaintext,
    # but only case reference, council, decision type, stage, dates and flags

    # The positive control: decoded with the codec, the same record shows every string.
    codec = EncryptionCodec(TEST_KEYRING)
    for message in raw:
        decode_all(message, codec)
    decoded = b"".join(m.SerializeToString() for m in raw)
    assert sorted(found_in(decoded)) == sorted(DISTINCTIVE)
    assert REFUSED_BY_PROVIDER.encode() in decoded
