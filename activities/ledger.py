"""The sent ledger: a durable record of which message keys the email provider accepted.

SendGrid's mail send has no idempotency key, so "never twice" is ours to keep. Two kinds of
small files live under the ledger folder, named by a hash of the message key:

- `sent/<name>.json`: created with O_CREAT | O_EXCL straight after SendGrid's 202, then
  fsynced. Its existence means "accepted": a retried activity, a replayed case or a restarted
  worker finds it and does not send again. Never rewritten, never deleted by the service.
- `attempts/<name>.json`: the attempt in progress (`sending`), or how the last one ended
  (`failed`: the provider refused it, safe to send again; `unknown`: no answer, e.g. a
  timeout; `accepted`: accepted, but the sent record could not be written yet). A retry reads
  it to decide: record and stop (`accepted`), wait (another attempt is `sending` right now), or
  send, with a warning when the last attempt may have been accepted after all.

Files hold the key (case reference, deadline, kind, role), times and SendGrid's message id:
no names, addresses or case details. Several hosts must share the folder (one volume, or
NFS); see docs/email.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

SENDING = "sending"
FAILED = "failed"
UNKNOWN = "unknown"
ACCEPTED = "accepted"


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
        self._sent.mkdir(parents=True, exist_ok=True)
        path = self.sent_path(key)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            return self.sent(key) or record
        try:
            os.write(fd, json.dumps(asdict(record)).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
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
        does anyone while a `sending` attempt is younger than `in_flight_s`). An `accepted`
        attempt is returned as it is: the caller records it and sends nothing.
        """
        self._attempts.mkdir(parents=True, exist_ok=True)
        path = self.attempt_path(key)
        while True:
            previous = self.attempt(key)
            if previous is not None:
                if previous.state == ACCEPTED:
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
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            except FileExistsError:  # someone else claimed it first
                continue
            try:
                os.write(fd, json.dumps(asdict(attempt)).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            return attempt, previous

    def _owns(self, attempt: Attempt) -> bool:
        current = self.attempt(attempt.key)
        return current is not None and (current.number, current.started_at) == (
            attempt.number,
            attempt.started_at,
        )

    def end(self, attempt: Attempt, state: str, message_id: str | None = None) -> None:
        """Record how an attempt ended (`failed`, `unknown` or `accepted`), unless another
        attempt has taken the key over meanwhile."""
        if not self._owns(attempt):
            return
        ended = Attempt(**{**asdict(attempt), "state": state, "message_id": message_id})
        _write_atomically(self.attempt_path(attempt.key), json.dumps(asdict(ended)).encode())

    def clear(self, attempt: Attempt) -> None:
        """Forget the attempt once the sent record is safely written."""
        if self._owns(attempt):
            with contextlib.suppress(FileNotFoundError):
                self.attempt_path(attempt.key).unlink()


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    with partial.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system allows it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
