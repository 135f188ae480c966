"""Build case states the way the workflow does, for the unit tests (no Temporal).

The workflow plans the case's first deadlines, then for each event: `check_event` (its
update validator), `plan` (an activity) with the running order / recommendation / action
numbers, and `apply_event`. `CaseBuilder.record` does the same, with `now` at a fixed London
hour on the event's date unless told otherwise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from ehcp.calendar import WorkingDayCalendar
from ehcp.case_state import (
    CaseState,
    EventRejected,
    NoticeRecord,
    RecordedEvent,
    ReminderPolicy,
    apply_event,
    check_event,
    new_case_state,
    refresh_statuses,
)
from ehcp.deadline import DeadlineSpec
from ehcp.models import Case, Contact, Event, parse_event
from ehcp.notices import Notification, due_notices, next_wakeup
from ehcp.planning import PlanRequest, plan, request_for
from ehcp.uktime import london_date, london_to_utc

CAL = WorkingDayCalendar()

PARENT = Contact(name="Alex Parent", email="alex.parent@example.com")
SECOND = Contact(name="Sam Second", email="sam.second@example.com")
CASEWORKER = Contact(name="Casey Worker", email="casey.worker@rutland.gov.uk")
HEALTH = Contact(name="Hana Health", email="hana.health@icb.example.nhs.uk")
MANAGER = Contact(name="Morgan Manager", email="morgan.manager@rutland.gov.uk")

CASE_REF = "RUT-2026-0042"


def make_case(
    decision_type: str = "plan_content",
    decision_date: date = date(2026, 10, 1),
    **fields: Any,
) -> Case:
    data: dict[str, Any] = {
        "case_ref": CASE_REF,
        "decision_type": decision_type,
        "decision_date": decision_date,
        "parent": PARENT,
        "caseworker": CASEWORKER,
    }
    data.update(fields)
    return Case.model_validate(data)


def ev(kind: str, on: date, **fields: Any) -> Event:
    """An event, validated as the back office's JSON would be."""
    return parse_event({"kind": kind, "date": on.isoformat(), **fields})


def refusal(b: CaseBuilder, event: Event, today: date | None = None) -> str:
    """The whole message check_event refuses `event` with; the state must be untouched."""
    before = b.state.model_dump(mode="json")
    with pytest.raises(EventRejected) as caught:
        check_event(b.state, event, today or event.date)
    assert b.state.model_dump(mode="json") == before
    return str(caught.value)


def noon(on: date) -> datetime:
    """12:00 London time on `on`, as a UTC instant."""
    return london_to_utc(on, 12)


class CaseBuilder:
    """A case as the workflow would hold it after each accepted event."""

    def __init__(
        self,
        case: Case | None = None,
        *,
        created: datetime | None = None,
        policy: ReminderPolicy | None = None,
    ) -> None:
        self.case = case or make_case()
        self.created = created or noon(self.case.decision_date)
        self.policy = policy or ReminderPolicy(send_manager=MANAGER)
        specs = plan(PlanRequest(case=self.case), CAL)
        self.state: CaseState = new_case_state(self.case, self.policy, specs, self.created)
        self.last_specs: list[DeadlineSpec] = specs

    def check(self, event: Event, today: date | None = None) -> None:
        check_event(self.state, event, today or event.date)

    def record(self, event: Event, *, now: datetime | None = None) -> RecordedEvent:
        """Check, plan and apply one event; `now` defaults to noon London on its date."""
        now = now or noon(event.date)
        state = self.state
        check_event(state, event, london_date(now))
        self.last_specs = plan(request_for(state, event), CAL)
        return apply_event(state, event, self.last_specs, now)

    def add(self, kind: str, on: date, **fields: Any) -> RecordedEvent:
        return self.record(ev(kind, on, **fields))

    def refresh(self, today: date) -> bool:
        return refresh_statuses(self.state, today)

    def status(self, key: str) -> str:
        return self.state.deadlines[key].status.value

    def due(self, key: str) -> date:
        return self.state.deadlines[key].due

    # -- the clock, as the workflow's run loop drives it ---------------------------------

    def send(self, notices: list[Notification], at: datetime) -> None:
        """Record notices as sent, as the workflow does after its send activity."""
        self.state.notices += [
            NoticeRecord(
                key=n.key,
                deadline_key=n.deadline.key if n.deadline else None,
                kind=n.kind,
                role=n.role,
                sent_at=at,
                transport="test",
            )
            for n in notices
        ]

    def run_clock(self, start: datetime, until: datetime) -> list[tuple[datetime, Notification]]:
        """Wake as the workflow would from `start` to `until`: refresh statuses, send what
        is due, sleep until `next_wakeup`. Returns every (time, notice) sent, in order."""
        sent: list[tuple[datetime, Notification]] = []
        now = start
        while True:
            refresh_statuses(self.state, london_date(now))
            due = due_notices(self.state, now)
            self.send(due, now)
            sent += [(now, n) for n in due]
            wake = next_wakeup(self.state, now)
            if wake is None or wake > until:
                return sent
            assert wake > now, "next_wakeup must move forward"
            now = wake
