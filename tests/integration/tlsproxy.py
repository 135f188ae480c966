"""Test certificates (made with `cryptography`) and nginx from Debian as a TLS-terminating gRPC
proxy (`grpc_pass`, `ssl_verify_client on`) in front of the dev server, which has no TLS."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.integration.devstack import free_port

SERVER_NAME = "temporal.test"


def nginx_binary() -> str | None:
    """nginx from the system (Debian: /usr/sbin is not always on PATH); None when absent.
    Absent in CI (CI=true) fails: CI installs it (.ci/run, as the README tells users)."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed; CI must install it (apt-get install -y nginx-light)")
    return found


@dataclass(frozen=True)
class Pem:
    cert: Path
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey):
    pem = Pem(folder / f"{stem}.pem", folder / f"{stem}.key")
    pem.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pem.key.chmod(0o600)
    return pem


class Authority:
    """A certificate authority that signs server and client certificates."""

    def __init__(self, folder: Path, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, key_cert_sign=True, crl_sign=True,
                    content_commitment=False, key_encipherment=False, data_encipherment=False,
                    key_agreement=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )  # fmt: skip
        self.folder = folder
        self.pem = _write(folder, name, self.cert, self.key)

    def issue(self, stem: str, server: bool) -> Pem:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(SERVER_NAME if server else stem))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
        )
        if server:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName(SERVER_NAME), x509.IPAddress(IPv4Address("127.0.0.1"))]
                ),
                critical=False,
            )
        return _write(self.folder, stem, builder.sign(self.key, hashes.SHA256()), key)


NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {server_cert};
        ssl_certificate_key {server_key};
        ssl_client_certificate {client_ca};
        ssl_verify_client on;
        location / {{
            grpc_pass grpc://{upstream};
        }}
    }}
}}
"""


@dataclass
class Nginx:
    """One nginx master process in the foreground, stopped with SIGQUIT (then SIGKILL)."""

    proc: subprocess.Popen[bytes]
    port: int
    folder: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_nginx(binary: str, folder: Path, upstream: str, server: Pem, client_ca: Pem) -> Nginx:
    """nginx on a free 127.0.0.1 port, terminating TLS (client certificates required) in front
    of `upstream`; returns once the port accepts connections."""
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            user="user root;" if os.geteuid() == 0 else "",
            dir=folder,
            port=port,
            server_cert=server.cert,
            server_key=server.key,
            client_ca=client_ca.cert,
            upstream=upstream,
        )
    )
    log = (folder / "nginx.out").open("wb")
    proc = subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    nginx = Nginx(proc, port, folder)
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            raise AssertionError(
                f"nginx exited {proc.returncode}: {(folder / 'error.log').read_text()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return nginx
        except OSError:
            if time.monotonic() > deadline:
                nginx.stop()
                raise
            time.sleep(0.05)
