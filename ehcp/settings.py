"""Configuration from the environment (prefix EHCP_), with safe local defaults."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ehcp.council import CouncilInfo


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EHCP_", env_nested_delimiter="__", extra="ignore")

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "send-disagreements"
    # Transport to Temporal (security/transport.py, docs/temporal-connection.md): TLS, mTLS,
    #: API key. EHCP_TEMPORAL_TLS unset: on when any of the settings below is set
    temporal_tls: bool | None = None
    temporal_tls_server_ca_file: Path | None = None
    temporal_tls_server_name: str | None = None
    temporal_tls_client_cert_file: Path | None = None
    temporal_tls_client_key_file: Path | None = None
    temporal_api_key: SecretStr | None = None
    outbox_dir: Path = Path("data/outbox")
    #: local (Europe/London) hour at which reminders and escalations go out
    #: EHCP_REMINDER_TIME=HH:MM[:SS]; a sensible working hour in production
    reminder_time: time = time(9, 0)
    #: seconds after reminder_time over which cases are spread (each case always gets the
    #: same second), so thousands of cases do not wake at once; 0: all exactly on time
    reminder_spread_s: int = Field(default=60, ge=0, le=3600)
    #: days before the due date on which reminders go out; 0 is the due day itself
    reminder_offsets: Annotated[list[int], NoDecode] = [14, 7, 2, 0]
    #: extra non-working days (e.g. a newly proclaimed bank holiday), comma-separated ISO dates
    extra_bank_holidays: Annotated[list[date], NoDecode] = []
    #: workflows kept in worker memory; a case not in it is rebuilt from its history
    #: (docs/performance.md: about 110 KB each; 2,500 keeps a worker under 500 MB)
    max_cached_workflows: int = Field(default=2500, ge=0)
    #: run workflow code in the SDK's sandbox: slower, so off in production; the tests turn
    #: it on so that a non-deterministic call fails there (docs/performance.md)
    workflow_sandbox: bool = False
    #: Worker Deployment versioning (docs/workflow-changes.md, "Deploying"): with a build id,
    #: the worker polls as version <deployment name>.<build id>, and Temporal sends every task
    #: to the *current* version only, so old and new code never share a case mid-deploy.
    #: Unset: unversioned (make run, tests)
    worker_build_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,255}$")
    worker_deployment_name: str = Field(
        default="send-disagreements", pattern=r"^[A-Za-z0-9_-]{1,255}$"
    )
    council_code: str = "rutland"
    #: EHCP_COUNCIL__NAME, EHCP_COUNCIL__SENDIASS_URL, ...
    council: CouncilInfo = CouncilInfo()
    from_email: str = "send-reminders@rutland.gov.uk"
    reply_to_email: str = "send@rutland.gov.uk"
    send_manager_email: str = "send.manager@rutland.gov.uk"
    send_manager_name: str = "SEND manager"
    # Email delivery (activities/senders.py, docs/email.md). With no SendGrid key, every
    #: email goes to the outbox (the `make run` default): EHCP_SENDGRID_API_KEY
    sendgrid_api_key: SecretStr | None = None
    sendgrid_host: str = "https://api.sendgrid.com"
    #: seconds; below the notification activity's 60 s start-to-close timeout
    sendgrid_timeout_s: float = Field(default=10, gt=0, lt=25)  # below SEND_TIMEOUT (30 s)
    #: durable record of sent message keys: shared storage when workers run on several hosts
    sent_ledger_dir: Path = Path("data/sent-ledger")
    # Payload encryption (security/, docs/encryption.md): one source of keys, either
    #: EHCP_CODEC_KEYS="id:base64,id:base64" with EHCP_CODEC_CURRENT_KEY=id ...
    codec_keys: SecretStr | None = None
    codec_current_key: str | None = None
    #: ... or a JSON key file {"current": id, "keys": {id: base64}}
    codec_key_file: Path | None = None
    #: accept unencrypted payloads (EHCP_CODEC_ALLOW_PLAINTEXT): ONLY for a migration window
    #: while cases started before encryption still run; off, a plaintext start or event (the
    #: Temporal CLI with no key) is refused (docs/encryption.md)
    codec_allow_plaintext: bool = False
    #: codec server (codec_server.py) for the Temporal UI and CLI
    codec_server_host: str = "127.0.0.1"
    codec_server_port: int = Field(default=8081, ge=1, le=65535)
    codec_server_token: SecretStr | None = None
    #: /encode makes payloads the worker accepts (a write credential): off unless
    #: EHCP_CODEC_SERVER_ENCODE=true, then with its own EHCP_CODEC_SERVER_ENCODE_TOKEN
    codec_server_encode: bool = False
    codec_server_encode_token: SecretStr | None = None
    #: seconds an idle connection stays open; connections beyond the cap get 503
    codec_server_timeout_s: float = Field(default=10, gt=0, le=300)
    codec_server_max_connections: int = Field(default=100, ge=1, le=10_000)
    codec_cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:8233"]

    _split = field_validator(
        "reminder_offsets", "extra_bank_holidays", "codec_cors_origins", mode="before"
    )(_split_csv)

    @field_validator("worker_build_id", mode="before")
    @classmethod
    def _no_build_id(cls, value: object) -> object:
        return None if value == "" else value  # compose passes an unset variable as ""

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        if any(v < 0 or v > 60 for v in value):
            raise ValueError("each reminder offset must be between 0 and 60 days")
        return sorted(set(value), reverse=True)
