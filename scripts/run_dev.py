"""`make run`: a local Temporal dev server (SQLite file under data/), the worker and the API.

Starts `temporal server start-dev` from this venv with the project's namespace and search
attributes, waits until its frontend answers, starts `python worker.py` and the HTTP API
(`python -m api`, uvicorn), prints where things are, then watches them. Ctrl-C or SIGTERM
stops all (API, worker, then server); if one dies on its own, the others are stopped and this
exits non-zero. Cases survive a restart: they live in <data dir>/temporal.db
(`make clean-data` deletes them). The data dir and every folder in it are 0700 and every file
0600: the umask is 077 for this process and its children.

Payload encryption keys: unless EHCP_CODEC_KEYS or EHCP_CODEC_KEY_FILE is set, the first run
creates a random development key file, <data dir>/dev-codec-keys.json (mode 0600, git-ignored,
deleted by `make clean-data` together with the cases it encrypted), and gives it to the worker
as EHCP_CODEC_KEY_FILE. starter.py finds data/dev-codec-keys.json of this checkout by itself;
for another data dir the banner prints the variable to export.

Environment (besides the worker's own EHCP_ settings):
  EHCP_DEV_PORT        frontend gRPC port (7233)
  EHCP_DEV_UI_PORT     Temporal UI port (8233)
  EHCP_DATA_DIR        SQLite file, server log and default outbox (data/)
  EHCP_DEV_WORKER_CMD  worker command line, shell-quoted (default: this python worker.py)
  EHCP_API_PORT        HTTP API port (8000); EHCP_DATABASE_URL defaults to <data dir>/ehcp.db
  EHCP_DEV_OIDC_PORT   local identity provider for the staff pages (9400; web/dev_oidc.py),
                       started unless EHCP_WEB_OIDC_ISSUER names another; with it, the demo
                       staff's councils (deploy/councils.demo.toml) unless EHCP_COUNCILS_FILE,
                       EHCP_COUNCILS__... or EHCP_COUNCIL_CODE says otherwise
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
READY_TIMEOUT_S = 30.0
#: how long registered search attributes may lag behind a ready frontend
SEARCH_ATTRIBUTE_GRACE_S = 5.0
STOP_TIMEOUT_S = {"oidc": 10.0, "api": 15.0, "worker": 45.0, "temporal server": 15.0}
#: the server exits 0 on SIGINT (1 on SIGTERM); the worker and uvicorn handle both
STOP_SIGNAL = {
    "oidc": signal.SIGTERM,
    "api": signal.SIGTERM,
    "worker": signal.SIGTERM,
    "temporal server": signal.SIGINT,
}
#: the CLI must not pick up a developer's own Temporal profile or TEMPORAL_* variables
CLI_ISOLATION = ["--disable-config-file", "--disable-config-env"]
DEV_KEY_FILE_NAME = "dev-codec-keys.json"
#: a council for each demo person of the local identity provider (web/settings.py DEMO_STAFF)
DEMO_COUNCILS_FILE = ROOT / "deploy" / "councils.demo.toml"


class DevError(Exception):
    """Start-up cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class DevConfig:
    temporal: Path
    data_dir: Path
    port: int
    ui_port: int
    namespace: str
    task_queue: str
    outbox_dir: Path
    search_attributes: dict[str, str]
    worker_cmd: list[str]
    #: what the back-office CLI will connect to without extra settings
    client_address: str
    #: development key file made and used here; None when the developer set keys themselves
    key_file: Path | None = None
    api_port: int = 8000
    #: the local identity provider's port; None when EHCP_WEB_OIDC_ISSUER names another
    oidc_port: int | None = 9400
    #: durable records (API keys, sent ledger): the developer's EHCP_DATABASE_URL or
    #: <data dir>/ehcp.db
    database_url: str = ""
    #: EHCP_COUNCILS_FILE given to every process: the demo staff's councils, or None when the
    #: developer configured councils (or another identity provider) themselves
    councils_file: Path | None = None

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "temporal.db"

    @property
    def server_log(self) -> Path:
        return self.data_dir / "temporal.log"


# --- configuration -------------------------------------------------------------------------


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise DevError(f"{name}={raw!r} is not a TCP port number")
    return int(raw)


def _under_root(path: Path) -> Path:
    return path if path.is_absolute() else ROOT / path


def load_config(env: Mapping[str, str]) -> DevConfig:
    # Imported here so that a broken EHCP_ setting is reported as one line, not a traceback.
    from pydantic import ValidationError

    from ehcp.settings import Settings
    from workflows.search_attributes import SEARCH_ATTRIBUTES

    try:
        settings = Settings()
    except ValidationError as exc:
        raise DevError(f"bad EHCP_ setting: {exc}") from exc
    temporal = Path(sysconfig.get_path("scripts")) / "temporal"
    if not temporal.is_file():
        raise DevError(f"no Temporal CLI at {temporal}: install the dev extra (`make run` does)")
    data_dir = _under_root(Path(env.get("EHCP_DATA_DIR", "data")))
    outbox = settings.outbox_dir if "EHCP_OUTBOX_DIR" in env else data_dir / "outbox"
    return DevConfig(
        temporal=temporal,
        data_dir=data_dir,
        port=_port(env, "EHCP_DEV_PORT", 7233),
        ui_port=_port(env, "EHCP_DEV_UI_PORT", 8233),
        namespace=settings.temporal_namespace,
        task_queue=settings.task_queue,
        outbox_dir=_under_root(outbox),
        search_attributes=dict(SEARCH_ATTRIBUTES),
        worker_cmd=_worker_cmd(env),
        client_address=settings.temporal_address,
        key_file=None if _keys_configured(env) else data_dir / DEV_KEY_FILE_NAME,
        api_port=_port(env, "EHCP_API_PORT", 8000),
        oidc_port=None
        if env.get("EHCP_WEB_OIDC_ISSUER")
        else _port(env, "EHCP_DEV_OIDC_PORT", 9400),
        database_url=env.get("EHCP_DATABASE_URL") or f"sqlite:///{data_dir / 'ehcp.db'}",
        councils_file=None
        if env.get("EHCP_WEB_OIDC_ISSUER") or _councils_configured(env)
        else DEMO_COUNCILS_FILE,
    )


def _councils_configured(env: Mapping[str, str]) -> bool:
    return any(
        name in ("EHCP_COUNCILS_FILE", "EHCP_COUNCIL_CODE") or name.startswith("EHCP_COUNCILS__")
        for name in env
    )


def _keys_configured(env: Mapping[str, str]) -> bool:
    return any(env.get(name, "").strip() for name in ("EHCP_CODEC_KEYS", "EHCP_CODEC_KEY_FILE"))


def _worker_cmd(env: Mapping[str, str]) -> list[str]:
    if override := env.get("EHCP_DEV_WORKER_CMD", "").strip():
        return shlex.split(override)
    if not (ROOT / "worker.py").is_file():
        raise DevError(f"{ROOT / 'worker.py'} does not exist (or set EHCP_DEV_WORKER_CMD)")
    return [sys.executable, "worker.py"]


# --- commands --------------------------------------------------------------------------------


def server_command(cfg: DevConfig) -> list[str]:
    cmd = [
        str(cfg.temporal), "server", "start-dev",
        "--db-filename", str(cfg.db_file),
        "--ip", HOST,
        "--port", str(cfg.port),
        "--ui-port", str(cfg.ui_port),
        "--namespace", cfg.namespace,
        # a deleted closed case (retention) is gone within a second, not up to ~35 s later:
        # the server deletes it once its transfer queue's progress is saved, by default
        # every 30 s (dynamic config; the dev server only)
        "--dynamic-config-value", 'history.transferProcessorUpdateAckInterval="1s"',
    ]  # fmt: skip
    for name, kind in cfg.search_attributes.items():
        cmd += ["--search-attribute", f"{name}={kind}"]
    return cmd


def cli(cfg: DevConfig, *args: str, timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
    """Run a `temporal` client command against the dev server."""
    return subprocess.run(
        [str(cfg.temporal), *args, "--address", cfg.address, *CLI_ISOLATION],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- processes -------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child: get SIGTERM if run_dev itself is killed, so nothing is left behind."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))


def spawn(cmd: list[str], env: Mapping[str, str], out: IO[str] | None) -> subprocess.Popen[str]:
    """Start a child in its own process group: Ctrl-C reaches only us, and we stop it in order."""
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT if out else None,
        start_new_session=True,
        preexec_fn=_die_with_parent,  # safe: run_dev starts no threads
        text=True,
    )


def _signal_group(proc: subprocess.Popen[str], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def stop_child(name: str, proc: subprocess.Popen[str], force: threading.Event) -> None:
    """Ask politely, wait, then kill the whole process group."""
    if proc.poll() is None:
        _signal_group(proc, STOP_SIGNAL[name])
        deadline = time.monotonic() + STOP_TIMEOUT_S[name]
        while proc.poll() is None and time.monotonic() < deadline and not force.is_set():
            force.wait(0.05)
        if proc.poll() is None:
            say(f"{name} (pid {proc.pid}) did not stop in time; killing it")
            _signal_group(proc, signal.SIGKILL)
    # ended by the signal it was asked to stop with: a normal stop, not worth a line
    if (rc := proc.wait()) not in (0, -STOP_SIGNAL[name]):
        say(f"{name} exited with status {rc} while stopping")


# --- start-up checks -------------------------------------------------------------------------


def ensure_dev_keys(cfg: DevConfig) -> None:
    """Create the development key file on first run; check it on every run."""
    from security.keys import KeyConfigError, keyring_from_file, write_key_file

    if cfg.key_file is None:
        return
    if not cfg.key_file.exists():
        write_key_file(cfg.key_file)
        say(f"created a development encryption key file: {_shown(cfg.key_file)} (mode 0600)")
        if cfg.db_file.exists():
            say(
                "cases already in the database that were encrypted with an earlier key file "
                "can no longer be read; `make clean-data` starts afresh"
            )
    try:
        keyring_from_file(cfg.key_file)
    except KeyConfigError as exc:
        raise DevError(f"{exc}; delete it with `make clean-data` (and the local cases)") from exc


def check_ports_free(cfg: DevConfig) -> None:
    for name, port in (
        ("EHCP_DEV_PORT", cfg.port),
        ("EHCP_DEV_UI_PORT", cfg.ui_port),
        ("EHCP_API_PORT", cfg.api_port),
        *([("EHCP_DEV_OIDC_PORT", cfg.oidc_port)] if cfg.oidc_port else []),
    ):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, port))
            except OSError as exc:
                raise DevError(
                    f"port {port} on {HOST} is taken ({exc.strerror}): is another `make run` "
                    f"or Temporal server running? Stop it, or set {name} to a free port."
                ) from exc


def _log_tail(path: Path, offset: int, lines: int = 15) -> str:
    with path.open(encoding="utf-8", errors="replace") as fh:
        fh.seek(offset)
        return "".join(fh.readlines()[-lines:]).rstrip()


def wait_until_ready(
    cfg: DevConfig, server: subprocess.Popen[str], log_offset: int, stop: threading.Event
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not stop.is_set():
        if (rc := server.poll()) is not None:
            raise DevError(
                f"the Temporal server exited with status {rc} while starting; "
                f"from {cfg.server_log}:\n{_log_tail(cfg.server_log, log_offset)}"
            )
        health = cli(cfg, "operator", "cluster", "health", "--command-timeout", "2s")
        if health.returncode == 0 and "SERVING" in health.stdout:
            return
        if time.monotonic() > deadline:
            raise DevError(
                f"the Temporal server did not answer on {cfg.address} within "
                f"{READY_TIMEOUT_S:.0f} s; see {cfg.server_log}"
            )
        stop.wait(0.1)


def _type_name(indexed: str) -> str:
    """'INDEXED_VALUE_TYPE_KEYWORD_LIST' -> 'KeywordList', as the CLI and our dict spell it."""
    parts = indexed.removeprefix("INDEXED_VALUE_TYPE_").split("_")
    return "".join(part.capitalize() for part in parts)


def search_attribute_problems(cfg: DevConfig) -> list[str]:
    listed = cli(cfg, "operator", "search-attribute", "list", "-n", cfg.namespace, "-o", "json")
    if listed.returncode != 0:
        return [f"cannot list them ({listed.stderr.strip()})"]
    have = {
        name: _type_name(indexed)
        for name, indexed in json.loads(listed.stdout).get("customAttributes", {}).items()
    }
    return [
        f"{name} is missing" if name not in have else f"{name} is {have[name]}, code says {kind}"
        for name, kind in cfg.search_attributes.items()
        if have.get(name) != kind
    ]


def check_search_attributes(cfg: DevConfig, stop: threading.Event) -> None:
    """Registration is best effort in the dev server: one attribute whose type changed since
    the SQLite file was made blocks all new ones, silently. Say so, with the way out."""
    deadline = time.monotonic() + SEARCH_ATTRIBUTE_GRACE_S
    while (problems := search_attribute_problems(cfg)) and time.monotonic() < deadline:
        if stop.wait(0.2):
            return
    if problems:
        raise DevError(
            f"search attributes in {cfg.db_file} do not match workflows/search_attributes.py: "
            + "; ".join(problems)
            + ". The dev server keeps the type an attribute was first registered with and then "
            "registers none of the new ones: run `make clean-data` (deletes local cases) or "
            "give the changed attribute a new name."
        )


# --- output ----------------------------------------------------------------------------------


def say(message: str) -> None:
    print(f"run_dev: {message}", file=sys.stderr, flush=True)


def _shown(path: Path | str) -> str:
    rel = os.path.relpath(path, Path.cwd())
    return str(path) if rel.startswith("..") else rel


def client_exports(cfg: DevConfig) -> list[str]:
    """What the CLI (starter.py, any directory) needs to reach this stack, as export lines."""
    env = {
        "EHCP_TEMPORAL_ADDRESS": cfg.address,
        "EHCP_TEMPORAL_NAMESPACE": cfg.namespace,
        "EHCP_DATABASE_URL": cfg.database_url,
    }
    if cfg.key_file is not None:
        env["EHCP_CODEC_KEY_FILE"] = str(cfg.key_file)
    if cfg.councils_file is not None:
        env["EHCP_COUNCILS_FILE"] = str(cfg.councils_file)
    return [f"export {name}={shlex.quote(value)}" for name, value in env.items()]


def banner(cfg: DevConfig, pids: Mapping[str, int], ready_s: float) -> str:
    from web import dev_oidc

    py = _shown(sys.executable)
    starter = f"{py} starter.py"
    if cfg.key_file is None:
        keys = "EHCP_CODEC_KEYS / EHCP_CODEC_KEY_FILE from your environment"
    else:
        keys = f"{_shown(cfg.key_file)} (development only, made here; never copy it)"
    return "\n".join(
        [
            f"EHCP dev stack is up (Temporal ready in {ready_s:.1f} s). Ctrl-C stops it.",
            f"  Temporal UI  http://localhost:{cfg.ui_port}",
            f"  Temporal     {cfg.address}, namespace {cfg.namespace}, task queue {cfg.task_queue}",
            f"  API          {cfg.api_url}/api/v1 (docs {cfg.api_url}/api/docs, "
            f"OpenAPI {cfg.api_url}/api/openapi.json)",
            f"  Cases        {_shown(cfg.db_file)} (kept across restarts; "
            "`make clean-data` wipes them)",
            f"  Records      {cfg.database_url} (API keys, sent ledger, case records)",
            f"  Outbox       {_shown(cfg.outbox_dir)}",
            f"  Logs         server: {_shown(cfg.server_log)}; worker and API: this terminal",
            f"  Processes    server pid {pids['temporal server']}, worker pid {pids['worker']}, "
            f"api pid {pids['api']}",
            f"  Keys         {keys}",
            *(
                [f"  Councils     {_shown(cfg.councils_file)} (one for each demo person)"]
                if cfg.councils_file
                else []
            ),
            *(dev_oidc.banner_lines(cfg.oidc_port, cfg.api_url) if cfg.oidc_port else []),
            "  In another terminal, for the CLI:",
            *(f"    {line}" for line in client_exports(cfg)),
            "  Try:",
            f"    {starter} start --case-ref RUT-2026-0001 --decision-type refusal_to_assess "
            '--decision-date 2026-11-20 --parent-name "Sam Parent" '
            '--parent-email sam@example.org --caseworker-name "Alex Caseworker" '
            "--caseworker-email alex.caseworker@rutland.gov.uk",
            f"    {starter} status RUT-2026-0001",
            f'    {starter} api-key create --council rutland --role caseworker --name "CMS import"',
        ]
    )


# --- main ------------------------------------------------------------------------------------


def supervise(children: dict[str, subprocess.Popen[str]], stop: threading.Event) -> int:
    """Block until a stop is requested (0) or a child exits on its own (1)."""
    while not stop.is_set():
        for name, proc in children.items():
            if (rc := proc.poll()) is not None:
                say(f"{name} exited unexpectedly with status {rc}; stopping the rest")
                return 1
        stop.wait(0.2)
    return 0


def install_signal_handlers(stop: threading.Event, force: threading.Event) -> None:
    def handle(signum: int, _frame: object) -> None:
        if stop.is_set():
            force.set()  # a second Ctrl-C: stop waiting, kill
        else:
            say(f"{signal.Signals(signum).name}: stopping (again to kill at once)")
            stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handle)


def start_server(cfg: DevConfig) -> tuple[subprocess.Popen[str], int]:
    """Start the dev server, logging to its file; returns it and where this run's log starts."""
    with cfg.server_log.open("a", encoding="utf-8") as log:
        log.write(f"--- run_dev {time.strftime('%Y-%m-%d %H:%M:%S')}: server starting\n")
        log.flush()
        return spawn(server_command(cfg), os.environ, log), log.tell()


def wait_for_api(cfg: DevConfig, api: subprocess.Popen[str], stop: threading.Event) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not stop.is_set():
        if (rc := api.poll()) is not None:
            raise DevError(f"the API exited with status {rc} while starting; see above")
        try:
            with urllib.request.urlopen(f"{cfg.api_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise DevError(f"the API did not answer on {cfg.api_url} in {READY_TIMEOUT_S:.0f} s")
        stop.wait(0.1)


def api_env(cfg: DevConfig) -> dict[str, str]:
    return {
        **worker_env(cfg),
        "EHCP_API_HOST": HOST,
        "EHCP_API_PORT": str(cfg.api_port),
        **(_dev_oidc_env(cfg.oidc_port) if cfg.oidc_port else {}),
    }


def _dev_oidc_env(port: int) -> dict[str, str]:
    from web import dev_oidc

    return dev_oidc.web_env(port)


def worker_env(cfg: DevConfig) -> dict[str, str]:
    return {
        **os.environ,
        "EHCP_TEMPORAL_ADDRESS": cfg.address,
        "EHCP_TEMPORAL_NAMESPACE": cfg.namespace,
        "EHCP_OUTBOX_DIR": str(cfg.outbox_dir),
        # the durable records: API keys, the sent ledger, the case records (the worker
        # writes them; the API, the pages and the CLI read them)
        "EHCP_DATABASE_URL": cfg.database_url,
        "PYTHONUNBUFFERED": "1",
        **({"EHCP_CODEC_KEY_FILE": str(cfg.key_file)} if cfg.key_file else {}),
        **({"EHCP_COUNCILS_FILE": str(cfg.councils_file)} if cfg.councils_file else {}),
    }


def run(cfg: DevConfig, stop: threading.Event, force: threading.Event) -> int:
    from security.files import private_dir, restrict_umask

    # Everything made from here on (the SQLite file, logs, the outbox, by us or the children)
    # is for this user only: folders 0700, files 0600.
    restrict_umask()
    private_dir(cfg.data_dir)
    private_dir(cfg.outbox_dir)
    _narrow_existing(cfg)
    ensure_dev_keys(cfg)
    check_ports_free(cfg)
    children: dict[str, subprocess.Popen[str]] = {}
    started = time.monotonic()
    try:
        server, log_offset = start_server(cfg)
        children["temporal server"] = server
        wait_until_ready(cfg, server, log_offset, stop)
        ready_s = time.monotonic() - started
        if not stop.is_set():
            check_search_attributes(cfg, stop)
        if stop.is_set():
            return 0
        children["worker"] = spawn(cfg.worker_cmd, worker_env(cfg), None)
        if cfg.oidc_port:
            oidc = [sys.executable, "-m", "web.dev_oidc", "--port", str(cfg.oidc_port)]
            children["oidc"] = spawn(oidc, worker_env(cfg), subprocess.DEVNULL)
        children["api"] = spawn([sys.executable, "-m", "api"], api_env(cfg), None)
        wait_for_api(cfg, children["api"], stop)
        if stop.is_set():
            return 0
        pids = {name: proc.pid for name, proc in children.items()}
        print(banner(cfg, pids, ready_s), flush=True)
        return supervise(children, stop)
    finally:
        for name in reversed(list(children)):
            stop_child(name, children[name], force)


def _narrow_existing(cfg: DevConfig) -> None:
    """Files an older version made world-readable (0644) become 0600."""
    for path in (cfg.db_file, cfg.server_log, *cfg.data_dir.glob("temporal.db-*")):
        with contextlib.suppress(OSError):
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)


def main() -> int:
    stop, force = threading.Event(), threading.Event()
    install_signal_handlers(stop, force)
    try:
        return run(load_config(os.environ), stop, force)
    except DevError as exc:
        say(str(exc))
        return 1


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
