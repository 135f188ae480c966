"""Codec server: lets the Temporal UI and CLI show (and encode) encrypted payloads.

Speaks the Temporal codec-server protocol: `POST /encode` and `POST /decode` (also under a
namespace prefix, `/{namespace}/decode`), each taking and returning `{"payloads": [...]}` in
proto JSON (Payload `data` and metadata values base64). Standard library only.

Access: every POST needs `Authorization: Bearer <EHCP_CODEC_SERVER_TOKEN>` (compared in constant
time; 401 otherwise). Browsers are let in from the EHCP_CODEC_CORS_ORIGINS origins only,
including the OPTIONS preflight. The token is a shared secret for the CLI
(`temporal workflow show --codec-endpoint ... --codec-auth "Bearer $TOKEN"`) and for an
authenticating proxy: in production, real single sign-on sits in front and adds the header;
this server is never exposed on its own. See docs/encryption.md.

  python codec_server.py        (settings: EHCP_CODEC_SERVER_HOST/PORT/TOKEN, EHCP_CODEC_* keys)
"""

from __future__ import annotations

import hmac
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from google.protobuf import json_format
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload, Payloads

from ehcp.settings import Settings
from observability import logs
from security.codec import EncryptionCodec, PayloadDecryptionError
from security.keys import KeyConfigError, Keyring, keyring_from_settings

log = logging.getLogger("ehcp.codec_server")

MAX_BODY_BYTES = 16 * 1024 * 1024
MIN_TOKEN_CHARS = 16
ALLOW_HEADERS = "Content-Type, X-Namespace, Authorization"
ALLOW_METHODS = "POST, OPTIONS"


class CodecServerConfigError(ValueError):
    """The codec server cannot start; the message names the setting."""


@dataclass(frozen=True)
class CodecServerConfig:
    host: str
    port: int
    token: str
    origins: frozenset[str]


def _origin(value: str) -> str:
    origin = value.strip().rstrip("/")
    parts = urlsplit(origin)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or "*" in origin
    ):
        raise CodecServerConfigError(
            f"EHCP_CODEC_CORS_ORIGINS: {value!r} is not an origin; give scheme://host[:port] "
            "of the Temporal UI, e.g. http://localhost:8233 (comma-separated, no wildcards)"
        )
    return origin


def config_from_settings(settings: Settings) -> CodecServerConfig:
    token = settings.codec_server_token.get_secret_value() if settings.codec_server_token else ""
    if len(token) < MIN_TOKEN_CHARS:
        raise CodecServerConfigError(
            f"EHCP_CODEC_SERVER_TOKEN is {'too short' if token else 'not set'}: the codec server "
            f"needs a bearer token of at least {MIN_TOKEN_CHARS} characters "
            "(`python -m security.keys token` makes one)"
        )
    return CodecServerConfig(
        host=settings.codec_server_host,
        port=settings.codec_server_port,
        token=token,
        origins=frozenset(_origin(o) for o in settings.codec_cors_origins),
    )


def _convert(body: bytes, fn: Callable[[Payload], Payload]) -> bytes:
    message = json_format.Parse(body, Payloads(), ignore_unknown_fields=True)
    converted = Payloads(payloads=[fn(p) for p in message.payloads])
    return json_format.MessageToJson(converted).encode("utf-8")


def make_handler(config: CodecServerConfig, codec: EncryptionCodec) -> type:
    token = config.token.encode("utf-8")
    actions: dict[str, Callable[[Payload], Payload]] = {
        "encode": codec.encrypt,
        "decode": codec.decrypt,
    }

    class Handler(BaseHTTPRequestHandler):
        server_version = "ehcp-codec"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        # -- helpers ----------------------------------------------------------------------

        def _action(self) -> str | None:
            """`/decode`, `/encode`, or the same under one namespace segment."""
            segments = [s for s in urlsplit(self.path).path.split("/") if s]
            if 1 <= len(segments) <= 2 and segments[-1] in actions:
                return segments[-1]
            return None

        def _allowed_origin(self) -> str | None:
            origin = self.headers.get("Origin")
            return origin if origin in config.origins else None

        def _send(
            self, status: int, body: bytes = b"", headers: Iterable[tuple[str, str]] = ()
        ) -> None:
            self.send_response(status)
            if origin := self._allowed_origin():
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Access-Control-Allow-Credentials", "true")
            self.send_header("Vary", "Origin")
            for name, value in headers:
                self.send_header(name, value)
            if body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(body)

        def _error(self, status: int, message: str, headers: Iterable[tuple[str, str]] = ()):
            # The body may be unread: do not reuse the connection.
            self.close_connection = True
            headers = [*headers, ("Connection", "close")]
            self._send(status, json.dumps({"error": message}).encode(), headers)

        def _authorised(self) -> bool:
            scheme, _, presented = self.headers.get("Authorization", "").partition(" ")
            return scheme.lower() == "bearer" and hmac.compare_digest(
                presented.strip().encode("utf-8"), token
            )

        # -- methods ----------------------------------------------------------------------

        def do_OPTIONS(self) -> None:
            if self._action() is None:
                return self._error(404, "not found: use /encode or /decode")
            if self._allowed_origin() is None:
                return self._error(403, "origin not allowed")
            self._send(
                204,
                headers=[
                    ("Access-Control-Allow-Methods", ALLOW_METHODS),
                    ("Access-Control-Allow-Headers", ALLOW_HEADERS),
                    ("Access-Control-Max-Age", "600"),
                ],
            )

        def do_POST(self) -> None:
            action = self._action()
            if action is None:
                return self._error(404, "not found: use /encode or /decode")
            if "Origin" in self.headers and self._allowed_origin() is None:
                return self._error(403, "origin not allowed")
            if not self._authorised():
                return self._error(
                    401, "missing or wrong bearer token", [("WWW-Authenticate", "Bearer")]
                )
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                return self._error(411, "Content-Length required")
            if not 0 < length <= MAX_BODY_BYTES:
                return self._error(413, f"body must be 1 to {MAX_BODY_BYTES} bytes")
            body = self.rfile.read(length)
            try:
                result = _convert(body, actions[action])
            except json_format.ParseError as error:
                return self._error(400, f'body is not {{"payloads": [...]}} proto JSON: {error}')
            except PayloadDecryptionError as error:
                return self._error(422, str(error))
            self._send(200, result)

        def do_GET(self) -> None:
            self._error(405 if self._action() else 404, "use POST /encode or POST /decode")

        def log_message(self, format: str, *args: object) -> None:
            # Method, path and status only: never headers (the token) or bodies (data).
            log.info("%s %s", self.address_string(), format % args)

    return Handler


def build_server(config: CodecServerConfig, keyring: Keyring) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(
        (config.host, config.port), make_handler(config, EncryptionCodec(keyring))
    )
    server.daemon_threads = True
    return server


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = Settings()
        logs.configure(settings.log_format)
        config = config_from_settings(settings)
        keyring = keyring_from_settings(settings)
        server = build_server(config, keyring)
    except (CodecServerConfigError, KeyConfigError, ValidationError) as error:
        print(f"codec_server: cannot start: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"codec_server: cannot listen on {config.host}:{config.port} ({error.strerror}); "
            "set EHCP_CODEC_SERVER_HOST/EHCP_CODEC_SERVER_PORT",
            file=sys.stderr,
        )
        return 2

    def stop(_signum: int, _frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    log.info(
        "codec server on http://%s:%d (key %r from %s); CORS origins: %s",
        config.host, config.port, keyring.current_id, keyring.source,
        ", ".join(sorted(config.origins)) or "none",
    )  # fmt: skip
    with server:
        server.serve_forever()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
