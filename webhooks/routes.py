"""`POST /webhooks/sendgrid` and `POST /webhooks/notify` on the HTTP API.

No API key: the providers prove themselves instead (SendGrid's ECDSA signature, Notify's
bearer token; webhooks/forward.py). The raw body is read as sent, since the signature covers
its exact bytes. Answers: 200 with counts, 400, 401 (nothing changed), 503 (retry later).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from temporalio.client import Client

from api.deps import CasesDep, SettingsDep
from service.errors import ServiceError
from webhooks.forward import TemporalUnavailable, handle_notify, handle_sendgrid

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
#: a webhook body larger than this is refused (SendGrid batches stay well below 1 MB)
MAX_BODY = 5 * 1024 * 1024
RESPONSES = {
    200: {"description": "recorded: counts of applied, duplicate and unknown events"},
    400: {"description": "the body is not the provider's format"},
    401: {"description": "not verified (signature, timestamp or token); nothing changed"},
    413: {"description": "body too large"},
    503: {"description": "Temporal unavailable: the provider retries later"},
}


def _source(holder):
    async def client() -> Client:
        try:
            return (await holder.get()).client
        except ServiceError as error:
            raise TemporalUnavailable(str(error)) from None

    return client


async def _body(request: Request) -> bytes | None:
    body = await request.body()
    return None if len(body) > MAX_BODY else body


@router.post("/sendgrid", responses=RESPONSES, summary="SendGrid Event Webhook (signed)")
async def sendgrid_events(request: Request, holder: CasesDep, settings: SettingsDep):
    body = await _body(request)
    if body is None:
        return JSONResponse({"detail": "body too large"}, status_code=413)
    code, answer = await handle_sendgrid(_source(holder), settings, body, dict(request.headers))
    return JSONResponse(answer, status_code=code)


@router.post("/notify", responses=RESPONSES, summary="GOV.UK Notify delivery receipts")
async def notify_receipts(request: Request, holder: CasesDep, settings: SettingsDep):
    body = await _body(request)
    if body is None:
        return JSONResponse({"detail": "body too large"}, status_code=413)
    code, answer = await handle_notify(_source(holder), settings, body, dict(request.headers))
    return JSONResponse(answer, status_code=code)
