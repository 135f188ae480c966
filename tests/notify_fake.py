"""A GOV.UK Notify-compatible HTTP server for tests, on 127.0.0.1 (a free port).

`POST /v2/notifications/sms` and `/v2/notifications/email`, as the real
notifications-python-client calls them: the `Authorization: Bearer <JWT>` is checked the way
Notify checks it (HS256 with the key's secret, `iss` = the service id, `iat` recent), every
JSON body is recorded, and the answer is scripted per request (then 201 with Notify's
response body): Notify's error bodies for 400, 403, 429 and 500.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
#: key name, service id, secret: the shape Notify gives out
TEST_API_KEY = f"ehcp_test-{SERVICE_ID}-{SECRET}"


@dataclass(frozen=True)
class Answer:
    status: int = 201
    error: str | None = None
    message: str | None = None

    def body(self) -> dict[str, Any] | None:
        if self.error is None:
            return None
        return {
            "status_code": self.status,
            "errors": [{"error": self.error, "message": self.message}],
        }


RATE_LIMITED = Answer(
    429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"
)
BAD_NUMBER = Answer(400, "ValidationError", "phone_number Not a UK mobile number")
FORBIDDEN = Answer(403, "AuthError", "Invalid token: API key not found")
SERVER_ERROR = Answer(500, "Exception", "Internal server error")


@dataclass(frozen=True)
class Received:
    path: str
    body: dict[str, Any]
    status: int
    notification_id: str | None

    @property
    def kind(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class FakeNotify:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self._script: list[Answer] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeNotify:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self._script.extend(answers)

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.status == 201]

    def _authorised(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.PyJWTError:
            return False
        return (
            scheme == "Bearer"
            and claims.get("iss") == SERVICE_ID
            and abs(time.time() - claims.get("iat", 0)) < 30
        )

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if request.path not in ("/v2/notifications/sms", "/v2/notifications/email"):
            self._answer(request, Answer(404, "NotFound", "not found"))
            return
        if not self._authorised(request.headers.get("Authorization")):
            self._answer(request, FORBIDDEN)
            return
        body = json.loads(raw)
        with self._lock:
            answer = self._script.pop(0) if self._script else Answer()
            nid = str(uuid.uuid4()) if answer.status == 201 else None
            self.received.append(Received(request.path, body, answer.status, nid))
        if nid is None:
            self._answer(request, answer)
            return
        created = {
            "id": nid,
            "reference": body.get("reference"),
            "content": {"body": "..."},
            "uri": f"{self.url}/v2/notifications/{nid}",
            "template": {"id": body["template_id"], "version": 1, "uri": ""},
        }
        self._answer(request, answer, created)

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, answer: Answer, body: dict | None = None) -> None:
        payload = json.dumps(body if body is not None else answer.body()).encode()
        request.send_response(answer.status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)
