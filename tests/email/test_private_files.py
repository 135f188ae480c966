"""Issue 17, fault 4: the outbox and the sent ledger (a SQLite file) are readable by their
owner only, by construction (folders 0700, files 0600) even under a permissive umask;
provider hosts are https except loopback; SendGrid's own error text never reaches a log line."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from activities.outbox import OutboxSender
from activities.senders import build_senders
from activities.sendgrid_sender import SendGridSender
from ehcp.messages import render
from ehcp.settings import Settings
from ehcp.urls import provider_url
from security.files import private_dir, restrict_umask
from tests.email.cases import COUNCIL, parent_reminder
from tests.email.test_batch_faults import LAST, run_attempt
from tests.email.test_never_twice import settings_for
from tests.sendgrid_fake import TEST_API_KEY, Answer, FakeSendGrid


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022) that made 0644 files and 0755 folders before the fix."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def assert_private(root: Path) -> None:
    for name, mode in modes(root).items():
        expected = 0o700 if (root / name).is_dir() else 0o600
        assert mode == expected, f"{name}: {oct(mode)}"


def test_outbox_messages_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "data" / "outbox"
    sender = OutboxSender(folder, "from@example.gov.uk", "reply@example.gov.uk")
    n = parent_reminder()
    sender.send(n, render(n, COUNCIL))
    assert len(list(folder.glob("*.eml"))) == 1
    assert_private(tmp_path / "data")


def test_the_sent_ledger_database_file_is_owner_only(
    sendgrid: FakeSendGrid, tmp_path: Path, open_umask: None
) -> None:
    """The default SQLite ledger (EHCP_DATABASE_URL) and the folder made for it."""
    settings = settings_for(sendgrid, tmp_path, database_url=f"sqlite:///{tmp_path}/data/ehcp.db")
    primary, _ = build_senders(settings)
    sent, refused = parent_reminder("appeal", 7), parent_reminder("appeal", 2)
    primary.send(sent, render(sent, COUNCIL))
    sendgrid.script(Answer.error(400, "Bad request"))
    with pytest.raises(Exception):  # noqa: B017 - the refusal itself is tested elsewhere
        primary.send(refused, render(refused, COUNCIL))
    assert_private(tmp_path / "data")
    # the write-ahead log and its index (store/db.py) beside it, private as asserted above
    names = {p.name for p in (tmp_path / "data").iterdir()}
    assert "ehcp.db" in names <= {"ehcp.db", "ehcp.db-wal", "ehcp.db-shm"}


def test_an_existing_open_folder_is_narrowed(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o755)
    private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_restrict_umask_covers_files_others_create(tmp_path: Path, open_umask: None) -> None:
    old = restrict_umask()
    try:
        (tmp_path / "made-by-a-library.db").write_bytes(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "made-by-a-library.db").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "host",
    ["https://api.sendgrid.com", "https://eu.api.sendgrid.com/", "http://127.0.0.1:8025",
     "http://localhost:9", "http://[::1]:8080"],
)  # fmt: skip
def test_https_hosts_and_loopback_are_allowed(host: str) -> None:
    assert Settings(sendgrid_host=host).sendgrid_host == host.rstrip("/")


@pytest.mark.parametrize(
    ("host", "says"),
    [
        ("http://api.sendgrid.com", "uses http"),
        ("http://10.0.0.5", "uses http"),
        ("http://127.example.org", "uses http"),
        ("api.sendgrid.com", "is not a URL"),
        ("ftp://api.sendgrid.com", "is not a URL"),
        ("https://user:pw@api.sendgrid.com", "credentials"),
    ],
)
def test_other_hosts_are_refused_with_the_reason(host: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(sendgrid_host=host)
    assert "sendgrid_host" in str(refused.value) and says in str(refused.value)
    with pytest.raises(ValueError, match=says):
        SendGridSender(TEST_API_KEY, None, from_email="a@b.c", reply_to="a@b.c", host=host)
    with pytest.raises(ValueError, match=says):
        provider_url(host)


def test_sendgrid_s_error_text_stays_out_of_the_logs(
    sendgrid: FakeSendGrid, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    words = "Sender identity needs verification for secret-marker"
    settings = settings_for(sendgrid, tmp_path)
    batch = [parent_reminder("appeal", 7), parent_reminder("appeal", 2)]
    caplog.set_level(logging.DEBUG)
    sendgrid.script(Answer.error(500, words), Answer.error(403, words))
    with pytest.raises(ApplicationError) as retry:  # the SDK logs this error's message
        run_attempt(settings, batch, attempt=1)
    assert "secret-marker" not in retry.value.message
    sendgrid.script(Answer.error(500, words))
    outcomes = run_attempt(settings, batch, attempt=LAST)
    assert "secret-marker" in outcomes[0].failure  # kept for the (encrypted) case record
    assert outcomes[1].status_code == 403  # recorded in the ledger: not sent again
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "SendGrid 500 (server error)" in logged and "SendGrid 403 (forbidden" in logged
    assert "secret-marker" not in logged
