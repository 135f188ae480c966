"""Servers for the browser tests, each in a thread of the test process: the local OIDC
provider (oidc-provider-mock) with the demo staff, and the web app under uvicorn."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from oidc_provider_mock import User, run_server_in_thread

from web.settings import DEMO_GROUP_MAP, DEMO_STAFF, WebSettings

START_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def oidc_provider() -> Iterator[str]:
    """The mock identity provider with the three demo staff; yields its issuer URL."""
    users = [User(sub=sub, claims=dict(claims)) for sub, claims in DEMO_STAFF.items()]
    with run_server_in_thread(require_nonce=True, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def web_settings(issuer: str, **overrides: Any) -> WebSettings:
    return WebSettings(
        oidc_issuer=issuer,
        oidc_client_id="ehcp-web-tests",
        oidc_client_secret="not-a-secret",
        oidc_group_map=DEMO_GROUP_MAP,
        **overrides,
    )


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """`app` under uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
