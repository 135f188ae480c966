"""What the pages share: the case operations (service.operations, on a Temporal client made on
first need) and the signed-in person as the operations' `Caller`."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request

from ehcp.uktime import london_date
from service.callers import Caller, Role
from service.operations import Cases
from web.auth import Staff


async def cases(request: Request) -> Cases:
    """The app's `Cases`; raises service.errors.Unavailable while Temporal is down."""
    holder = request.app.state.cases
    if holder is None:
        from api.deps import CasesHolder
        from ehcp.settings import Settings

        holder = request.app.state.cases = CasesHolder(Settings())
    return holder if isinstance(holder, Cases) else await holder.get()


def caller(staff: Staff) -> Caller:
    """The person as the operations know callers: their council and role from sign-in, and
    the name every event they record carries as `recorded_by`."""
    return Caller(name=recorded_by(staff), role=Role(staff.role), council=staff.council)


def recorded_by(staff: Staff) -> str:
    """'Alex Caseworker (alex.caseworker@rutland.gov.uk)', at most 100 characters."""
    text = (
        f"{staff.name} ({staff.email})" if staff.email and staff.email != staff.name else staff.name
    )
    return text if len(text) <= 100 else staff.name[:100]


def today() -> object:
    return london_date(datetime.now(UTC))
