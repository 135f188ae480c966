"""How every Temporal client and the worker reach the server: TLS, mTLS, API key.

One function, `client_options(settings)`, gives `Client.connect` its `tls` and `api_key`;
`worker.connect` uses it, and so do the CLI (starter.py) and anything else that connects.

  EHCP_TEMPORAL_TLS                      on/off; unset: on when any setting below is set
  EHCP_TEMPORAL_TLS_SERVER_CA_FILE       PEM of the CA that signed the server certificate
                                         (unset: the system's roots, as for Temporal Cloud)
  EHCP_TEMPORAL_TLS_SERVER_NAME          name to check the server certificate against
                                         (unset: the host of EHCP_TEMPORAL_ADDRESS)
  EHCP_TEMPORAL_TLS_CLIENT_CERT_FILE     PEM client certificate (mTLS), with ...
  EHCP_TEMPORAL_TLS_CLIENT_KEY_FILE      ... its private key
  EHCP_TEMPORAL_API_KEY                  API key (Temporal Cloud), sent as a bearer token

See docs/temporal-connection.md. No Temporal server import beyond the TLS config type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from pydantic import SecretStr
from temporalio.service import TLSConfig


class TransportConfigError(ValueError):
    """The connection settings are incomplete or unreadable; the message names the variable."""


class TransportSettings(Protocol):
    """What `client_options` reads (ehcp.settings.Settings has these fields)."""

    temporal_tls: bool | None
    temporal_tls_server_ca_file: Path | None
    temporal_tls_server_name: str | None
    temporal_tls_client_cert_file: Path | None
    temporal_tls_client_key_file: Path | None
    temporal_api_key: SecretStr | None


def _read(path: Path | None, variable: str) -> bytes | None:
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TransportConfigError(f"{variable}: cannot read {path} ({error.strerror})") from None
    if b"-----BEGIN " not in data:
        raise TransportConfigError(f"{variable}: {path} is not a PEM file")
    return data


def tls_config(settings: TransportSettings) -> TLSConfig | None:
    """The TLS configuration, or None for a plaintext connection (local dev server only).
    Raises TransportConfigError for a certificate without its key (or the reverse), an
    unreadable file, or TLS settings given while EHCP_TEMPORAL_TLS=false."""
    cert = _read(settings.temporal_tls_client_cert_file, "EHCP_TEMPORAL_TLS_CLIENT_CERT_FILE")
    key = _read(settings.temporal_tls_client_key_file, "EHCP_TEMPORAL_TLS_CLIENT_KEY_FILE")
    if (cert is None) != (key is None):
        raise TransportConfigError(
            "EHCP_TEMPORAL_TLS_CLIENT_CERT_FILE and EHCP_TEMPORAL_TLS_CLIENT_KEY_FILE go together "
            "(mTLS needs the certificate and its private key); set both or neither"
        )
    ca = _read(settings.temporal_tls_server_ca_file, "EHCP_TEMPORAL_TLS_SERVER_CA_FILE")
    tls_given = any(v is not None for v in (cert, ca, settings.temporal_tls_server_name))
    if settings.temporal_tls is False:
        if tls_given:
            raise TransportConfigError(
                "EHCP_TEMPORAL_TLS=false, but TLS files or a server name are set: remove them, "
                "or turn TLS on"
            )
        return None  # an API key alone, e.g. to a local TLS-terminating proxy
    if settings.temporal_tls is None and not tls_given and settings.temporal_api_key is None:
        return None
    return TLSConfig(
        server_root_ca_cert=ca,
        domain=settings.temporal_tls_server_name,
        client_cert=cert,
        client_private_key=key,
    )


def client_options(settings: TransportSettings) -> dict[str, Any]:
    """Keyword arguments for `temporalio.client.Client.connect`: `tls` and `api_key`."""
    tls = tls_config(settings)
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return {"tls": tls if tls is not None else False, "api_key": api_key}
