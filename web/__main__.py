"""`python -m web`: serve the caseworker pages with uvicorn on EHCP_WEB_HOST:EHCP_WEB_PORT."""

from __future__ import annotations

import sys

import uvicorn

from ehcp.settings import Settings
from observability.http import serve as serve_metrics
from web.settings import WebSettings


def main() -> int:
    settings = WebSettings()
    serve_metrics(Settings().http_metrics_address)  # request latency by route, own port
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=settings.https,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
