"""`python -m api`: serve the API with uvicorn on EHCP_API_HOST:EHCP_API_PORT."""

from __future__ import annotations

import sys

import uvicorn

from ehcp.settings import Settings


def main() -> int:
    settings = Settings()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        log_level="info",
        # a line per request costs throughput (docs/performance.md); off unless
        # EHCP_API_ACCESS_LOG=true. The Authorization
        # header is never logged; query strings carry no secrets.
        access_log=settings.api_access_log,
        loop="uvloop",
        http="httptools",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
