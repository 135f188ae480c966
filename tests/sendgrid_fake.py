"""A SendGrid-compatible HTTP server for tests: `POST /v3/mail/send` on 127.0.0.1.

It checks `Authorization: Bearer <key>`, records every request's JSON body and answers as
scripted, one answer per request (then 202): accepted (202 with an X-Message-Id), SendGrid's
error bodies (400, 401, 403, 413, 500, 502), 429 with X-RateLimit-Reset, or a hang past the
client's timeout. Start it with `with FakeSendGrid() as fake:` (a free port, a daemon thread)
and point the sender at `fake.url`.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SEND_PATH = "/v3/mail/send"
TEST_API_KEY = "SG.test-key-not-real"
BAD_AUTH = "The provided authorization grant is invalid, expired, or revoked"


@dataclass(frozen=True)
class Answer:
    status: int = 202
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds to wait before answering (longer than the client's timeout: a hang)
    delay: float = 0.0
    #: when set, the answer waits for this event instead (for at most `delay` seconds)
    until: threading.Event | None = None

    @classmethod
    def accepted(cls) -> Answer:
        return cls(202)

    @classmethod
    def error(
        cls, status: int, message: str, field: str | None = None, help: str | None = None
    ) -> Answer:
        return cls(status, {"errors": [{"message": message, "field": field, "help": help}]})

    @classmethod
    def rate_limited(cls, reset_epoch: float) -> Answer:
        return cls(
            429,
            {"errors": [{"message": "too many requests", "field": None, "help": None}]},
            {"X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0",
             "X-RateLimit-Reset": str(int(reset_epoch))},
        )  # fmt: skip

    @classmethod
    def hang(cls, seconds: float, then: int = 202) -> Answer:
        return cls(then, delay=seconds)

    @classmethod
    def held(cls, release: threading.Event, at_most: float = 10.0) -> Answer:
        """202 once the test sets `release`: a request in flight for exactly as long as the
        test needs, however slow the machine (never a guessed number of seconds)."""
        return cls(202, delay=at_most, until=release)


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: dict[str, Any]
    status: int  # what the fake answered (or started to, for a hang)
    message_id: str | None

    @property
    def key(self) -> str | None:
        return (self.body.get("custom_args") or {}).get("message_key")


class FakeSendGrid:
    def __init__(self, api_key: str = TEST_API_KEY) -> None:
        self.api_key = api_key
        self.received: list[Received] = []
        self._script: list[Answer] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- control -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeSendGrid:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes hanging answers
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSendGrid:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *answers: Answer) -> None:
        """The next requests' answers, in order; after them, 202."""
        with self._lock:
            self._script.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.received.clear()

    # -- what happened -------------------------------------------------------------------

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.status == 202]

    def accepted_keys(self) -> list[str | None]:
        return [r.key for r in self.accepted]

    # -- the endpoint --------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        if request.path != SEND_PATH:
            self._answer(request, Answer.error(404, "resource not found"))
            return
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            self._answer(request, Answer.error(401, BAD_AUTH))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._answer(request, Answer.error(400, "Bad Request", None, None))
            return
        with self._lock:
            answer = self._script.pop(0) if self._script else Answer.accepted()
            message_id = uuid.uuid4().hex[:22] if answer.status == 202 else None
            self.received.append(Received(dict(request.headers), body, answer.status, message_id))
        if answer.until is not None:
            answer.until.wait(answer.delay)
            if self._stopping.is_set():
                return  # shutting down: drop the connection
        elif answer.delay and self._stopping.wait(answer.delay):
            return  # shutting down: drop the connection
        headers = dict(answer.headers)
        if message_id:
            headers["X-Message-Id"] = message_id
        self._answer(request, answer, headers)

    @staticmethod
    def _answer(
        request: BaseHTTPRequestHandler, answer: Answer, headers: dict[str, str] | None = None
    ) -> None:
        payload = json.dumps(answer.body).encode() if answer.body is not None else b""
        try:
            request.send_response(answer.status)
            for name, value in (headers or answer.headers).items():
                request.send_header(name, value)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (it timed out): SendGrid would not know either
