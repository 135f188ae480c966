"""`python -m api`: serve the API with uvicorn on EHCP_API_HOST:EHCP_API_PORT (one process;
its Prometheus metrics at EHCP_HTTP_METRICS_ADDRESS when set)."""

from __future__ import annotations

import sys

import uvicorn

from ehcp.settings import Settings
from observability.http import serve as serve_metrics


def main() -> int:
    settings = Settings()
    serve_metrics(settings.http_metrics_address)  # request latency by route, on its own port
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
