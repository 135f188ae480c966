"""Who is calling, and what each role may do. Every operation checks its permission here."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum

from service.errors import Forbidden


class Role(StrEnum):
    """An API key's role: viewer reads; caseworker also starts cases and records events;
    manager also creates and revokes its own council's keys."""

    viewer = "viewer"
    caseworker = "caseworker"
    manager = "manager"


class Permission(StrEnum):
    read = "read"
    start = "start"
    record_event = "record_event"
    manage_keys = "manage_keys"
    #: erase personal data from case records (a subject's erasure request)
    erase = "erase"


ALLOWED: dict[Role, frozenset[Permission]] = {
    Role.viewer: frozenset({Permission.read}),
    Role.caseworker: frozenset({Permission.read, Permission.start, Permission.record_event}),
    Role.manager: frozenset(Permission),
}


@dataclass(frozen=True)
class Caller:
    """An authenticated caller. `council` None means every council (an operator at the CLI,
    who holds the Temporal credentials anyway); `name` is what events record as recorded_by."""

    name: str
    role: Role | None
    council: str | None
    #: the operator at the CLI: every permission, every council
    operator: bool = False

    def require(self, permission: Permission) -> None:
        """Raises Forbidden unless the caller's role allows `permission`."""
        if self.operator:
            return
        if self.role is None or permission not in ALLOWED[self.role]:
            what = permission.value.replace("_", " ")
            roles = ", ".join(r for r in Role if permission in ALLOWED[r])
            raise Forbidden(f"a {self.role} key cannot {what} (allowed for: {roles})")

    def sees(self, council: str | None) -> bool:
        """Whether a case of `council` exists for this caller at all."""
        return self.council is None or council == self.council


def operator(name: str | None = None) -> Caller:
    """The CLI's caller: `cli:<os user>` unless a name is given."""
    if name is None:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (a bare container user)
            user = "unknown"
        name = f"cli:{user}"
    return Caller(name=name, role=None, council=None, operator=True)
