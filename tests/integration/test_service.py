"""The service as the back office meets it: `make run`'s dev server and the real worker.py
process, driven by the CLI (its `main` in this process; the first commands as real
processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest

from ehcp.uktime import london_date
from tests.cli_in_process import CliRun, run_in_process
from tests.conftest import DEPLOYED_ENV
from tests.integration.devstack import ROOT, RunDev

pytestmark = pytest.mark.integration

LIST_DEADLINE_S = 30.0  # visibility is eventually consistent


def cli(
    run: RunDev, *args: str, stdin: str | None = None, real_process: bool = False
) -> CliRun | subprocess.CompletedProcess[str]:
    """`starter.py *args` against `run`: the CLI's `main` in this process (a fresh interpreter
    costs seconds of imports on a loaded machine), or with `real_process` a real process."""
    env = {**os.environ, **DEPLOYED_ENV, "EHCP_TEMPORAL_ADDRESS": run.address}
    env.update(run.client_env)
    if not real_process:
        return run_in_process(list(args), stdin or "", env, expect_server=True)
    return subprocess.run(
        [sys.executable, "starter.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def ok(result: CliRun | subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(result: CliRun | subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def listed(run: RunDev, *args: str) -> list[dict]:
    return json.loads(ok(cli(run, "list", *args, "--json")))


def wait_listed(run: RunDev, case_ref: str, *args: str) -> list[dict]:
    deadline = time.monotonic() + LIST_DEADLINE_S
    while True:
        cases = listed(run, *args)
        if any(c["case_ref"] == case_ref for c in cases):
            return cases
        assert time.monotonic() < deadline, f"{case_ref} not listed by {args}: {cases}"
        time.sleep(0.2)


async def test_back_office_drives_a_case_through_the_cli(start_run_dev, tmp_path: Path):
    run = start_run_dev(tmp_path / "data", [sys.executable, "worker.py"])
    await run.wait_for_banner()
    today = london_date(datetime.now(UTC))
    decision = today - timedelta(days=10)
    case = {
        "case_ref": "RUT-2026-0042",
        "decision_type": "plan_content",
        "decision_date": decision.isoformat(),
        "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
        "caseworker": {"name": "Alex Caseworker", "email": "alex.cw@rutland.gov.uk"},
    }
    # the first start and its refused repeat as real processes (exit statuses, streams)
    out = ok(cli(run, "start", "--json", "-", stdin=json.dumps(case), real_process=True))
    assert "started case RUT-2026-0042" in out
    again = cli(run, "start", "--json", "-", stdin=json.dumps(case), real_process=True)
    refused(again, "already exists")

    declined = ["event", "RUT-2026-0042", "mediation_declined", "--date", decision.isoformat()]
    first = ok(cli(run, *declined, "--event-id", "caseflow:evt-1"))
    # the same event id again (a retry after a lost answer): the first receipt, nothing new
    assert ok(cli(run, *declined, "--event-id", "caseflow:evt-1")) == first
    assert "recorded mediation_declined as event 1" in first
    refused(
        cli(
            run,
            "event",
            "RUT-2026-0042",
            "appeal_registered",
            "--tribunal-ref",
            "EH1/26/9",
            "--date",
            today.isoformat(),
        ),
        "needs a mediation certificate",
    )
    ok(
        cli(
            run,
            "event",
            "RUT-2026-0042",
            "mediation_certificate_issued",
            "--certificate-kind",
            "information_only",
            "--date",
            (decision + timedelta(2)).isoformat(),
        )
    )
    event = {"kind": "appeal_registered", "date": today.isoformat(), "tribunal_ref": "EH1/26/9"}
    out = ok(cli(run, "event", "RUT-2026-0042", "--json", "-", stdin=json.dumps(event)))
    assert "recorded appeal_registered as event 3; stage appeal" in out
    assert "appeal_response" in out

    status = json.loads(ok(cli(run, "status", "RUT-2026-0042", "--json")))
    assert status["case_ref"] == "RUT-2026-0042"
    assert status["stage"] == "appeal"
    by_key = {d["key"]: d for d in status["deadlines"]}
    assert by_key["appeal"]["status"] == "met"
    assert by_key["mediation_certificate"]["status"] == "met"
    assert by_key["appeal_response"]["status"] == "pending"
    assert by_key["appeal_response"]["party"] == "council"
    assert "r.21" in by_key["appeal_response"]["basis"]
    assert {"key", "due", "party", "basis", "status"} <= set(by_key["appeal"])
    assert isinstance(status["reminders_sent"], list)

    timeline = json.loads(ok(cli(run, "timeline", "RUT-2026-0042", "--json")))
    assert [e["event"]["kind"] for e in timeline["events"]] == [
        "mediation_declined",
        "mediation_certificate_issued",
        "appeal_registered",
    ]

    # listed by search attribute: stage, and the appeal response due within 60 days
    cases = wait_listed(run, "RUT-2026-0042", "--stage", "appeal")
    assert cases[0]["stage"] == "appeal" and cases[0]["overdue"] is False
    wait_listed(run, "RUT-2026-0042", "--due-within", "60")
    assert listed(run, "--stage", "compliance") == []
    assert listed(run, "--overdue") == []
    # by caseworker: the address typed in any case, never stored in Temporal as typed
    wait_listed(run, "RUT-2026-0042", "--caseworker", "Alex.CW@rutland.gov.uk")
    assert listed(run, "--caseworker", "someone.else@rutland.gov.uk") == []

    # nothing else pending: withdrawing the appeal closes the case by itself
    ok(cli(run, "event", "RUT-2026-0042", "appeal_withdrawn", "--date", today.isoformat()))
    wait_listed(run, "RUT-2026-0042", "--stage", "closed")
    refused(
        cli(
            run,
            "event",
            "RUT-2026-0042",
            "hearing_listed",
            "--hearing-date",
            today.isoformat(),
            "--date",
            today.isoformat(),
        ),
        "is closed",
    )
    final = json.loads(ok(cli(run, "status", "RUT-2026-0042", "--json")))
    assert final["stage"] == "closed" and final["closed_reason"] == "withdrawn"
    keys = {
        BytesParser(policy=default).parse(path.open("rb"))["X-EHCP-Key"]
        for path in (tmp_path / "data" / "outbox").glob("*.eml")
    }
    assert {
        "RUT-2026-0042/case/case_closed/parent",
        "RUT-2026-0042/case/case_closed/caseworker",
    } <= keys
