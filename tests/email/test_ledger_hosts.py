"""Issue 17, fault 1: "never twice" across hosts whose clocks disagree.

The sent ledger's leases use the database's clock: a worker whose host clock is 31 s ahead
(more than the 30 s lease) must neither take over an attempt still in flight on another host
nor send any key a second time. Before, with leases on each host's clock, host B took over
attempt after attempt that host A was still sending.

- Two worker processes ("hosts", one with EHCP_HOST_CLOCK_OFFSET_S=+31) race the same keys
  through the real SendGrid client against the stand-in, with a shared PostgreSQL ledger.
- A lease that ran out by the database's clock is taken over exactly once, however many
  attempts race for it; one that has not is not taken over by a host whose clock says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.exceptions import ApplicationError

from activities.hostclock import OFFSET_VARIABLE
from activities.senders import build_senders
from activities.sendgrid_sender import IN_PROGRESS
from ehcp.messages import render
from ehcp.settings import Settings
from store.db import session
from store.sent_ledger import SENDING, SENT, AttemptInFlight, SendAttempt, SentLedger
from tests.email.cases import COUNCIL, NOW, parent_reminder, race_sends
from tests.email.ledger_host import keys
from tests.sendgrid_fake import TEST_API_KEY, Answer, FakeSendGrid

ROOT = Path(__file__).resolve().parents[2]
KEYS = 30
SKEW_S = 31.0
#: every request is answered after this long, so the two hosts' attempts overlap
ANSWER_DELAY_S = 0.1
READY_TIMEOUT_S = 120


def start_host(database_url: str, sendgrid: FakeSendGrid, offset_s: float) -> subprocess.Popen:
    env = {**os.environ, OFFSET_VARIABLE: str(offset_s), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.email.ledger_host", database_url, sendgrid.url, str(KEYS)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_json(process: subprocess.Popen) -> dict:
    line = process.stdout.readline()
    if not line:
        raise AssertionError(f"host exited: {process.wait()} {process.stderr.read()}")
    return json.loads(line)


def test_two_hosts_with_skewed_clocks_never_send_a_key_twice(
    sendgrid: FakeSendGrid, postgres_url: str
) -> None:
    sendgrid.script(*[Answer.hang(ANSWER_DELAY_S) for _ in range(2 * KEYS)])
    hosts = {"A": start_host(postgres_url, sendgrid, 0.0)}
    ready = {"A": read_json(hosts["A"])}  # A migrates the database first
    hosts["B"] = start_host(postgres_url, sendgrid, SKEW_S)
    try:
        ready["B"] = read_json(hosts["B"])
        # the hook really moved B's clock (and not A's) relative to the database's
        assert abs(ready["A"]["clock_skew_s"]) < 2
        assert abs(ready["B"]["clock_skew_s"] - SKEW_S) < 2
        for process in hosts.values():
            process.stdin.write("go\n")
            process.stdin.flush()
        done = {name: read_json(p) for name, p in hosts.items()}
        for process in hosts.values():
            assert process.wait(timeout=READY_TIMEOUT_S) == 0, process.stderr.read()
    finally:
        for process in hosts.values():
            if process.poll() is None:
                process.kill()
                process.wait()

    attempted = [r.key for r in sendgrid.received]
    delivered = sendgrid.accepted_keys()
    expected = {n.key for n in keys(KEYS)}
    twice = [key for key, times in Counter(attempted).items() if times > 1]
    with session(postgres_url) as s:
        rows = list(s.scalars(select(SendAttempt)))
    by_host = Counter(row.holder.rsplit(":", 1)[1] for row in rows)
    skews = {round(row.holder_clock_skew_s or 0.0) for row in rows}
    print(
        f"\nskew test: {len(attempted)} sends attempted, {len(set(delivered))} keys delivered "
        f"({len(delivered)} accepted) for {KEYS} keys; waits on the other host: "
        f"A {done['A']['waits']}, B {done['B']['waits']}; winners by pid {dict(by_host)}"
    )
    assert twice == []
    assert set(attempted) == expected and len(attempted) == KEYS
    assert sorted(delivered) == sorted(expected)
    assert {row.state for row in rows} == {SENT}
    # B's claims carry its skew; the lease ignored it
    assert skews <= {0, round(SKEW_S)}


def _sender(sendgrid: FakeSendGrid, tmp_path: Path, database_url: str):
    settings = Settings(
        database_url=database_url,
        sendgrid_api_key=TEST_API_KEY,
        sendgrid_host=sendgrid.url,
        outbox_dir=tmp_path / "outbox",
    )
    return build_senders(settings)[0]


def test_a_lease_expired_by_the_database_clock_is_taken_over_exactly_once(
    sendgrid: FakeSendGrid, tmp_path: Path, database_url: str
) -> None:
    n = parent_reminder()
    email = render(n, COUNCIL, now=NOW)
    ledger = SentLedger(database_url)
    dead, _ = ledger.begin(n.key)  # a worker claimed the key and died mid-send
    ledger.expire_lease_now(n.key)  # ... and its lease ran out, by the database's clock
    release = threading.Event()
    sendgrid.script(Answer.held(release))  # the taker-over is in flight until the others end
    sender = _sender(sendgrid, tmp_path, database_url)
    outcomes = race_sends(sender.send, n, email, release)
    assert sendgrid.accepted_keys() == [n.key] and len(sendgrid.received) == 1
    assert outcomes.count(IN_PROGRESS) == 7
    after = ledger.attempt(n.key)
    assert (after.state, after.number, after.previous_state) == (SENT, dead.number + 1, SENDING)


def test_a_lease_alive_by_the_database_clock_is_not_taken_by_a_host_ahead(
    sendgrid: FakeSendGrid, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault itself: with leases on host clocks, a host 31 s ahead took over at once."""
    n = parent_reminder()
    ledger = SentLedger(database_url, lease_s=30.0)
    holder, _ = ledger.begin(n.key)  # host A is talking to SendGrid right now
    monkeypatch.setenv(OFFSET_VARIABLE, str(SKEW_S))  # this process is now host B
    with pytest.raises(AttemptInFlight) as busy:
        ledger.begin(n.key)
    assert 0 < busy.value.wait_s <= 30
    with pytest.raises(ApplicationError) as raised:
        _sender(sendgrid, tmp_path, database_url).send(n, render(n, COUNCIL, now=NOW))
    assert raised.value.type == IN_PROGRESS
    assert sendgrid.received == []
    assert ledger.attempt(n.key) == holder  # untouched
