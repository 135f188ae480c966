"""Codec server: lets the Temporal UI and CLI show encrypted payloads (decode only, by default).

Speaks the Temporal codec-server protocol: `POST /decode` (also under a namespace prefix,
`/{namespace}/decode`), taking and returning `{"payloads": [...]}` in proto JSON (Payload
`data` and metadata values base64). Served by uvicorn (FastAPI).

Access: every POST needs `Authorization: Bearer <EHCP_CODEC_SERVER_TOKEN>` (compared in
constant time; 401 otherwise). `/encode` turns plaintext into payloads the worker accepts, so
it is a WRITE credential: it is off (404) unless EHCP_CODEC_SERVER_ENCODE=true, and then takes
its own token, EHCP_CODEC_SERVER_ENCODE_TOKEN, never the read token. Browsers are let in from
the EHCP_CODEC_CORS_ORIGINS origins only, including the OPTIONS preflight. In production,
single sign-on sits in front and adds the header; this server is never exposed on its own.
An idle connection is closed after EHCP_CODEC_SERVER_TIMEOUT_S; beyond
EHCP_CODEC_SERVER_MAX_CONNECTIONS connections, requests get 503. See docs/encryption.md.

  python codec_server.py        (settings: EHCP_CODEC_SERVER_*, EHCP_CODEC_* keys)
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI, Request, Response
from google.protobuf import json_format
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload, Payloads
from uvicorn.protocols.http.h11_impl import H11Protocol

from ehcp.settings import Settings
from observability import logs
from security.codec import EncryptionCodec, PayloadDecryptionError
from security.keys import KeyConfigError, Keyring, keyring_from_settings

log = logging.getLogger("ehcp.codec_server")

MAX_BODY_BYTES = 16 * 1024 * 1024
MIN_TOKEN_CHARS = 16
ALLOW_HEADERS = "Content-Type, X-Namespace, Authorization"
ALLOW_METHODS = "POST, OPTIONS"
ACTIONS = ("decode", "encode")


class CodecServerConfigError(ValueError):
    """The codec server cannot start; the message names the setting."""


@dataclass(frozen=True)
class CodecServerConfig:
    """Where to listen, the tokens (encode_token None: /encode is off), the allowed browser
    origins, the idle timeout (seconds) and the connection cap."""

    host: str
    port: int
    token: str
    origins: frozenset[str]
    encode_token: str | None = None
    timeout_s: float = 10.0
    max_connections: int = 100


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


def _token(value: object, name: str) -> str:
    token = value.get_secret_value() if value else ""  # type: ignore[attr-defined]
    if len(token) < MIN_TOKEN_CHARS:
        raise CodecServerConfigError(
            f"{name} is {'too short' if token else 'not set'}: the codec server needs a bearer "
            f"token of at least {MIN_TOKEN_CHARS} characters (`python -m security.keys token`)"
        )
    return token


def config_from_settings(settings: Settings) -> CodecServerConfig:
    """Raises CodecServerConfigError naming the setting that is missing or wrong."""
    token = _token(settings.codec_server_token, "EHCP_CODEC_SERVER_TOKEN")
    encode_token = None
    if settings.codec_server_encode:
        encode_token = _token(settings.codec_server_encode_token, "EHCP_CODEC_SERVER_ENCODE_TOKEN")
        if hmac.compare_digest(encode_token, token):
            raise CodecServerConfigError(
                "EHCP_CODEC_SERVER_ENCODE_TOKEN must differ from EHCP_CODEC_SERVER_TOKEN: "
                "encoding is a write credential, decoding a read one"
            )
    return CodecServerConfig(
        host=settings.codec_server_host,
        port=settings.codec_server_port,
        token=token,
        origins=frozenset(_origin(o) for o in settings.codec_cors_origins),
        encode_token=encode_token,
        timeout_s=settings.codec_server_timeout_s,
        max_connections=settings.codec_server_max_connections,
    )


def _convert(body: bytes, fn: Callable[[Payload], Payload]) -> bytes:
    message = json_format.Parse(body.decode("utf-8"), Payloads(), ignore_unknown_fields=True)
    converted = Payloads(payloads=[fn(p) for p in message.payloads])
    return json_format.MessageToJson(converted).encode("utf-8")


def build_app(config: CodecServerConfig, keyring: Keyring) -> FastAPI:
    """The ASGI app. Plaintext payloads pass through /decode: it only displays them."""
    codec = EncryptionCodec(keyring, allow_plaintext=True)
    tokens = {"decode": config.token.encode(), "encode": (config.encode_token or "").encode()}
    actions: dict[str, Callable[[Payload], Payload]] = {"decode": codec.decrypt}
    if config.encode_token:
        actions["encode"] = codec.encrypt
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    def allowed_origin(request: Request) -> str | None:
        origin = request.headers.get("origin")
        return origin if origin in config.origins else None

    def reply(
        request: Request, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        out = {"Vary": "Origin", "Cache-Control": "no-store", **(headers or {})}
        if origin := allowed_origin(request):
            out["Access-Control-Allow-Origin"] = origin
            out["Access-Control-Allow-Credentials"] = "true"
        media = "application/json" if body else None
        return Response(body, status_code=status, headers=out, media_type=media)

    def error(request: Request, status: int, message: str, **headers: str) -> Response:
        body = json.dumps({"error": message}).encode()
        return reply(request, status, body, {"Connection": "close", **headers})

    def action_of(path: str) -> str | None:
        """`/decode`, `/encode` (when on), or either under one namespace segment."""
        segments = [s for s in path.split("/") if s]
        if 1 <= len(segments) <= 2 and segments[-1] in actions:
            return segments[-1]
        return None

    def authorised(request: Request, action: str) -> bool:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode("utf-8"), tokens[action]
        )

    not_found = "not found: use POST /decode" + (" or /encode" if "encode" in actions else "")

    @app.options("/{path:path}")
    async def preflight(request: Request, path: str) -> Response:
        if action_of(path) is None:
            return error(request, 404, not_found)
        if allowed_origin(request) is None:
            return Response(status_code=403, headers={"Vary": "Origin"})
        return reply(
            request,
            204,
            headers={
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": "600",
            },
        )

    @app.post("/{path:path}")
    async def convert(request: Request, path: str) -> Response:
        action = action_of(path)
        if action is None:
            return error(request, 404, not_found)
        if "origin" in request.headers and allowed_origin(request) is None:
            return Response(b'{"error": "origin not allowed"}', 403, {"Vary": "Origin"})
        if not authorised(request, action):
            return error(request, 401, "missing or wrong bearer token", **{
                "WWW-Authenticate": "Bearer"
            })  # fmt: skip
        try:
            length = int(request.headers.get("content-length", ""))
        except ValueError:
            return error(request, 411, "Content-Length required")
        if not 0 < length <= MAX_BODY_BYTES:
            return error(request, 413, f"body must be 1 to {MAX_BODY_BYTES} bytes")
        body = await request.body()
        try:
            result = _convert(body, actions[action])
        except UnicodeDecodeError:
            return error(request, 400, "body is not UTF-8 text")
        except json_format.ParseError as failure:
            return error(request, 400, f'body is not {{"payloads": [...]}} proto JSON: {failure}')
        except PayloadDecryptionError as failure:
            return error(request, 422, str(failure))
        return reply(request, 200, result)

    @app.api_route("/{path:path}", methods=["GET", "PUT", "DELETE", "PATCH", "HEAD"])
    async def other(request: Request, path: str) -> Response:
        return error(request, 405 if action_of(path) else 404, "use POST")

    return app


class IdleClosingH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, but a connection that sends nothing is closed after the
    keep-alive timeout too (uvicorn only times out idle connections between requests)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )


def build_server(config: CodecServerConfig, keyring: Keyring) -> uvicorn.Server:
    """A uvicorn server for the app: idle timeout and connection cap from the config."""
    return uvicorn.Server(
        uvicorn.Config(
            build_app(config, keyring),
            host=config.host,
            port=config.port,
            http=IdleClosingH11Protocol,
            timeout_keep_alive=max(1, round(config.timeout_s)),
            limit_concurrency=config.max_connections,
            log_config=None,
            access_log=True,
            server_header=False,
        )
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = Settings()
        logs.configure(settings.log_format)
        config = config_from_settings(settings)
        keyring = keyring_from_settings(settings)
    except (CodecServerConfigError, KeyConfigError, ValidationError) as error:
        print(f"codec_server: cannot start: {error}", file=sys.stderr)
        return 2
    log.info(
        "codec server on http://%s:%d (key %r from %s); /encode %s; CORS origins: %s",
        config.host, config.port, keyring.current_id, keyring.source,
        "ON (own token)" if config.encode_token else "off",
        ", ".join(sorted(config.origins)) or "none",
    )  # fmt: skip
    server = build_server(config, keyring)
    server.run()  # handles SIGINT/SIGTERM itself
    if not server.started:
        print(
            f"codec_server: cannot listen on {config.host}:{config.port}; "
            "set EHCP_CODEC_SERVER_HOST/EHCP_CODEC_SERVER_PORT",
            file=sys.stderr,
        )
        return 2
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
