"""The two webhook endpoints on the real API app (in-process), against a running case on the
time-skipping server: signed SendGrid events and Notify receipts get through; unsigned,
tampered, stale and wrongly tokened requests get 401 and change nothing; no API key needed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from api.app import create_app
from service.operations import Cases
from tests.workflow.harness import harness

from .signing import SendGridSigner, body_of, sendgrid_event
from .test_workflow_receipts import appeal_case, settings_for, skip_to_reminder

SIGNER = SendGridSigner()


async def test_webhook_endpoints_on_the_api(time_env, tmp_path: Path, sendgrid) -> None:
    extra = {
        **settings_for(sendgrid),
        "sendgrid_webhook_public_key": SIGNER.public_key,
        "notify_callback_token": "callback-token",
        "database_url": f"sqlite:///{tmp_path / 'ehcp.db'}",
    }
    async with harness(time_env, tmp_path, **extra) as h:
        handle, d0, due = await appeal_case(h, "RUT-DL-API")
        await skip_to_reminder(h, d0, due, 2)
        key = [r.key for r in (await h.status(handle)).reminders_sent if r.role == "parent"][-1]
        app = create_app(h.settings, cases=Cases(h.env.client, h.settings))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
                body = body_of(sendgrid_event("RUT-DL-API", key, "bounce", "sg-1", time.time()))
                for headers in (
                    {},
                    SIGNER.sign(body.replace(b"bounce", b"delivered")),
                    SIGNER.sign(body, at=time.time() - 3600),
                    SendGridSigner().sign(body),
                ):
                    got = await api.post("/webhooks/sendgrid", content=body, headers=headers)
                    assert got.status_code == 401 and "Traceback" not in got.text
                assert (await h.status(handle)).warnings == []

                started = time.perf_counter()
                got = await api.post("/webhooks/sendgrid", content=body, headers=SIGNER.sign(body))
                alerts = [p for p in h.outbox() if "delivery_failure" in p.name]
                elapsed = time.perf_counter() - started
                print(f"\nPOST /webhooks/sendgrid to staff alerts: {elapsed * 1000:.0f} ms")
                assert got.status_code == 200 and got.json()["alerts"] == 2
                assert len(alerts) == 2
                assert (await h.status(handle)).warnings

                receipt = json.dumps({"id": "n-1", "reference": key, "status": "delivered",
                                      "completed_at": "2026-12-03T09:00:05Z"}).encode()  # fmt: skip
                wrong = {"Authorization": "Bearer nope"}
                assert (
                    await api.post("/webhooks/notify", content=receipt, headers=wrong)
                ).status_code == 401
                right = {"Authorization": "Bearer callback-token"}
                got = await api.post("/webhooks/notify", content=receipt, headers=right)
                assert got.status_code == 200, got.text
                bad = await api.post("/webhooks/notify", content=b"[]", headers=right)
                assert bad.status_code == 400
