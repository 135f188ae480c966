"""Hostile and malformed input through the back-office CLI (`python starter.py ...`): each
case through the CLI's `main` in this process, some also as a real process.

Every bad input must give exactly one stderr line starting with `error:`, a non-zero exit,
nothing on stdout and never a traceback. Input is checked before any connection: the CLI is
pointed at a listening socket that counts connections, and none may arrive. No Temporal
server is needed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cli.parser import MAX_ERROR_CHARS
from tests.cli_in_process import run_in_process

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.now(UTC).date()
FUTURE = (TODAY + timedelta(days=30)).isoformat()
PAST = (TODAY - timedelta(days=3)).isoformat()
MB = 1_000_000
NOT_AN_OBJECT = "an event must be a JSON object"


def case_json(**overrides) -> bytes:
    case = {
        "case_ref": "RUT-2026-0042",
        "decision_type": "plan_content",
        "decision_date": PAST,
        "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
        "caseworker": {"name": "Alex Caseworker", "email": "alex.cw@rutland.gov.uk"},
    }
    case.update(overrides)
    return json.dumps(case).encode()


def event_json(**fields) -> bytes:
    return json.dumps({"kind": "mediation_declined", "date": PAST, **fields}).encode()


@dataclass(frozen=True)
class Case:
    """argv after `starter.py`, bytes on stdin, and words the error line must contain."""

    argv: list[str]
    stdin: bytes = b""
    says: str = ""


EVENT = ["event", "RUT-2026-0042"]
EVENT_STDIN = [*EVENT, "--json", "-"]
START_STDIN = ["start", "--json", "-"]
CONTACT_UPDATED = [*EVENT, "contact_updated", "--date", PAST, "--role", "parent",
                   "--contact-name", "Sam", "--contact-email", "sam@example.org"]  # fmt: skip

CASES: dict[str, Case] = {
    # -- event: JSON on stdin ----------------------------------------------------------------
    "event-malformed-json": Case(EVENT_STDIN, b'{"kind": "mediation_declined", ', "not valid JSON"),
    "event-empty-stdin": Case(EVENT_STDIN, b"", "not valid JSON"),
    "event-json-array": Case(EVENT_STDIN, b"[1, 2, 3]", NOT_AN_OBJECT),
    "event-json-string": Case(EVENT_STDIN, b'"mediation_declined"', NOT_AN_OBJECT),
    "event-json-null": Case(EVENT_STDIN, b"null", NOT_AN_OBJECT),
    "event-json-number": Case(EVENT_STDIN, b"42", NOT_AN_OBJECT),
    "event-unknown-kind": Case(
        EVENT_STDIN,
        json.dumps({"kind": "mediation_teleported", "date": PAST}).encode(),
        "unknown event kind 'mediation_teleported'",
    ),
    "event-kind-not-a-string": Case(
        EVENT_STDIN,
        json.dumps({"kind": ["mediation_declined"], "date": PAST}).encode(),
        "unknown event kind",
    ),
    "event-huge-unknown-kind": Case(
        EVENT_STDIN,
        json.dumps({"kind": "x" * 500_000, "date": PAST}).encode(),
        "unknown event kind 'xxxx",
    ),
    "event-contact-landline": Case(
        [*CONTACT_UPDATED, "--contact-mobile", "01572 722577"],
        says="contact.mobile: a landline, which cannot receive text messages",
    ),
    "event-contact-text-without-mobile": Case(
        [*CONTACT_UPDATED, "--contact-preference", "text"], says="needs a mobile number"
    ),
    "event-missing-kind": Case(EVENT_STDIN, json.dumps({"date": PAST}).encode(), "kind: missing"),
    "event-missing-date": Case(
        EVENT_STDIN, b'{"kind": "mediation_declined"}', "date: required, but missing (give a value)"
    ),
    "event-missing-field": Case(
        EVENT_STDIN,
        event_json(kind="mediation_held"),
        "outcome: required, but missing (give a value)",
    ),
    "event-unknown-field": Case(
        EVENT_STDIN,
        event_json(surprise=1),
        "surprise: not a field here: remove it (allowed fields: date,",
    ),
    "event-wrong-type-date": Case(
        EVENT_STDIN,
        event_json(kind="hearing_listed", hearing_date=["2026-01-01"]),
        "hearing_date: this value is not a date (allowed: YYYY-MM-DD",
    ),
    "event-wrong-type-bool": Case(
        EVENT_STDIN,
        event_json(kind="mediation_requested", health_included="maybe"),
        "health_included: 'maybe' is not true or false (allowed: true, false)",
    ),
    "event-wrong-type-int": Case(
        EVENT_STDIN,
        event_json(kind="recommendation_response_sent", recommendation="first", followed=True),
        "recommendation: 'first' is not a whole number (allowed:",
    ),
    "event-bad-date-string": Case(
        EVENT_STDIN,
        event_json(date="2026-13-01"),
        "date: '2026-13-01' is not a date (allowed: YYYY-MM-DD",
    ),
    "event-future-date-json": Case(EVENT_STDIN, event_json(date=FUTURE), "is in the future"),
    # a fresh user's trial: "input: hearing_date must be on or after date"
    "event-hearing-before-listing": Case(
        EVENT_STDIN,
        event_json(kind="hearing_listed", date="2026-01-02", hearing_date="2026-01-01"),
        "hearing_date: the hearing date must be on or after the day it was listed",
    ),
    "event-far-hearing-date": Case(
        EVENT_STDIN,
        event_json(kind="hearing_listed", hearing_date="9999-12-31"),
        "more than 5 years after",
    ),
    "event-far-agreed-due": Case(
        EVENT_STDIN,
        event_json(
            kind="mediation_held",
            outcome="agreement",
            agreed_actions=[{"summary": "x", "agreed_due": "9999-12-31"}],
        ),
        "agreed_due 9999-12-31 is more than 5 years after",
    ),
    "event-huge-notes": Case(
        EVENT_STDIN, event_json(notes="n" * 900_000), "at most 2000 characters"
    ),
    "event-5mb-stdin": Case(EVENT_STDIN, event_json(notes="n" * 5 * MB), "larger than"),
    "event-binary-garbage": Case(EVENT_STDIN, bytes(range(256)) * 64, "not valid JSON"),
    "event-invalid-utf8": Case(EVENT_STDIN, b'{"kind": "\xff\xfe"}', "not valid JSON"),
    "event-lone-surrogate": Case(
        EVENT_STDIN,
        b'{"kind": "mediation_declined", "date": "' + PAST.encode() + b'", "notes": "\\ud800"}',
        "notes: '\\ud800' is not text (allowed: a JSON string)",
    ),
    "event-deeply-nested": Case(EVENT_STDIN, b"[" * 100_000, "JSON that cannot be read"),
    "event-huge-integer": Case(
        EVENT_STDIN,
        b'{"kind": "recommendation_response_sent", "recommendation": ' + b"9" * 5000 + b"}",
        "JSON that cannot be read",
    ),
    "event-nan": Case(
        EVENT_STDIN,
        b'{"kind": "mediation_declined", "date": NaN}',
        "date: nan is not a date (allowed: YYYY-MM-DD",
    ),
    # -- two ways of saying the same thing must agree (issue 10, fault 3) ---------------------
    "event-kind-arg-conflicts-with-json": Case(
        [*EVENT, "hearing_listed", "--json", "-"],
        event_json(),
        "the event says 'mediation_declined' but KIND says 'hearing_listed'",
    ),
    "event-flag-beside-json": Case(
        [*EVENT_STDIN, "--date", PAST], event_json(), "--date and --json both give the event"
    ),
    "start-flag-beside-json": Case(
        [*START_STDIN, "--case-ref", "RUT-2026-0043"],
        case_json(),
        "--case-ref and --json both give the case",
    ),
    # -- event: flags and files --------------------------------------------------------------
    "event-unknown-kind-arg": Case([*EVENT, "mediation_teleported"], says="unknown event kind"),
    "event-no-kind": Case(EVENT, says="give KIND"),
    "event-future-date-flag": Case(
        [*EVENT, "mediation_declined", "--date", FUTURE], says="is in the future"
    ),
    "event-impossible-date": Case(
        [*EVENT, "mediation_declined", "--date", "2026-02-30"], says="not a date: '2026-02-30'"
    ),
    "event-uk-style-date": Case(
        [*EVENT, "mediation_declined", "--date", "01/02/2026"], says="not a date"
    ),
    "event-newline-in-argument": Case(
        [*EVENT, "mediation_declined", "--date", "2026\n01-01"], says="not a date: '2026\\n01-01'"
    ),
    "event-far-meeting-flag": Case(
        [*EVENT, "way_forward_meeting_scheduled", "--date", PAST, "--meeting-date", "2262-01-01"],
        says="more than 5 years after",
    ),
    "event-bad-order-flag": Case(
        [*EVENT, "tribunal_decision", "--order", "banish"], says="unknown order type 'banish'"
    ),
    "event-bad-recommendation-flag": Case(
        [*EVENT, "tribunal_decision", "--recommendation-for", "education:more"],
        says="is not a recommendation",
    ),
    "event-negative-recommendation": Case(
        [*EVENT, "recommendation_response_sent", "--recommendation", "-1"],
        says="not a whole number",
    ),
    "event-missing-file": Case(
        [*EVENT, "--json", "/nonexistent/event.json"], says="cannot read /nonexistent/event.json"
    ),
    "event-directory-as-file": Case([*EVENT, "--json", "/"], says="cannot read /"),
    "event-dev-zero": Case([*EVENT, "--json", "/dev/zero"], says="larger than"),
    "event-bad-case-ref": Case(
        ["event", "rut 42", "mediation_declined"], says="not a case reference"
    ),
    "event-100kb-case-ref": Case(
        ["event", "R" * 100_000, "mediation_declined"], says="not a case reference"
    ),
    # -- start -------------------------------------------------------------------------------
    "start-malformed-json": Case(START_STDIN, b"{'case_ref': 'RUT-1-2'}", "not valid JSON"),
    "start-json-array": Case(START_STDIN, b"[]", "is not an object (allowed: a JSON object"),
    "start-missing-fields-json": Case(
        START_STDIN, b"{}", "case_ref: required, but missing (give a value)"
    ),
    "start-missing-flags": Case(
        ["start", "--case-ref", "RUT-2026-0042"], says="missing --decision-type"
    ),
    "start-future-decision": Case(START_STDIN, case_json(decision_date=FUTURE), "is in the future"),
    "start-bad-decision-date": Case(
        START_STDIN,
        case_json(decision_date="yesterday"),
        "decision_date: 'yesterday' is not a date (allowed: YYYY-MM-DD",
    ),
    "start-wrong-type-case-ref": Case(
        START_STDIN,
        case_json(case_ref=12345),
        "case_ref: 12345 is not text (allowed: a JSON string)",
    ),
    "start-bad-case-ref": Case(
        START_STDIN, case_json(case_ref="../../etc/passwd"), "is not a case reference"
    ),
    "start-unknown-decision-type": Case(
        START_STDIN,
        case_json(decision_type="refusal_to_smile"),
        "decision_type: 'refusal_to_smile' is not one of the allowed values (allowed:",
    ),
    "start-bad-email": Case(
        START_STDIN, case_json(parent={"name": "P", "email": "not-an-email"}), "parent.email"
    ),
    "start-council-not-configured": Case(
        START_STDIN,
        case_json(council="rutlnd"),
        "council: 'rutlnd' is not a council of this service (allowed: rutland)",
    ),
    "api-key-council-not-configured": Case(
        ["api-key", "create", "--council", "rutlnd", "--role", "viewer", "--name", "x"],
        says="argument --council: 'rutlnd' is not a council of this service (allowed: rutland)",
    ),
    "start-typo-field": Case(
        START_STDIN,
        case_json(decison_type="plan_content"),
        "decison_type: not a field here: remove it (allowed fields: case_ref,",
    ),
    "start-900kb-name": Case(
        START_STDIN,
        case_json(parent={"name": "N" * 900_000, "email": "p@example.org"}),
        "parent.name: too long (allowed: at most 100 characters)",
    ),
    "start-1mb-name": Case(
        START_STDIN, case_json(parent={"name": "N" * MB, "email": "p@example.org"}), "larger than"
    ),
    "start-100kb-name-flag": Case(
        [
            "start",
            "--case-ref",
            "RUT-2026-0042",
            "--decision-type",
            "plan_content",
            "--decision-date",
            PAST,
            "--parent-name",
            "N" * 100_000,
            "--parent-email",
            "p@example.org",
            "--caseworker-name",
            "C",
            "--caseworker-email",
            "c@rutland.gov.uk",
        ],
        says="parent.name: too long (allowed: at most 100 characters)",
    ),
    "start-bad-decision-type-flag": Case(
        ["start", "--decision-type", "nope"], says="unknown decision type 'nope'"
    ),
    "start-binary-garbage": Case(START_STDIN, b"\x00\x01\x02\xff" * 1000, "not valid JSON"),
    # -- status, timeline, list --------------------------------------------------------------
    "status-bad-case-ref": Case(["status", "RUT 42; DROP TABLE"], says="not a case reference"),
    "timeline-missing-case-ref": Case(["timeline"], says="the following arguments are required"),
    "list-negative-days": Case(["list", "--due-within", "-3"], says="not a whole number"),
    "list-huge-days": Case(["list", "--due-within", "9" * 30], says="days is too many"),
    "list-bad-stage": Case(["list", "--stage", "limbo"], says="unknown stage 'limbo'"),
    "list-bad-decision-type": Case(
        ["list", "--decision-type", "nope"], says="unknown decision type 'nope'"
    ),
    "list-bad-council": Case(["list", "--council", "Rut land"], says="is not a council code"),
    # -- api-key -----------------------------------------------------------------------------
    "api-key-bad-role": Case(
        ["api-key", "create", "--council", "rutland", "--role", "god", "--name", "x"],
        says="unknown role 'god'",
    ),
    "api-key-no-name": Case(
        ["api-key", "create", "--council", "rutland", "--role", "viewer"], says="--name"
    ),
    "api-key-control-in-name": Case(
        ["api-key", "create", "--council", "rutland", "--role", "viewer", "--name", "a\x07b"],
        says="is not a key name",
    ),
    "api-key-bad-id": Case(["api-key", "revoke", "../../x"], says="is not a key id"),
    # -- deadlines (never needs a server) ----------------------------------------------------
    "deadlines-no-date": Case(["deadlines"], says="--decision-date"),
    "deadlines-before-the-framework": Case(
        ["deadlines", "--decision-date", "2010-01-01"],
        says="argument --decision-date: 2010-01-01 is before 2014-09-01",
    ),
    "deadlines-bad-date": Case(["deadlines", "--decision-date", "2026-02-30"], says="not a date"),
    "deadlines-end-of-calendar": Case(
        ["deadlines", "--decision-date", "9999-12-31"], says="cannot work out deadlines"
    ),
    "deadlines-certificate-before-decision": Case(
        ["deadlines", "--decision-date", "2026-03-01", "--certificate-date", "2026-01-01"],
        says="argument --certificate-date",
    ),
    "deadlines-bad-order": Case(
        [
            "deadlines",
            "--decision-date",
            "2026-03-01",
            "--tribunal-decision-date",
            "2026-09-01",
            "--order",
            "banish",
        ],
        says="unknown order type",
    ),
    "deadlines-too-many-recommendations": Case(
        [
            "deadlines",
            "--decision-date",
            "2026-03-01",
            "--tribunal-decision-date",
            "2026-09-01",
            "--recommendations",
            "99999999",
        ],
        says="allowed: 0 to 20",
    ),
    "deadlines-too-many-orders": Case(
        [
            "deadlines",
            "--decision-date",
            "2026-03-01",
            "--tribunal-decision-date",
            "2026-09-01",
            "--order",
            *(["reconsider"] * 11),
        ],
        says="at most 10",
    ),
    "deadlines-negative-recommendations": Case(
        ["deadlines", "--decision-date", "2026-03-01", "--recommendations", "-1"],
        says="not a whole number",
    ),
    "deadlines-orders-without-decision": Case(
        ["deadlines", "--decision-date", "2026-03-01", "--order", "assess"],
        says="needs the tribunal decision date",
    ),
    # -- the command line itself -------------------------------------------------------------
    "no-command": Case([], says="required"),
    "unknown-command": Case(["delete-everything"], says="invalid choice"),
    "unknown-option": Case(
        ["status", "RUT-2026-0042", "--force"], says="unrecognized arguments: --force"
    ),
}


class Listener:
    """A TCP port that counts connections and hangs up at once (so a client that does
    connect fails fast instead of waiting for a gRPC answer)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    connections: int


def run_cli(case: Case, env: dict[str, str], listener: Listener) -> Run:
    before = listener.connections
    proc = subprocess.run(
        [sys.executable, "starter.py", *case.argv],
        input=case.stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        listener.connections - before,
    )


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def cli_env(listener: Listener, tmp_path_factory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHCP_")}
    env["EHCP_TEMPORAL_ADDRESS"] = listener.address
    env["EHCP_OUTBOX_DIR"] = str(tmp_path_factory.mktemp("outbox"))
    return env


#: cases also run as a real `python starter.py` process: big stdin and argv through real
#: pipes, bytes that are not UTF-8, argparse's own exit
REAL_PROCESS = [
    "event-5mb-stdin",
    "event-invalid-utf8",
    "event-100kb-case-ref",
    "start-1mb-name",
    "no-command",
]


def run_in_this_process(case: Case, env: dict[str, str], listener: Listener) -> Run:
    before = listener.connections
    run = run_in_process(case.argv, case.stdin, env)
    return Run(run.returncode, run.stdout, run.stderr, listener.connections - before)


@pytest.fixture(scope="module")
def results(cli_env: dict[str, str], listener: Listener) -> dict[str, Run]:
    """Every case through the CLI's `main` in this process (a fresh interpreter per case
    costs ~0.5 s of imports); REAL_PROCESS below runs some as real processes too.
    Connections are counted over the whole batch; see test_no_bad_input_reaches_the_network."""
    return {name: run_in_this_process(c, cli_env, listener) for name, c in CASES.items()}


@pytest.fixture(scope="module")
def process_results(cli_env: dict[str, str], listener: Listener) -> dict[str, Run]:
    """The REAL_PROCESS cases as `python starter.py` processes, two at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda name: run_cli(CASES[name], cli_env, listener), REAL_PROCESS)
        return dict(zip(REAL_PROCESS, runs, strict=True))


def assert_one_error_line(run: Run, case: Case) -> None:
    lines = run.stderr.splitlines()
    assert "Traceback" not in run.stderr + run.stdout, run.stderr[-3000:]
    assert len(lines) == 1, f"{len(lines)} stderr lines: {run.stderr[:2000]!r}"
    assert lines[0].startswith("error: "), lines[0][:500]
    assert len(lines[0]) <= len("error: ") + MAX_ERROR_CHARS
    assert case.says in lines[0], lines[0][:1000]
    assert run.returncode != 0
    assert run.stdout == ""


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gives_one_error_line(name: str, results: dict[str, Run]):
    assert_one_error_line(results[name], CASES[name])


@pytest.mark.parametrize("name", REAL_PROCESS)
def test_a_real_process_gives_the_same_one_line(
    name: str, process_results: dict[str, Run], results: dict[str, Run]
):
    run = process_results[name]
    assert_one_error_line(run, CASES[name])
    assert (run.returncode, run.stderr) == (results[name].returncode, results[name].stderr)


def test_no_bad_input_reaches_the_network(
    results: dict[str, Run], process_results: dict[str, Run], listener: Listener
):
    assert listener.connections == 0, (
        "the CLI connected to Temporal for input it should have refused first"
    )


def test_good_input_does_reach_the_network(cli_env: dict[str, str], listener: Listener, results):
    """The control: the same CLI with valid input does try the configured address (so the
    zero above means something), and still fails in one line when the server is not there."""
    env = {
        **cli_env,
        "EHCP_CODEC_KEYS": "test:" + "A" * 43 + "=",  # 32 zero bytes, base64
        "EHCP_CODEC_CURRENT_KEY": "test",
    }
    run = run_cli(Case([*EVENT, "mediation_declined", "--date", PAST]), env, listener)
    lines = run.stderr.splitlines()
    assert run.connections >= 1, run.stderr
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach Temporal"), run.stderr
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
