"""The local identity provider of `make run` and the browser tests (oidc-provider-mock) with
the demo staff: two at Rutland (a caseworker, a manager) and one at another council.

`python -m web.dev_oidc --port 9400` serves it; `web_env(port)` is what the pages need to
use it. Development only: it signs anyone in who clicks a name.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from web.settings import DEMO_GROUP_MAP, DEMO_STAFF

CLIENT_ID = "ehcp-web-dev"


def issuer(port: int) -> str:
    return f"http://localhost:{port}"


def web_env(port: int) -> dict[str, str]:
    """EHCP_WEB_ settings that point the pages at the local provider."""
    return {
        "EHCP_WEB_OIDC_ISSUER": issuer(port),
        "EHCP_WEB_OIDC_CLIENT_ID": CLIENT_ID,
        "EHCP_WEB_OIDC_CLIENT_SECRET": "dev-only-not-a-secret",
        "EHCP_WEB_OIDC_GROUP_MAP": json.dumps(DEMO_GROUP_MAP),
    }


def banner_lines(port: int, pages_url: str) -> list[str]:
    staff = ", ".join(
        f"{sub} ({DEMO_GROUP_MAP[str(claims['groups'][0])]})"  # type: ignore[index]
        for sub, claims in DEMO_STAFF.items()
    )
    return [
        f"  Pages        {pages_url}/cases (sign in: choose a demo person at {issuer(port)})",
        f"  Demo staff   {staff}",
        f"  Calculator   {pages_url}/deadline-calculator (public)",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9400)
    args = parser.parse_args()
    claims = [json.dumps({"sub": sub, **c}) for sub, c in DEMO_STAFF.items()]
    argv = ["oidc-provider-mock", "--port", str(args.port), "--require-nonce", "true"]
    for claim in claims:
        argv += ["--user-claims", claim]
    os.environ.setdefault("NO_COLOR", "1")
    from oidc_provider_mock.__main__ import run

    return run.main(argv[1:], prog_name=argv[0], standalone_mode=True) or 0


if __name__ == "__main__":
    sys.exit(main())
