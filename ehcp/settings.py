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
    #: codec server (codec_server.py) for the Temporal UI and CLI
    codec_server_host: str = "127.0.0.1"
    codec_server_port: int = Field(default=8081, ge=1, le=65535)
    codec_server_token: SecretStr | None = None
    codec_cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:8233"]
    #: durable records (API keys, ...): SQLAlchemy URL; a SQLite file by default,
    #: postgresql+psycopg://... in production. Migrations run at start.
    database_url: str = "sqlite:///data/ehcp.db"
    #: the HTTP API (api/, `python -m api`)
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    #: failed authentications allowed per client address (the `limits` notation)
    api_auth_failure_limit: str = "20/minute"

    _split = field_validator(
        "reminder_offsets", "extra_bank_holidays", "codec_cors_origins", mode="before"
    )(_split_csv)

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        if any(v < 0 or v > 60 for v in value):
            raise ValueError("each reminder offset must be between 0 and 60 days")
        return sorted(set(value), reverse=True)
