"""Issue 17, build 4: the worker's Prometheus endpoint during a real run (`make run`'s dev
server and worker.py), with the SDK's series and ours; the API process's own endpoint with
request latency by route; and JSON logs with the case reference and no personal data."""

from __future__ import annotations

import contextlib
import json
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ehcp.uktime import london_date
from tests.integration.devstack import free_port
from tests.integration.test_service import cli, ok

pytestmark = pytest.mark.integration

CASE_REF = "RUT-2026-0077"
PARENT = {"name": "Sam Metrics-Parent", "email": "sam.metrics@example.org"}
CASEWORKER = {"name": "Alex Metrics-Caseworker", "email": "alex.metrics@rutland.gov.uk"}
PERSONAL = (PARENT["name"], PARENT["email"], CASEWORKER["name"], CASEWORKER["email"])
SCRAPE_DEADLINE_S = 30.0

#: series an operator's alerts use (docs/operations.md): the SDK's, then ours
EXPECTED = (
    "temporal_workflow_task_schedule_to_start_latency",
    "temporal_workflow_task_execution_latency",
    "temporal_local_activity_execution_latency",
    "temporal_sticky_cache_size",
    'ehcp_events_recorded{kind="mediation_declined"',
    'ehcp_events_recorded{kind="case_closed"',
    "ehcp_emails_sent{",
)


def scrape(address: str) -> str:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as answer:
        return answer.read().decode()


def series_lines(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name)]


async def test_metrics_endpoint_and_json_logs_during_a_real_run(
    start_run_dev, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = f"127.0.0.1:{free_port()}"
    http_address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("EHCP_METRICS_ADDRESS", address)
    monkeypatch.setenv("EHCP_HTTP_METRICS_ADDRESS", http_address)
    monkeypatch.setenv("EHCP_LOG_FORMAT", "json")
    run = start_run_dev(tmp_path / "data", [sys.executable, "worker.py"])
    await run.wait_for_banner()
    decision = london_date(datetime.now(UTC)) - timedelta(days=10)
    case = {
        "case_ref": CASE_REF,
        "decision_type": "plan_content",
        "decision_date": decision.isoformat(),
        "parent": PARENT,
        "caseworker": CASEWORKER,
    }
    ok(cli(run, "start", "--json", "-", stdin=json.dumps(case)))
    ok(cli(run, "event", CASE_REF, "mediation_declined", "--date", decision.isoformat()))
    closed = ["case_closed", "--reason", "withdrawn", "--date", decision.isoformat()]
    ok(cli(run, "event", CASE_REF, *closed))

    deadline = time.monotonic() + SCRAPE_DEADLINE_S
    while True:
        text = scrape(address)
        missing = [name for name in EXPECTED if name not in text]
        if not missing:
            break
        assert time.monotonic() < deadline, f"not on the endpoint: {missing}"
        time.sleep(0.2)

    sent = series_lines(text, "ehcp_emails_sent{")
    assert any('kind="case_closed"' in line and 'transport="outbox"' in line for line in sent)
    assert series_lines(text, "ehcp_events_recorded{")
    for words in (*PERSONAL, CASE_REF):  # labels: fixed vocabularies only
        assert words not in text

    # the API process (API and pages): latency by route template, on its own port
    for path in (f"/api/v1/cases/{CASE_REF}", "/deadline-calculator"):
        with contextlib.suppress(urllib.error.HTTPError):  # the API answers 401 without a key
            urllib.request.urlopen(f"{run.api_url}{path}", timeout=10).close()
    http_text = scrape(http_address)
    durations = series_lines(http_text, "ehcp_http_request_duration_seconds_count{")
    assert any('route="/api/v1/cases/{case_ref}"' in line for line in durations), http_text
    assert any('route="/deadline-calculator"' in line for line in durations), http_text
    assert CASE_REF not in http_text

    records = [json.loads(line) for line in run.text().splitlines() if line.startswith("{")]
    assert records, run.text()
    assert {"time", "level", "name", "message", "case_ref"} <= set(records[0])
    mine = [r for r in records if r["case_ref"] == CASE_REF]
    assert any("case_closed" in r["message"] and r["message"].endswith("via outbox") for r in mine)
    for words in PERSONAL:
        assert words not in run.text()
