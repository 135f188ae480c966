"""API keys: made at random, shown once, stored as a hash, revocable; one council, one role.

A key reads `ehcp_<key_id>_<secret>`: `key_id` (8 hex) finds the record and may be shown in
lists and logs; `secret` (43 characters, 256 random bits) is stored only as its SHA-256 hash
(a slow hash adds nothing for a secret of this much entropy) and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from service.callers import Caller, Role
from store.db import session
from store.migrate import upgrade
from store.models import ApiKey

PREFIX = "ehcp"
_KEY = re.compile(r"^ehcp_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key (never its secret)."""

    key_id: str
    name: str
    council: str
    role: Role
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


def _utc(value: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes; every one stored here is UTC
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        row.key_id, row.name, row.council, Role(row.role), _utc(row.created_at), row.created_by,
        _utc(row.revoked_at),
    )  # fmt: skip


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_id_of(token: str) -> str | None:
    """The key id of something that looks like one of our keys (for logs), else None."""
    match = _KEY.match(token)
    return match[1] if match else None


class ApiKeys:
    """The key store at one database URL (migrated on first use)."""

    def __init__(self, url: str) -> None:
        self.url = url
        upgrade(url)

    def create(self, name: str, council: str, role: Role, created_by: str) -> tuple[str, KeyInfo]:
        """A new key: returns the full key (the only time it exists in clear) and its info."""
        key_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        row = ApiKey(
            key_id=key_id,
            secret_hash=_hash(secret),
            name=name,
            council=council,
            role=role.value,
            created_at=datetime.now(UTC),
            created_by=created_by,
        )
        with session(self.url) as s:
            s.add(row)
        return f"{PREFIX}_{key_id}_{secret}", _info(row)

    def list(self, council: str | None = None, include_revoked: bool = False) -> list[KeyInfo]:
        """Keys, oldest first; of one council when given."""
        query = select(ApiKey).order_by(ApiKey.created_at)
        if council is not None:
            query = query.where(ApiKey.council == council)
        if not include_revoked:
            query = query.where(ApiKey.revoked_at.is_(None))
        with session(self.url) as s:
            return [_info(row) for row in s.scalars(query)]

    def get(self, key_id: str, council: str | None = None) -> KeyInfo | None:
        with session(self.url) as s:
            row = s.get(ApiKey, key_id)
            if row is None or (council is not None and row.council != council):
                return None
            return _info(row)

    def revoke(self, key_id: str, council: str | None = None) -> KeyInfo | None:
        """Revoke a key (of `council` when given); None if there is no such key. Revoking a
        revoked key changes nothing."""
        with session(self.url) as s:
            row = s.get(ApiKey, key_id)
            if row is None or (council is not None and row.council != council):
                return None
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
            return _info(row)

    def authenticate(self, token: str) -> Caller | None:
        """The caller a key stands for; None for a malformed, unknown or revoked key."""
        match = _KEY.match(token)
        if not match:
            return None
        with session(self.url) as s:
            row = s.get(ApiKey, match[1])
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.secret_hash, _hash(match[2])):
                return None
            return Caller(name=row.name, role=Role(row.role), council=row.council)
