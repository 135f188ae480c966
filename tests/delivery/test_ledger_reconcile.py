"""The SendGrid event webhook reconciles the sent ledger (docs/email.md, "The window that
remains"): a `processed` event for a key with no sent record records it, so no retry sends
it again; a second message id for a recorded key is counted as a duplicate send."""

from __future__ import annotations

import time
from pathlib import Path

from prometheus_client import REGISTRY

from store.sent_ledger import SENT, SentLedger
from tests.email.cases import parent_reminder
from tests.email.test_never_twice import Worker, settings_for
from tests.sendgrid_fake import FakeSendGrid
from webhooks.forward import TemporalUnavailable, handle_sendgrid

from .signing import SendGridSigner, body_of, sendgrid_event


def duplicates() -> float:
    return REGISTRY.get_sample_value("ehcp_duplicate_sends_total") or 0.0


def test_reconcile_records_matches_and_spots_a_duplicate(database_url: str) -> None:
    ledger = SentLedger(database_url)
    key = parent_reminder().key
    attempt, _ = ledger.begin(key)  # the 202 came, then the worker died before recording
    assert ledger.reconcile(key, "sg-1") == "recorded"
    assert ledger.sent(key).message_id == "sg-1" and ledger.attempt(key).state == SENT
    assert ledger.reconcile(key, "sg-1") == "matches"
    assert ledger.reconcile(key, "sg-2") == "duplicate"
    assert ledger.sent(key).message_id == "sg-1"  # the record is never rewritten
    ledger.record_sent(key, "sg-late", "sendgrid", attempt)  # the worker's own, too late
    assert ledger.sent(key).message_id == "sg-1"


async def test_a_processed_event_closes_the_window_before_the_retry(
    sendgrid: FakeSendGrid, tmp_path: Path, database_url: str
) -> None:
    signer = SendGridSigner()
    settings = settings_for(sendgrid, tmp_path, database_url=database_url)
    settings = settings.model_copy(update={"sendgrid_webhook_public_key": signer.public_key})
    n = parent_reminder()
    SentLedger(database_url).begin(n.key)  # sent, answer lost; the retry has not run yet
    body = body_of(sendgrid_event(n.case_ref, n.key, "processed", "e1", time.time()))

    async def no_temporal():
        raise TemporalUnavailable

    before = duplicates()
    status, _ = await handle_sendgrid(no_temporal, settings, body, signer.sign(body))
    assert status == 503  # the reports wait for Temporal (SendGrid retries); the ledger not
    delivery = Worker(settings).send(n)  # Temporal's retry of the send
    assert sendgrid.received == []  # recorded by the webhook: not sent again
    assert delivery.message_id == "abc"  # SendGrid's id, from sg_message_id
    other = body_of(
        sendgrid_event(n.case_ref, n.key, "processed", "e2", time.time(), sg_message_id="x.f")
    )
    await handle_sendgrid(no_temporal, settings, other, signer.sign(other))
    assert duplicates() == before + 1


def test_the_webhook_needs_no_ledger_to_answer(tmp_path: Path) -> None:
    """A database that cannot be opened does not fail the webhook (it is a safety net)."""
    from webhooks.forward import reconcile
    from webhooks.sendgrid_events import parse_events

    n = parent_reminder()
    reports = parse_events(
        body_of(sendgrid_event(n.case_ref, n.key, "processed", "e1", time.time()))
    )
    reconcile(f"sqlite:///{tmp_path}/missing/dir/ehcp.db/x", reports)  # logs, does not raise
