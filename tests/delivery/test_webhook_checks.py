"""The webhook checks, with a real ECDSA key pair: valid, tampered, stale, unsigned; Notify's
bearer token; events parsed without the recipient's address."""

from __future__ import annotations

import time

import pytest

from webhooks.notify_receipts import check_bearer, parse_receipt
from webhooks.sendgrid_events import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookRefused,
    parse_events,
    verify,
)

from .signing import SendGridSigner, body_of, sendgrid_event

REF, KEY = "RUT-2026-0001", "RUT-2026-0001/appeal@2027-01-05/reminder/2/parent"


@pytest.fixture(scope="module")
def signer() -> SendGridSigner:
    return SendGridSigner()


def check(signer: SendGridSigner, body: bytes, headers: dict, tolerance: int = 600) -> None:
    verify(
        body,
        headers.get(SIGNATURE_HEADER),
        headers.get(TIMESTAMP_HEADER),
        signer.public_key,
        tolerance,
    )


def test_a_signed_request_passes(signer) -> None:
    body = body_of(sendgrid_event(REF, KEY, "delivered", "e1", time.time()))
    check(signer, body, signer.sign(body))


def test_a_pem_key_works_too(signer) -> None:
    body = body_of(sendgrid_event(REF, KEY, "delivered", "e1", time.time()))
    headers = signer.sign(body)
    pem = f"-----BEGIN PUBLIC KEY-----\n{signer.public_key}\n-----END PUBLIC KEY-----\n"
    verify(body, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER], pem, 600)


def test_a_tampered_body_is_refused(signer) -> None:
    body = body_of(sendgrid_event(REF, KEY, "delivered", "e1", time.time()))
    headers = signer.sign(body)
    with pytest.raises(WebhookRefused, match="signature does not match"):
        check(signer, body.replace(b"delivered", b"bounce"), headers)


def test_a_changed_timestamp_is_refused(signer) -> None:
    body = body_of(sendgrid_event(REF, KEY, "delivered", "e1", time.time()))
    headers = signer.sign(body)
    headers[TIMESTAMP_HEADER] = str(int(headers[TIMESTAMP_HEADER]) + 1)
    with pytest.raises(WebhookRefused, match="signature does not match"):
        check(signer, body, headers)


def test_a_stale_request_is_refused_even_if_signed(signer) -> None:
    body = body_of(sendgrid_event(REF, KEY, "delivered", "e1", time.time()))
    with pytest.raises(WebhookRefused, match="stale"):
        check(signer, body, signer.sign(body, at=time.time() - 601))
    check(signer, body, signer.sign(body, at=time.time() - 590))


def test_an_unsigned_request_is_refused(signer) -> None:
    body = body_of(sendgrid_event(REF, KEY, "delivered", "e1", time.time()))
    with pytest.raises(WebhookRefused, match="unsigned"):
        check(signer, body, {})


def test_another_key_pair_is_refused(signer) -> None:
    body = body_of(sendgrid_event(REF, KEY, "delivered", "e1", time.time()))
    with pytest.raises(WebhookRefused):
        check(signer, body, SendGridSigner().sign(body))


def test_garbage_signature_is_refused(signer) -> None:
    body = b"[]"
    headers = {SIGNATURE_HEADER: "not base64!!", TIMESTAMP_HEADER: str(int(time.time()))}
    with pytest.raises(WebhookRefused):
        check(signer, body, headers)


def test_no_configured_key_refuses_everything(signer) -> None:
    body = b"[]"
    headers = signer.sign(body)
    with pytest.raises(WebhookRefused, match="no SendGrid"):
        verify(body, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER], None, 600)


def test_events_become_reports_without_the_address() -> None:
    now = time.time()
    body = body_of(
        sendgrid_event(REF, KEY, "bounce", "e1", now, type="bounce",
                       reason="550 5.1.1 <sam.parent@example.org>: Recipient address rejected"),
        sendgrid_event(REF, KEY, "open", "e2", now),  # engagement: not tracked
        {"event": "delivered", "sg_event_id": "e3", "timestamp": int(now)},  # not ours
    )  # fmt: skip
    (report,) = parse_events(body)
    assert report.status == "bounce" and report.message_key == KEY and report.case_ref == REF
    assert "sam.parent" not in report.model_dump_json()
    assert report.reason == "bounce: 550 5.1.1 <[address]>: Recipient address rejected"


@pytest.mark.parametrize("body", [b"{}", b"not json", b"[1]"])
def test_a_body_that_is_not_sendgrids_is_an_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_events(body)


def test_notify_bearer_token() -> None:
    check_bearer("Bearer s3cret-token", "s3cret-token")
    for bad in [None, "", "Bearer wrong", "Basic s3cret-token", "s3cret-token"]:
        with pytest.raises(WebhookRefused):
            check_bearer(bad, "s3cret-token")
    with pytest.raises(WebhookRefused, match="no Notify callback token"):
        check_bearer("Bearer x", None)


def test_a_notify_receipt_becomes_a_report_without_the_number() -> None:
    receipt = (
        b'{"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "' + KEY.encode() + b'",'
        b' "to": "+447400123456", "status": "permanent-failure",'
        b' "created_at": "2026-12-03T09:00:00.000000Z",'
        b' "completed_at": "2026-12-03T09:00:05.000000Z", "sent_at": "2026-12-03T09:00:01Z",'
        b' "notification_type": "sms", "template_id": "t", "template_version": 1}'
    )
    report = parse_receipt(receipt)
    assert report.provider == "notify" and report.status == "permanent-failure"
    assert report.case_ref == REF and report.message_key == KEY
    assert report.event_id == "740e5834-3a29-46b4-9a6f-16142fde533a:permanent-failure"
    assert "7400" not in report.model_dump_json()
