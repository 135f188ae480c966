"""One simulated worker host for tests/email/test_ledger_hosts.py, run as its own process:

    python -m tests.email.ledger_host DATABASE_URL SENDGRID_URL KEYS

It builds the senders exactly as worker.py does (the sent ledger in DATABASE_URL, SendGrid
at SENDGRID_URL), prints `ready` with how far its clock is from the database's, waits for a
`go` line on stdin, then sends KEYS messages (the same keys on every host, in the same order)
as Temporal's retries would: a message another host holds (`DeliveryInProgress`) is tried
again until it is settled. Its host clock is whatever EHCP_HOST_CLOCK_OFFSET_S makes it.
Last line: a JSON summary (how often it found a key held by the other host).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from tempfile import mkdtemp

from sqlalchemy import select
from temporalio.exceptions import ApplicationError

from activities.hostclock import host_time
from activities.senders import build_senders
from activities.sendgrid_sender import IN_PROGRESS
from ehcp.messages import render
from ehcp.settings import Settings
from store.db import session
from store.sent_ledger import db_epoch
from tests.email.cases import COUNCIL, NOW, parent_reminder
from tests.sendgrid_fake import TEST_API_KEY

#: a message still held by the other host after this long is a test failure, not a wait
GIVE_UP_S = 60.0


def keys(count: int) -> list:
    n = parent_reminder()
    return [n.model_copy(update={"key": f"{n.key}/host-race/{i}"}) for i in range(count)]


def main(database_url: str, sendgrid_url: str, count: int) -> int:
    settings = Settings(
        database_url=database_url,
        sendgrid_api_key=TEST_API_KEY,
        sendgrid_host=sendgrid_url,
        outbox_dir=Path(mkdtemp(prefix="ehcp-host-outbox-")),
    )
    sender, _ = build_senders(settings)
    email = render(parent_reminder(), COUNCIL, now=NOW)
    with session(database_url) as s:
        skew = host_time() - s.execute(select(db_epoch())).scalar_one()
    print(json.dumps({"ready": True, "clock_skew_s": round(skew, 3)}), flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    waits = 0
    for n in keys(count):
        deadline = time.monotonic() + GIVE_UP_S
        while True:
            try:
                sender.send(n, email)
                break
            except ApplicationError as error:
                if error.type != IN_PROGRESS or time.monotonic() > deadline:
                    raise
                waits += 1
                time.sleep(0.01)  # Temporal's retry, compressed: the lease holder finishes
    print(json.dumps({"done": True, "waits": waits}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
