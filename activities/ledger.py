"""The sent ledger: a durable record of which message keys the email provider accepted.

SendGrid's mail send has no idempotency key, so "never twice" is ours to keep. Two kinds of
small files live under the ledger folder, named by a hash of the message key:

- `sent/<name>.json`: created with O_CREAT | O_EXCL straight after SendGrid's 202, then
  fsynced. Its existence means "accepted": a retried activity, a replayed case or a restarted
  worker finds it and does not send again. Never rewritten, never deleted by the service.
- `attempts/<name>.json`: the attempt in progress (`sending`), or how the last one ended
  (`failed`: the provider said no for now (5xx, 429), safe to send again; `refused`: the
  provider refused it for good (400, 401, 403, 413...), never sent again under this key;
  `unknown`: no answer, e.g. a timeout; `accepted`: accepted, but the sent record could not be
  written yet). A retry reads it to decide: record and stop (`accepted`), report the recorded
  refusal and stop (`refused`), wait (another attempt is `sending` right now), or send, with a
  warning when the last attempt may have been accepted after all.

Files hold the key (case reference, deadline, kind, role), times, SendGrid's message id and,
for a refusal, its status code: no names, addresses, case details or provider error text.
Folders are 0700 and files 0600 (security/files.py). Several hosts must share the folder
(one volume, or NFS); see docs/email.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from security.files import create_private, private_dir, replace_private

SENDING = "sending"
FAILED = "failed"
UNKNOWN = "unknown"
ACCEPTED = "accepted"
REFUSED = "refused"
#: how an earlier attempt ended that settles the key: no new attempt is made
SETTLED = (ACCEPTED, REFUSED)


@dataclass(frozen=True)
class SentRecord:
    key: str
    message_id: str | None
    transport: str
    sent_at: float


@dataclass(frozen=True)
class Attempt:
    key: str
    state: str
    number: int
    started_at: float
    host: str
    pid: int
    message_id: str | None = None
    #: the provider's HTTP status for a `refused` attempt
    status_code: int | None = None

    def age(self, now: float | None = None) -> float:
        return (now if now is not None else time.time()) - self.started_at


class AttemptInFlight(Exception):
    """Another attempt for this key started moments ago and may still be talking to SendGrid."""

    def __init__(self, attempt: Attempt, wait_s: float) -> None:
        super().__init__(f"another attempt (#{attempt.number}) is in progress")
        self.attempt = attempt
        self.wait_s = wait_s


def file_name(key: str) -> str:
    readable = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in key)[:100]
    return f"{readable}.{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


class SentLedger:
    def __init__(self, folder: Path, in_flight_s: float = 60.0) -> None:
        """`in_flight_s`: how long a `sending` attempt is taken to be alive (the activity's
        start-to-close timeout); after that it is a crashed attempt and may be taken over."""
        self.folder = folder
        self.in_flight_s = in_flight_s
        self._sent = folder / "sent"
        self._attempts = folder / "attempts"

    # -- sent records ------------------------------------------------------------------------

    def sent_path(self, key: str) -> Path:
        return self._sent / file_name(key)

    def sent(self, key: str) -> SentRecord | None:
        path = self.sent_path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return SentRecord(**json.loads(raw))
        except (ValueError, TypeError):
            # Created but not fully written (a crash mid-write): it was still accepted.
            return SentRecord(key=key, message_id=None, transport="unknown", sent_at=0.0)

    def record_sent(self, key: str, message_id: str | None, transport: str) -> SentRecord:
        """Write the sent record once (O_EXCL); a record already there wins."""
        record = SentRecord(key, message_id, transport, time.time())
        private_dir(self._sent)
        try:
            create_private(self.sent_path(key), json.dumps(asdict(record)).encode())
        except FileExistsError:
            return self.sent(key) or record
        _fsync_dir(self._sent)
        return record

    # -- attempts ----------------------------------------------------------------------------

    def attempt_path(self, key: str) -> Path:
        return self._attempts / file_name(key)

    def attempt(self, key: str) -> Attempt | None:
        path = self.attempt_path(key)
        try:
            return Attempt(**json.loads(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):  # being written right now, or cut short by a crash
            with contextlib.suppress(OSError):
                return Attempt(key, SENDING, 0, path.stat().st_mtime, "?", 0)
            return None

    def begin(self, key: str) -> tuple[Attempt, Attempt | None]:
        """Claim the key for a new attempt (`sending`); return it and the one before, if any.

        Exactly one of several concurrent callers wins: the others raise AttemptInFlight (as
        does anyone while a `sending` attempt is younger than `in_flight_s`). An `accepted` or
        `refused` attempt is returned as it is: the caller records it (or reports the refusal)
        and sends nothing.
        """
        private_dir(self._attempts)
        path = self.attempt_path(key)
        while True:
            previous = self.attempt(key)
            if previous is not None:
                if previous.state in SETTLED:
                    return previous, previous
                if previous.state == SENDING and previous.age() < self.in_flight_s:
                    raise AttemptInFlight(previous, self.in_flight_s - previous.age())
                # Ended (or its worker died): take it over. One renamer wins.
                retired = path.with_name(f".{path.name}.{uuid.uuid4().hex}.retired")
                try:
                    os.rename(path, retired)
                except FileNotFoundError:
                    continue
                retired.unlink()
            number = (previous.number if previous else 0) + 1
            attempt = Attempt(key, SENDING, number, time.time(), socket.gethostname(), os.getpid())
            try:
                create_private(path, json.dumps(asdict(attempt)).encode())
            except FileExistsError:  # someone else claimed it first
                continue
            return attempt, previous

    def _owns(self, attempt: Attempt) -> bool:
        current = self.attempt(attempt.key)
        return current is not None and (current.number, current.started_at) == (
            attempt.number,
            attempt.started_at,
        )

    def end(
        self,
        attempt: Attempt,
        state: str,
        message_id: str | None = None,
        status_code: int | None = None,
    ) -> None:
        """Record how an attempt ended (`failed`, `unknown`, `accepted`, or `refused` with the
        provider's status code), unless another attempt has taken the key over meanwhile."""
        if not self._owns(attempt):
            return
        ended = dataclasses.replace(
            attempt, state=state, message_id=message_id, status_code=status_code
        )
        replace_private(self.attempt_path(attempt.key), json.dumps(asdict(ended)).encode())

    def refusal(self, key: str) -> Attempt | None:
        """The recorded permanent refusal of `key`, if an earlier attempt got one."""
        attempt = self.attempt(key)
        return attempt if attempt is not None and attempt.state == REFUSED else None

    def clear(self, attempt: Attempt) -> None:
        """Forget the attempt once the sent record is safely written."""
        if self._owns(attempt):
            with contextlib.suppress(FileNotFoundError):
                self.attempt_path(attempt.key).unlink()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system allows it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
