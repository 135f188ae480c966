"""codec_server.py over real HTTP: the Temporal UI's codec protocol, CORS and the token check."""

from __future__ import annotations

import base64
import dataclasses
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf import json_format
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, Payloads

from codec_server import CodecServerConfigError, build_server, config_from_settings
from ehcp.settings import Settings
from security.codec import ENCODING, EncryptionCodec
from security.keys import Keyring
from tests.integration.devstack import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
KEYRING = Keyring("k1", {"k1": bytes(range(32))})
TOKEN = "test-token-0123456789abcdef"
ENCODE_TOKEN = "encode-token-0123456789abcdef"
UI = "http://localhost:8233"
SECRET = {"parent": {"name": "Sam Parent", "email": "sam.parent@example.org"}}


@dataclass
class Running:
    port: int

    def request(
        self, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.headers, response.read()  # names: any case
        finally:
            conn.close()

    def post(self, path: str, payloads: list[Payload], **headers: str):
        body = json_format.MessageToJson(Payloads(payloads=payloads)).encode()
        headers = {"Content-Type": "application/json", "X-Namespace": "default", **headers}
        return self.request("POST", path, body, **headers)


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def payloads_of(body: bytes) -> list[Payload]:
    return list(json_format.Parse(body, Payloads()).payloads)


def plain_payload() -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(SECRET).encode())


@contextmanager
def serving(**overrides: object) -> Iterator[Running]:
    """codec_server's uvicorn server on a free port, in a thread, for the block."""
    settings = Settings(
        codec_server_token=SecretStr(TOKEN),
        codec_cors_origins=[UI, "https://temporal.council.example"],
        **overrides,
    )
    config = dataclasses.replace(config_from_settings(settings), port=free_port())
    server = build_server(config, KEYRING)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "codec server did not start"
        time.sleep(0.01)
    try:
        yield Running(config.port)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    with serving() as running:
        yield running


@pytest.fixture(scope="module")
def encoding_server() -> Iterator[Running]:
    with serving(
        codec_server_encode=True, codec_server_encode_token=SecretStr(ENCODE_TOKEN)
    ) as running:
        yield running


async def test_decode_gives_back_the_original_payload(server: Running) -> None:
    original = plain_payload()
    (encrypted,) = await EncryptionCodec(KEYRING).encode([original])
    status, headers, body = server.post("/decode", [encrypted], **auth())
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    assert payloads_of(body) == [original]
    # What the UI reads: proto JSON with base64 data and metadata values.
    sent = json.loads(body)["payloads"][0]
    assert base64.b64decode(sent["metadata"]["encoding"]) == b"json/plain"
    assert json.loads(base64.b64decode(sent["data"])) == SECRET


def test_encode_is_off_by_default(server: Running) -> None:
    """/encode makes payloads the worker accepts: a read token must not be a write one."""
    status, _, body = server.post("/encode", [plain_payload()], **auth())
    assert status == 404
    assert b"encode" not in body


def test_encode_then_decode_round_trips(encoding_server: Running) -> None:
    original = plain_payload()
    status, _, _ = encoding_server.post("/encode", [original], **auth())
    assert status == 401  # the read token does not encode
    status, _, body = encoding_server.post("/encode", [original], **auth(ENCODE_TOKEN))
    assert status == 200, body
    (encrypted,) = payloads_of(body)
    assert encrypted.metadata["encoding"] == ENCODING
    assert b"sam.parent" not in encrypted.data
    status, _, _ = encoding_server.post("/decode", [encrypted], **auth(ENCODE_TOKEN))
    assert status == 401  # nor the write token decode
    status, _, body = encoding_server.post("/default/decode", [encrypted], **auth())  # CLI
    assert status == 200, body
    assert payloads_of(body) == [original]


def test_a_body_that_is_not_utf8_gets_400(server: Running) -> None:
    body = b'{"payloads": [{"data": "' + b"\xff\xfe" + b'"}]}'
    status, _, response = server.request("POST", "/decode", body, **auth())
    assert status == 400, response
    assert json.loads(response) == {"error": "body is not UTF-8 text"}


def test_an_idle_connection_is_closed_and_connections_are_capped() -> None:
    with serving(codec_server_timeout_s=1, codec_server_max_connections=3) as running:
        idle = [socket.create_connection(("127.0.0.1", running.port)) for _ in range(3)]
        try:
            status, _, _ = running.post("/decode", [plain_payload()], **auth())
            assert status == 503  # the cap: three connections held, the fourth turned away
            for sock in idle:  # closed by the server (recv gives b""), not left to the client
                sock.settimeout(15)
                assert sock.recv(1) == b""
            status, _, _ = running.post("/decode", [plain_payload()], **auth())
            assert status == 200
        finally:
            for sock in idle:
                sock.close()


def test_unencrypted_payloads_pass_through_decode(server: Running) -> None:
    status, _, body = server.post("/decode", [plain_payload()], **auth())
    assert status == 200
    assert payloads_of(body) == [plain_payload()]


@pytest.mark.parametrize(
    "headers",
    [{}, auth("wrong-token-0123456789abcdef"), auth(TOKEN[:-1]), {"Authorization": TOKEN}],
    ids=["missing", "wrong", "prefix", "no-bearer-scheme"],
)
def test_missing_or_wrong_token_is_401(server: Running, headers: dict[str, str]) -> None:
    status, response_headers, body = server.post("/decode", [plain_payload()], **headers)
    assert status == 401
    assert response_headers["WWW-Authenticate"] == "Bearer"
    assert b"sam.parent" not in body


def test_preflight_from_the_ui_origin_gets_the_cors_headers(server: Running) -> None:
    status, headers, _ = server.request(
        "OPTIONS",
        "/decode",
        Origin=UI,
        **{
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace,authorization",
        },
    )
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == UI
    assert "POST" in headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-namespace", "authorization"} <= allowed
    assert headers["Vary"] == "Origin"


def test_preflight_from_a_foreign_origin_gets_no_cors_headers(server: Running) -> None:
    status, headers, _ = server.request(
        "OPTIONS", "/decode", Origin="https://evil.example", **{
            "Access-Control-Request-Method": "POST"
        }
    )  # fmt: skip
    assert status == 403
    assert not any(name.lower().startswith("access-control-") for name in headers)


def test_post_from_the_ui_origin_is_readable_and_a_foreign_one_refused(server: Running) -> None:
    encrypted = EncryptionCodec(KEYRING).encrypt(plain_payload())
    status, headers, _ = server.post("/decode", [encrypted], Origin=UI, **auth())
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == UI
    status, headers, body = server.post(
        "/decode", [encrypted], Origin="https://evil.example", **auth()
    )
    assert status == 403
    assert "Access-Control-Allow-Origin" not in headers
    assert b"sam.parent" not in body


def test_a_401_to_the_ui_is_readable_by_it(server: Running) -> None:
    """The browser can show "unauthorised" instead of a CORS error."""
    status, headers, _ = server.post("/decode", [plain_payload()], Origin=UI)
    assert status == 401
    assert headers["Access-Control-Allow-Origin"] == UI


def test_bad_requests(server: Running) -> None:
    status, _, _ = server.request("POST", "/decode", b"not json", **auth())
    assert status == 400
    status, _, body = server.request("GET", "/decode")
    assert status == 405, body
    status, _, _ = server.post("/elsewhere", [plain_payload()], **auth())
    assert status == 404
    unknown_key = EncryptionCodec(Keyring("k9", {"k9": bytes(32)})).encrypt(plain_payload())
    status, _, body = server.post("/decode", [unknown_key], **auth())
    assert status == 422
    assert b"'k9'" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "EHCP_CODEC_SERVER_TOKEN is not set"),
        ({"codec_server_token": SecretStr("short")}, "EHCP_CODEC_SERVER_TOKEN is too short"),
        (
            {"codec_server_token": SecretStr(TOKEN), "codec_cors_origins": ["*"]},
            "EHCP_CODEC_CORS_ORIGINS: '\\*' is not an origin",
        ),
        (
            {"codec_server_token": SecretStr(TOKEN), "codec_cors_origins": [f"{UI}/ui"]},
            "is not an origin",
        ),
        (
            {"codec_server_token": SecretStr(TOKEN), "codec_server_encode": True},
            "EHCP_CODEC_SERVER_ENCODE_TOKEN is not set",
        ),
        (
            {
                "codec_server_token": SecretStr(TOKEN),
                "codec_server_encode": True,
                "codec_server_encode_token": SecretStr(TOKEN),
            },
            "must differ from EHCP_CODEC_SERVER_TOKEN",
        ),
    ],
)
def test_configuration_errors_are_clear(overrides: dict, message: str) -> None:
    with pytest.raises(CodecServerConfigError, match=message):
        config_from_settings(Settings(**overrides))


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHCP_CODEC_SERVER_PORT", "9099")
    monkeypatch.setenv("EHCP_CODEC_SERVER_TOKEN", TOKEN)
    monkeypatch.setenv("EHCP_CODEC_CORS_ORIGINS", f"{UI}/, https://ui.example")
    config = config_from_settings(Settings())
    assert config.port == 9099
    assert config.origins == {UI, "https://ui.example"}
    assert TOKEN not in repr(Settings())


def test_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "EHCP_CODEC_KEY_FILE": "/nonexistent"}
    result = subprocess.run(
        [sys.executable, "codec_server.py"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "codec_server: cannot start: EHCP_CODEC_SERVER_TOKEN is not set" in result.stderr
