"""Hand verified reports to their cases: one `record_delivery` update per case and call.

`handle_sendgrid` / `handle_notify` are the whole of the two endpoints: (status code, JSON
body). Answers follow what the providers do with them: 401 for a request that fails the
check (nothing changes); 400 for a body that is not theirs; 200 once every case has the
reports (duplicates, closed cases and messages we do not know are fine: a retry would not
change them); 503 when Temporal could not be reached, so that the provider retries later
(SendGrid retries for 24 hours, Notify a few times).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from prometheus_client import Counter
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from ehcp.delivery_state import DeliveryReceipt, DeliveryReport, DeliveryReports
from ehcp.payloads import workflow_id
from ehcp.settings import Settings
from webhooks.notify_receipts import check_bearer, parse_receipt
from webhooks.sendgrid_events import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookRefused,
    parse_events,
    verify,
)

log = logging.getLogger("ehcp.webhooks")
#: messages SendGrid processed twice under one key (the window of docs/email.md)
DUPLICATE_SENDS = Counter(
    "ehcp_duplicate_sends",
    "Messages SendGrid processed a second time under a key already recorded as sent",
)

Answer = tuple[int, dict]
#: a Temporal client, or a coroutine function giving one (asked for only after the check,
#: so a forged request never needs Temporal)
ClientSource = Client | Callable[[], Awaitable[Client]]


class TemporalUnavailable(Exception):
    """Raised by a client source that cannot connect: answered 503."""


async def _client(source: ClientSource) -> Client:
    return source if isinstance(source, Client) else await source()


async def forward(client: Client, reports: list[DeliveryReport]) -> DeliveryReceipt:
    """Each case's reports as one update; returns the summed receipt. Raises RPCError when
    Temporal is unavailable (the caller answers 503)."""
    by_case: dict[str, list[DeliveryReport]] = defaultdict(list)
    for report in reports:
        by_case[report.case_ref].append(report)
    total = DeliveryReceipt()
    for case_ref, mine in by_case.items():
        handle = client.get_workflow_handle(workflow_id(case_ref))
        try:
            # imported here: the workflow module imports workflow-only code
            from workflows.disagreement import DisagreementWorkflow

            got = await handle.execute_update(
                DisagreementWorkflow.record_delivery,
                DeliveryReports(reports=mine),
                result_type=DeliveryReceipt,
            )
        except WorkflowUpdateFailedError:
            log.info("%s: %d delivery reports not recorded (case closed)", case_ref, len(mine))
            total.unknown += len(mine)
            continue
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:  # no such case (or long gone)
                log.info("%s: no running case for %d delivery reports", case_ref, len(mine))
                total.unknown += len(mine)
                continue
            raise
        for name in DeliveryReceipt.model_fields:
            setattr(total, name, getattr(total, name) + getattr(got, name))
        log.info(
            "%s: delivery reports applied=%d duplicates=%d alerts=%d",
            case_ref, got.applied, got.duplicates, got.alerts,
        )  # fmt: skip
    return total


def _header(headers: dict[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


async def _deliver(source: ClientSource, reports: list[DeliveryReport]) -> Answer:
    if not reports:
        return 200, DeliveryReceipt().model_dump()
    try:
        receipt = await forward(await _client(source), reports)
    except (RPCError, TemporalUnavailable):
        log.warning("Temporal unavailable: delivery reports not recorded; the provider retries")
        return 503, {"detail": "temporarily unavailable; retry later"}
    return 200, receipt.model_dump()


async def handle_sendgrid(
    client: ClientSource, settings: Settings, body: bytes, headers: dict[str, str]
) -> Answer:
    """`POST /webhooks/sendgrid`: verify, parse, deliver."""
    try:
        verify(
            body,
            _header(headers, SIGNATURE_HEADER),
            _header(headers, TIMESTAMP_HEADER),
            settings.sendgrid_webhook_public_key,
            settings.sendgrid_webhook_tolerance_s,
        )
    except WebhookRefused as refused:
        log.warning("SendGrid webhook refused: %s", refused)
        return 401, {"detail": "request not verified"}
    try:
        reports = parse_events(body)
    except ValueError:
        return 400, {"detail": "body is not SendGrid's JSON array of events"}
    await asyncio.to_thread(reconcile, settings.database_url, reports)
    return await _deliver(client, reports)


def reconcile(database_url: str, reports: list[DeliveryReport]) -> None:
    """Hold each `processed` event against the sent ledger (docs/email.md, "The window that
    remains"): a key with no sent record is recorded now (SendGrid has it: no retry may send
    it again); a second message id for a recorded key is a duplicate send, logged and counted
    (`ehcp_duplicate_sends`). Never fails the webhook: the ledger is a safety net here."""
    from store.sent_ledger import LedgerError, SentLedger

    processed = [r for r in reports if r.status == "processed" and r.message_id]
    if not processed:
        return
    try:
        ledger = SentLedger(database_url)
        for report in processed:
            found = ledger.reconcile(report.message_key, report.message_id, "sendgrid")
            if found == "recorded":
                log.warning("%s: accepted by SendGrid but not in the sent ledger; recorded now",
                            report.message_key, extra={"case_ref": report.case_ref})  # fmt: skip
            elif found == "duplicate":
                DUPLICATE_SENDS.inc()
                log.warning("%s: SendGrid processed a second copy (message id %s)",
                            report.message_key, report.message_id,
                            extra={"case_ref": report.case_ref})  # fmt: skip
    except (LedgerError, OSError) as error:
        log.warning("sent ledger not reconciled with SendGrid's events: %s", type(error).__name__)


async def handle_notify(
    client: ClientSource, settings: Settings, body: bytes, headers: dict[str, str]
) -> Answer:
    """`POST /webhooks/notify`: check the bearer token, parse, deliver."""
    token = settings.notify_callback_token
    try:
        check_bearer(_header(headers, "Authorization"), token.get_secret_value() if token else None)
    except WebhookRefused as refused:
        log.warning("Notify callback refused: %s", refused)
        return 401, {"detail": "request not verified"}
    try:
        report = parse_receipt(body)
    except ValueError:
        return 400, {"detail": "body is not a Notify delivery receipt"}
    return await _deliver(client, [report] if report else [])
