"""mTLS for real: nginx terminates TLS and requires a client certificate in front of the dev
server; the worker's `connect` (used by the worker, the CLI and the API) gets through with the
right certificate and is refused with none or a wrong one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

from ehcp.settings import Settings
from security.transport import TransportConfigError, tls_config
from tests.integration.devstack import ROOT, DevServer
from tests.integration.tlsproxy import (
    SERVER_NAME,
    Authority,
    Nginx,
    Pem,
    nginx_binary,
    start_nginx,
)
from worker import connect

pytestmark = pytest.mark.integration

KEYS = "mtls-test:" + "A" * 43 + "="


@dataclass
class Stack:
    server: DevServer
    nginx: Nginx
    server_ca: Pem
    client: Pem
    rogue_client: Pem

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "temporal_address": self.nginx.address,
            "temporal_tls_server_ca_file": self.server_ca.cert,
            "temporal_tls_server_name": SERVER_NAME,
            "temporal_tls_client_cert_file": self.client.cert,
            "temporal_tls_client_key_file": self.client.key,
            "codec_keys": SecretStr(KEYS),
            "codec_current_key": "mtls-test",
        }
        values.update(overrides)
        return Settings(**values)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx not installed (apt-get install -y nginx-light); CI always runs this")
    folder = tmp_path_factory.mktemp("mtls")
    server_ca = Authority(folder, "server-ca")
    client_ca = Authority(folder, "client-ca")
    rogue_ca = Authority(folder, "rogue-ca")
    server = DevServer(folder / "temporal.db")
    server.start()
    nginx = None
    try:
        nginx = start_nginx(
            binary, folder, server.address, server_ca.issue("server", server=True), client_ca.pem
        )
        yield Stack(
            server,
            nginx,
            server_ca.pem,
            client_ca.issue("worker", server=False),
            rogue_ca.issue("intruder", server=False),
        )
    finally:
        if nginx is not None:
            nginx.stop()
        server.stop()


async def test_the_right_client_certificate_gets_through(stack: Stack):
    async def through_proxy(address: str) -> object:
        return await connect(stack.settings())

    client = await stack.server.wait_ready(through_proxy)
    info = await client.workflow_service.get_system_info(GetSystemInfoRequest())
    assert info.server_version
    assert "grpc_pass" not in (stack.nginx.folder / "error.log").read_text()


@pytest.mark.parametrize("which", ["none", "rogue"])
async def test_no_or_a_wrong_client_certificate_is_refused(stack: Stack, which: str):
    await stack.server.wait_ready(lambda _address: connect(stack.settings()))
    overrides: dict[str, object] = (
        {"temporal_tls_client_cert_file": None, "temporal_tls_client_key_file": None}
        if which == "none"
        else {
            "temporal_tls_client_cert_file": stack.rogue_client.cert,
            "temporal_tls_client_key_file": stack.rogue_client.key,
        }
    )
    with pytest.raises(RuntimeError):
        await connect(stack.settings(**overrides))


async def test_a_server_not_signed_by_the_configured_ca_is_refused(stack: Stack, tmp_path):
    other = Authority(tmp_path, "other-ca")
    with pytest.raises(RuntimeError):
        await connect(stack.settings(temporal_tls_server_ca_file=other.pem.cert))


def test_the_cli_connects_through_the_same_settings(stack: Stack):
    env = {
        **os.environ,
        "EHCP_TEMPORAL_ADDRESS": stack.nginx.address,
        "EHCP_TEMPORAL_TLS_SERVER_CA_FILE": str(stack.server_ca.cert),
        "EHCP_TEMPORAL_TLS_SERVER_NAME": SERVER_NAME,
        "EHCP_TEMPORAL_TLS_CLIENT_CERT_FILE": str(stack.client.cert),
        "EHCP_TEMPORAL_TLS_CLIENT_KEY_FILE": str(stack.client.key),
        "EHCP_CODEC_KEYS": KEYS,
        "EHCP_CODEC_CURRENT_KEY": "mtls-test",
    }
    listed = subprocess.run(
        [sys.executable, "starter.py", "list"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    env.pop("EHCP_TEMPORAL_TLS_CLIENT_CERT_FILE")
    refused = subprocess.run(
        [sys.executable, "starter.py", "list"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "EHCP_TEMPORAL_TLS_CLIENT_CERT_FILE and EHCP_TEMPORAL_TLS_CLIENT_KEY_FILE" in (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr


def test_incomplete_or_unreadable_settings_are_named(tmp_path: Path):
    cert = Authority(tmp_path, "some-ca").pem.cert
    with pytest.raises(TransportConfigError, match="go together"):
        tls_config(Settings(temporal_tls_client_cert_file=cert))
    with pytest.raises(TransportConfigError, match="EHCP_TEMPORAL_TLS_SERVER_CA_FILE: cannot"):
        tls_config(Settings(temporal_tls_server_ca_file=tmp_path / "missing.pem"))
    (tmp_path / "x.pem").write_text("not a certificate")
    with pytest.raises(TransportConfigError, match="not a PEM file"):
        tls_config(Settings(temporal_tls_server_ca_file=tmp_path / "x.pem"))
    assert tls_config(Settings()) is None  # the local dev server: plaintext
    assert tls_config(Settings(temporal_api_key=SecretStr("k"))) is not None  # Cloud: TLS on
