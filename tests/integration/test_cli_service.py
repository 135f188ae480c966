"""The CLI on the shared service layer, against the session's stack: a case reference is
never reused, "due within" means UK dates, a printed next command works, a closed pipe is
not an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest

from ehcp.calculator import calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.settings import Settings
from tests.cli_in_process import CliRun, run_in_process
from tests.conftest import DEPLOYED_ENV
from tests.integration.apiclient import Api, case_body, new_ref, today, wait_listed
from tests.integration.devstack import ROOT, RunDev
from tests.integration.test_service import cli, ok, refused

pytestmark = pytest.mark.integration


def cli_env(run: RunDev) -> dict[str, str]:
    return {
        **os.environ,
        **DEPLOYED_ENV,
        "EHCP_TEMPORAL_ADDRESS": run.address,
        **run.client_env,
    }


def decision_with_next_due(due: date) -> date:
    """A decision date whose first deadline (the soonest of a new case's) falls on `due`."""
    cal = WorkingDayCalendar.from_settings(Settings())
    for back in range(1, 200):
        decision = today() - timedelta(days=back)
        if min(spec.due for spec in calculate(decision, cal=cal)) == due:
            return decision
    pytest.skip(f"no decision date gives a first deadline on {due}")


def listed_refs(run: RunDev, *args: str) -> list[str]:
    return [c["case_ref"] for c in json.loads(ok(cli(run, "list", *args, "--json")))]


def test_a_closed_case_is_never_started_again(api_stack: RunDev):
    """Issue 10, fault 1."""
    ref = new_ref("RUT")
    body = json.dumps(case_body(ref))
    out = ok(cli(api_stack, "start", "--json", "-", stdin=body))
    assert f"started case {ref}" in out
    ok(cli(api_stack, "event", ref, "case_closed", "--reason", "withdrawn"))
    refused(cli(api_stack, "start", "--json", "-", stdin=body), "already exists")
    timeline = json.loads(ok(cli(api_stack, "timeline", ref, "--json")))
    assert [e["event"]["kind"] for e in timeline["events"]] == ["case_closed"]
    assert timeline["events"][0]["event"]["recorded_by"].startswith("cli:")


def test_the_printed_next_command_works_as_printed(api_stack: RunDev):
    ref = new_ref("RUT")
    out = ok(cli(api_stack, "start", "--json", "-", stdin=json.dumps(case_body(ref))))
    next_line = next(line for line in out.splitlines() if line.startswith("next: "))
    command = next_line.removeprefix("next: ")
    result = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=cli_env(api_stack), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert f"case {ref}" in result.stdout


def test_a_reader_that_stops_early_gets_no_traceback(api_stack: RunDev):
    ref = new_ref("RUT")
    ok(cli(api_stack, "start", "--json", "-", stdin=json.dumps(case_body(ref))))
    py = sys.executable
    for command in (
        f"{py} starter.py status {ref} | true",  # `true` never reads: every write hits EPIPE
        f"{py} starter.py status {ref} | head -3",
        f"{py} starter.py timeline {ref} --json | true",
        f"{py} starter.py deadlines --decision-date 2026-10-01 | true",
    ):
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=ROOT,
            env=cli_env(api_stack),
            capture_output=True,
            text=True,
        )
        assert result.stderr == "", (command, result.stderr)
        assert result.returncode == 0, command


async def test_due_within_counts_uk_dates(api: Api):
    """Issue 10, fault 2: a case due today is within 0 days at any hour; one due in 2 days
    is within 2, not within 1. The same through the API."""
    run = api.run
    due_today, due_in_2 = new_ref("DUE"), new_ref("DUE")
    for ref, due in ((due_today, today()), (due_in_2, today() + timedelta(days=2))):
        decision = decision_with_next_due(due)
        ok(cli(run, "start", "--json", "-", stdin=json.dumps(case_body(ref, decision))))
    client = api.client(api.key("rutland", "viewer"))
    await wait_listed(client, due_in_2)
    await wait_listed(client, due_today)

    def within(days: int) -> set[str]:
        return {due_today, due_in_2} & set(listed_refs(run, "--due-within", str(days)))

    assert within(0) == {due_today}
    assert within(1) == {due_today}
    assert within(2) == {due_today, due_in_2}

    async def api_within(days: int) -> set[str]:
        page = await client.get("/api/v1/cases", params={"due_within": days, "limit": 1000})
        return {due_today, due_in_2} & {c["case_ref"] for c in page.json()["cases"]}

    assert await api_within(0) == {due_today}
    assert await api_within(2) == {due_today, due_in_2}
    status = json.loads(ok(cli(run, "status", due_today, "--json")))
    assert status["next_due"] == today().isoformat()


def test_event_help_lists_kinds_and_fixed_values():
    result = subprocess.run(
        [sys.executable, "starter.py", "event", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    from ehcp.models import EVENT_KINDS
    from ehcp.vocabulary import OrderType

    for kind in EVENT_KINDS:
        assert f"  {kind}" in result.stdout, kind
    text = " ".join(result.stdout.split())  # argparse wraps help text
    for value in ("not_resolved", "partial_agreement", "partly_allowed", "away_from_area",
                  "appeal_dismissed", "mediation_completed", *OrderType):  # fmt: skip
        assert value in text, value


def test_api_keys_from_the_cli(tmp_path):
    """The key is made by a real `starter.py` process; the rest runs the CLI's `main` in this
    process (the same database file; no server involved)."""
    env = {**os.environ, "EHCP_DATABASE_URL": f"sqlite:///{tmp_path / 'keys.db'}"}

    def run(*args: str) -> CliRun:
        return run_in_process(["api-key", *args], env=env)

    made = subprocess.run(
        [sys.executable, "starter.py", "api-key", "create", "--council", "rutland",
         "--role", "caseworker", "--name", "CMS import"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[1]
    key_id, secret = token.split("_", 2)[1:]  # the secret itself may hold "_"
    listed = run("list")
    assert key_id in listed.stdout and "CMS import" in listed.stdout
    assert secret not in listed.stdout
    assert run("revoke", key_id).returncode == 0
    assert key_id not in run("list").stdout
    assert key_id in run("list", "--all").stdout
    gone = run("revoke", "0000abcd")
    assert gone.returncode == 1 and gone.stderr.startswith("error: no key 0000abcd")
