"""Configuration from the environment (prefix EHCP_), with safe local defaults."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ehcp.council import ConfiguredCouncil, CouncilInfo, councils_from_toml
from ehcp.models import COUNCIL_CODE_HELP, COUNCIL_CODE_PATTERN
from ehcp.text_fields import EmailAddress, Name
from ehcp.urls import ProviderURL


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


#: secrets that may be given as a file instead (EHCP_<NAME>_FILE)
SECRET_FILES = (
    "sendgrid_api_key",
    "codec_server_token",
    "notify_callback_token",
    "staff_ref_key",
    "database_password",
)


class NotifyTemplates(BaseModel):
    """Ids of the council's GOV.UK Notify templates (docs/notify-templates.md has their text)."""

    #: email: subject ((subject)), body ((body)) in plain text
    email: str = ""
    #: text message reminder: ((message)) (also given: ((case_ref)), ((due_date)))
    text_reminder: str = ""


class CouncilDelivery(BaseModel):
    """How one council's messages go out: EHCP_DELIVERY__<COUNCIL>__<FIELD>."""

    provider: Literal["sendgrid", "notify", "outbox"] = "sendgrid"
    notify_api_key: SecretStr | None = None
    templates: NotifyTemplates = NotifyTemplates()

    @model_validator(mode="after")
    def _notify_complete(self) -> CouncilDelivery:
        if self.provider == "notify":
            missing = [n for n in ("email", "text_reminder") if not getattr(self.templates, n)]
            if self.notify_api_key is None or not self.notify_api_key.get_secret_value():
                missing.insert(0, "notify_api_key")
            if missing:
                raise ValueError(
                    "provider notify needs " + ", ".join(missing) + " (docs/notify-templates.md)"
                )
        return self


def _with_password(url: str, password: SecretStr) -> str:
    """`url` with `password` for its user (URL-escaped by SQLAlchemy)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.password is not None:
        raise ValueError("EHCP_DATABASE_URL holds a password: give it there or in "
                         "EHCP_DATABASE_PASSWORD(_FILE), not both")  # fmt: skip
    with_password = parsed.set(password=password.get_secret_value())
    return with_password.render_as_string(hide_password=False)


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
    #: of those, the days on which a parent who chose texts gets a text message (2 days
    #: before and the due day); EHCP_TEXT_OFFSETS=2,0
    text_offsets: Annotated[list[int], NoDecode] = [2, 0]
    #: extra non-working days (e.g. a newly proclaimed bank holiday), comma-separated ISO dates
    extra_bank_holidays: Annotated[list[date], NoDecode] = []
    #: workflows kept in worker memory; a case not in it is rebuilt from its history
    #: (docs/performance.md: about 110 KB each; 2,000 keeps a worker with 10,000 open
    #: cases under 400 MB)
    max_cached_workflows: int = Field(default=2000, ge=0)
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
    #: the one council of a single-council service (used when `councils` is not configured)
    council_code: str = "rutland"
    #: EHCP_COUNCIL__NAME, EHCP_COUNCIL__SENDIASS_URL, ...: that council's details
    council: CouncilInfo = CouncilInfo()
    #: every council the service runs for, by code (ehcp/council.py: name, SEND team email
    #: and phone, mediation service, local offer, help links, email colours): a TOML file,
    #: one table per council (deploy/councils.example.toml) ...
    councils_file: Path | None = None
    #: ... or EHCP_COUNCILS__<CODE>__<FIELD>. Neither: the one council above (Rutland). A
    #: case, an API key or a sign-in group of a council not configured here is refused.
    councils: dict[str, ConfiguredCouncil] = {}
    #: addresses and the manager's name go into email headers: ASCII addresses, one line
    from_email: EmailAddress = "send-reminders@rutland.gov.uk"
    reply_to_email: EmailAddress = "send@rutland.gov.uk"
    send_manager_email: EmailAddress = "send.manager@rutland.gov.uk"
    send_manager_name: Name = "SEND manager"
    # Email delivery (activities/senders.py, docs/email.md). With no SendGrid key, every
    #: email goes to the outbox (the `make run` default): EHCP_SENDGRID_API_KEY
    sendgrid_api_key: SecretStr | None = None
    #: ... or a file holding it (a mounted secret, e.g. /run/secrets/sendgrid_api_key); an
    #: empty file means no key, as an unset variable does
    sendgrid_api_key_file: Path | None = None
    #: https only (http only to a loopback address: a local stand-in); ehcp/urls.py
    sendgrid_host: ProviderURL = "https://api.sendgrid.com"
    #: seconds; below the notification activity's 60 s start-to-close timeout
    sendgrid_timeout_s: float = Field(default=10, gt=0, lt=25)  # below SEND_TIMEOUT (30 s)
    # Delivery per council (activities/senders.py, docs/notify-templates.md):
    #: EHCP_DELIVERY__<COUNCIL>__PROVIDER=notify, EHCP_DELIVERY__<COUNCIL>__NOTIFY_API_KEY=...;
    #: a council not named here uses SendGrid with the key above, or the outbox
    delivery: dict[str, CouncilDelivery] = {}
    #: GOV.UK Notify's API (tests: a stand-in on 127.0.0.1)
    notify_base_url: ProviderURL = "https://api.notifications.service.gov.uk"
    #: seconds one Notify request may take (below the send activity's budget, as SendGrid's)
    notify_timeout_s: float = Field(default=10, gt=0, lt=25)
    # Delivery receipts (ehcp/receipts.py, webhooks/)
    #: SendGrid's signed event webhook: its verification key (base64 DER, or PEM), from
    #: Settings > Mail Settings > Event Webhook; unset: /webhooks/sendgrid refuses everything
    sendgrid_webhook_public_key: str | None = None
    #: seconds a signed SendGrid request stays acceptable (replays older than this get 401)
    sendgrid_webhook_tolerance_s: int = Field(default=600, ge=30, le=86_400)
    #: the bearer token given to Notify for its callbacks; unset: /webhooks/notify refuses all
    notify_callback_token: SecretStr | None = None
    notify_callback_token_file: Path | None = None
    #: hours after a due-day or 2-day reminder with no `delivered` report before it is flagged
    undelivered_flag_hours: int = Field(default=24, ge=1, le=168)
    #: minutes before a Notify `temporary-failure` text or email is sent once more
    temporary_failure_retry_minutes: int = Field(default=60, ge=1, le=24 * 60)
    # Payload encryption (security/, docs/encryption.md): one source of keys, either
    #: EHCP_CODEC_KEYS="id:base64,id:base64" with EHCP_CODEC_CURRENT_KEY=id ...
    codec_keys: SecretStr | None = None
    codec_current_key: str | None = None
    #: ... or a JSON key file {"current": id, "keys": {id: base64}}
    codec_key_file: Path | None = None
    #: HMAC key (base64, 32+ bytes) of the caseworker's staff reference, the `EhcpCaseworker`
    #: search attribute (security/staff_ref.py); unset: derived from the current payload key
    staff_ref_key: SecretStr | None = None
    staff_ref_key_file: Path | None = None
    #: accept unencrypted payloads (EHCP_CODEC_ALLOW_PLAINTEXT): ONLY for a migration window
    #: while cases started before encryption still run; off, a plaintext start or event (the
    #: Temporal CLI with no key) is refused (docs/encryption.md)
    codec_allow_plaintext: bool = False
    #: zlib-compress payloads of 256 bytes or more before encrypting them (security/codec.py
    #: says what that trades); payloads of either form are always read
    codec_compress: bool = True
    #: codec server (codec_server.py) for the Temporal UI and CLI
    codec_server_host: str = "127.0.0.1"
    codec_server_port: int = Field(default=8081, ge=1, le=65535)
    codec_server_token: SecretStr | None = None
    #: ... or a file holding it (a mounted secret)
    codec_server_token_file: Path | None = None
    #: /encode makes payloads the worker accepts (a write credential): off unless
    #: EHCP_CODEC_SERVER_ENCODE=true, then with its own EHCP_CODEC_SERVER_ENCODE_TOKEN
    codec_server_encode: bool = False
    codec_server_encode_token: SecretStr | None = None
    #: seconds an idle connection stays open; connections beyond the cap get 503
    codec_server_timeout_s: float = Field(default=10, gt=0, le=300)
    codec_server_max_connections: int = Field(default=100, ge=1, le=10_000)
    codec_cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:8233"]
    # Operations (observability/, docs/operations.md)
    #: this worker's Prometheus endpoint, host:port (path /metrics), e.g. 0.0.0.0:9464;
    #: empty (the default): no endpoint
    metrics_address: str = ""
    #: the API (and pages) process's Prometheus endpoint for request latency by route,
    #: host:port (path /metrics), e.g. 0.0.0.0:9465; a port of its own, never the public
    #: one; empty (the default): none (`python -m api`, `python -m web`)
    http_metrics_address: str = ""
    #: worker and codec server logs: "text" (one line each) or "json" (one object each)
    log_format: Literal["text", "json"] = "text"
    #: durable records (API keys, the sent ledger, ...): SQLAlchemy URL; a SQLite file by
    #: default (one host), postgresql+psycopg://... in production and whenever workers run on
    #: several hosts. Migrations run at start.
    database_url: str = "sqlite:///data/ehcp.db"
    #: the password of database_url's user, kept out of the URL: EHCP_DATABASE_PASSWORD, or
    #: EHCP_DATABASE_PASSWORD_FILE (compose mounts it as a secret file); put into the URL
    database_password: SecretStr | None = None
    database_password_file: Path | None = None
    # Retention of case records (docs/records.md): personal data erased this many years after
    #: a case closed, the anonymised record kept. 25: a child in a SEND disagreement is 0 to
    #: 25 years old, so closure + 25 years is never before the child's 25th birthday (the
    #: "date of birth + 25 years" of common SEND records guidance); the service does not
    #: hold the date of birth, so a council that wants less sets its own period
    retention_years: int = Field(default=25, ge=1, le=100)
    #: per council: EHCP_RETENTION_YEARS_BY_COUNCIL='{"rutland": 25, "leicestershire": 35}'
    retention_years_by_council: dict[str, Annotated[int, Field(ge=1, le=100)]] = {}
    #: the HTTP API (api/, `python -m api`)
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    #: uvicorn's access log (one line per request); off by default: the proxy in front logs
    #: requests, and a line each costs API throughput (docs/performance.md)
    api_access_log: bool = False
    #: failed authentications allowed per client address (the `limits` notation)
    api_auth_failure_limit: str = "20/minute"

    _split = field_validator(
        "reminder_offsets",
        "text_offsets",
        "extra_bank_holidays",
        "codec_cors_origins",
        mode="before",
    )(_split_csv)

    @model_validator(mode="after")
    def _secret_files(self) -> Settings:
        """EHCP_X_FILE: the secret X read from a file (compose mounts secrets as files)."""
        for name in SECRET_FILES:
            path: Path | None = getattr(self, f"{name}_file")
            if path is None:
                continue
            variable = f"EHCP_{name.upper()}"
            if getattr(self, name) is not None:
                raise ValueError(f"set {variable} or {variable}_FILE, not both")
            try:
                text = path.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ValueError(
                    f"{variable}_FILE={path}: cannot read it ({error.strerror})"
                ) from None
            setattr(self, name, SecretStr(text) if text else None)
        if self.database_password is not None:
            self.database_url = _with_password(self.database_url, self.database_password)
        return self

    @field_validator("staff_ref_key")
    @classmethod
    def _staff_ref_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from security.staff_ref import parse_key  # raises KeyConfigError, a ValueError

            parse_key(value.get_secret_value())
        return value

    @model_validator(mode="after")
    def _councils(self) -> Settings:
        """The configured councils: from EHCP_COUNCILS_FILE, or EHCP_COUNCILS__..., or the
        one council of EHCP_COUNCIL_CODE and EHCP_COUNCIL__... (Rutland by default)."""
        if self.councils_file is not None:
            if self.councils:
                raise ValueError("set EHCP_COUNCILS_FILE or EHCP_COUNCILS__..., not both")
            try:
                text = self.councils_file.read_text(encoding="utf-8")
            except OSError as error:
                raise ValueError(
                    f"EHCP_COUNCILS_FILE={self.councils_file}: cannot read it ({error.strerror})"
                ) from None
            try:
                self.councils = councils_from_toml(text)
            except ValueError as error:
                raise ValueError(f"EHCP_COUNCILS_FILE={self.councils_file}: {error}") from None
            if not self.councils:
                raise ValueError(f"EHCP_COUNCILS_FILE={self.councils_file} names no council")
        for code in self.councils:
            if not re.fullmatch(COUNCIL_CODE_PATTERN, code):
                raise ValueError(
                    f"council code {code!r} in EHCP_COUNCILS__...: not a council code "
                    f"(allowed: {COUNCIL_CODE_HELP})"
                )
        if not self.councils:
            self.councils = {self.council_code: self.council}  # type: ignore[dict-item]
        return self

    def council_info(self, code: str) -> CouncilInfo:
        """The details of council `code`; for a code not configured (a case started before
        councils were checked), the first configured council's, so an email still goes."""
        found = self.councils.get(code)
        return found if found is not None else next(iter(self.councils.values()))

    def retention_for(self, council: str) -> int:
        """Years after closure that a council's case records keep personal data."""
        return self.retention_years_by_council.get(council, self.retention_years)

    @field_validator("metrics_address", "http_metrics_address")
    @classmethod
    def _metrics_address(cls, value: str) -> str:
        value = value.strip()
        host, _, port = value.rpartition(":")
        if value and not (host and port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(
                f"{value!r} is not host:port (e.g. 0.0.0.0:9464 or 127.0.0.1:9464); "
                "leave it empty for no metrics endpoint"
            )
        return value

    @field_validator("worker_build_id", mode="before")
    @classmethod
    def _no_build_id(cls, value: object) -> object:
        return None if value == "" else value  # compose passes an unset variable as ""

    @field_validator("reminder_offsets", "text_offsets")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        if any(v < 0 or v > 60 for v in value):
            raise ValueError("each reminder offset must be between 0 and 60 days")
        return sorted(set(value), reverse=True)
