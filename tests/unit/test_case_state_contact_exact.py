"""`contact_updated` applied to the case, asserted whole (ehcp/case_state.py; issue 19):
the new details replace the role's, and only that reader's "not reached" warnings go
(a health contact's warnings are filed under the reader role `health`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ehcp.delivery_state import NotReached
from ehcp.models import Contact
from tests.unit.casebuilder import CaseBuilder

ON = date(2026, 10, 5)
SINCE = datetime(2026, 10, 2, 9, tzinfo=UTC)
NEW = Contact(name="New Name", email="new@example.org")


def _warning(role: str, channel: str = "email") -> NotReached:
    return NotReached(
        role=role, channel=channel, key=f"k/{role}/{channel}", since=SINCE, reason="bounced"
    )


def _builder() -> CaseBuilder:
    b = CaseBuilder()
    b.state.not_reached = [
        _warning("parent"),
        _warning("health"),
        _warning("health", "sms"),
        _warning("caseworker"),
    ]
    return b


def test_a_new_health_contact_clears_the_health_readers_warnings_only() -> None:
    b = _builder()
    b.add("contact_updated", ON, role="health_contact", contact=NEW.model_dump())
    assert b.state.case.health_contact == NEW
    assert [(r.role, r.channel) for r in b.state.not_reached] == [
        ("parent", "email"),
        ("caseworker", "email"),
    ]


@pytest.mark.parametrize("role", ["parent", "caseworker"])
def test_new_details_for_a_reader_clear_that_readers_warnings_only(role: str) -> None:
    b = _builder()
    before = b.state.case.model_copy()
    b.add("contact_updated", ON, role=role, contact=NEW.model_dump())
    assert getattr(b.state.case, role) == NEW
    assert b.state.case == before.model_copy(update={role: NEW})
    left = [r.role for r in b.state.not_reached]
    assert left == [r for r in ["parent", "health", "health", "caseworker"] if r != role]
