"""A case's durable record (what outlives Temporal's retention) and how its personal data is
erased. Pure: no Temporal import, no database (store/case_records.py keeps it).

The workflow writes a `CaseRecord` at each accepted event (with the event's plan, since
patches-2026-12-record-with-plan: activities/planned_records.py) and at closure (with every
other change of its listed fields: stage, next deadline, overdue, notices, delivery
failures). The record holds exactly what the case's `status`, `timeline` and `case`
queries answer, so a closed case answers the same from the database after Temporal has
deleted its history.

Erasure keeps the record's shape (it must still answer `status` and `timeline`) and replaces
personal data with fixed stand-ins: names become "erased", email addresses
`erased@erased.invalid`-like placeholders, mobiles, notes, reasons and free-text summaries are
removed. Dates, stages, deadlines with their legal basis, event kinds and notice keys stay:
they are the anonymised record a council keeps.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ehcp.case_state import CaseState, is_overdue, next_due, nothing_pending
from ehcp.models import Case
from ehcp.payloads import CaseStatus, CaseTimeline
from ehcp.receipts import undelivered_reminders, warnings
from ehcp.uktime import london_date
from ehcp.vocabulary import Stage

#: what an erased name reads as
ERASED = "erased"
#: what an erased email address reads as (a reserved domain: nothing is ever sent to it)
ERASED_EMAIL = "erased@erased.example"
#: keys of free text that may hold anyone's personal data: removed (or emptied) on erasure
_FREE_TEXT = {"notes", "reasons"}
#: free text that a model requires: replaced by the stand-in
_REQUIRED_TEXT = {"summary", "recorded_by"}


class CaseRecord(BaseModel):
    """One case's record as the workflow writes it. `written_at` (UTC, the workflow's clock)
    and the last event's `seq` order the writes: the store never lets an older one replace a
    newer one (store/case_records.py)."""

    case: Case
    status: CaseStatus
    timeline: CaseTimeline
    written_at: datetime = Field(description="UTC instant of the write (workflow time)")

    @property
    def event_seq(self) -> int:
        """The sequence number of the last accepted event (0: none yet)."""
        return self.timeline.events[-1].seq if self.timeline.events else 0

    @property
    def closed(self) -> bool:
        return self.status.closed_reason is not None

    @property
    def closed_on(self) -> date | None:
        """UK date the case closed: the last event's date when an event closed it."""
        if not self.closed:
            return None
        if self.timeline.events:
            return self.timeline.events[-1].event.date
        return london_date(self.written_at)  # closed by itself: the day it was written


def case_status(case: Case, state: CaseState | None, now: datetime) -> CaseStatus:
    """What the workflow's `status` query answers at `now` (UTC): `case` as started gives the
    identity (reference, council, decision); `state` None while the first deadlines are
    being dated (`starting`)."""
    if state is None:
        return CaseStatus(
            case_ref=case.case_ref, council=case.council, decision_type=case.decision_type,
            decision_date=case.decision_date, starting=True, stage=Stage.decision,
            closed_reason=None, overdue=False, next_due=None, deadlines=[],
            reminders_sent=[], delivery_failures=[], events=0,
        )  # fmt: skip
    return CaseStatus(
        case_ref=case.case_ref,
        council=case.council,
        decision_type=case.decision_type,
        decision_date=case.decision_date,
        stage=state.stage,
        closed_reason=state.closed_reason,
        overdue=is_overdue(state),
        next_due=next_due(state),
        deadlines=list(state.deadlines.values()),
        reminders_sent=state.notices,
        delivery_failures=state.delivery_failures,
        events=len(state.timeline),
        nothing_pending=not state.closed and nothing_pending(state),
        warnings=warnings(state),
        not_reached=state.not_reached,
        undelivered_reminders=undelivered_reminders(state, now),
    )


def record_of(case: Case, state: CaseState, now: datetime) -> CaseRecord:
    """The record the workflow writes at `now` (UTC): the case with its corrected contacts,
    `case_status` (identity from `case` as started) and the timeline."""
    return CaseRecord(
        case=state.case,
        status=case_status(case, state, now),
        timeline=CaseTimeline(case_ref=case.case_ref, events=state.timeline),
        written_at=now,
    )


def _erase_contact(contact: dict[str, Any]) -> None:
    contact.update(name=ERASED, email=ERASED_EMAIL, mobile=None, contact_preference="email")


def _walk(value: Any, match) -> None:
    """Erase in place every contact (a dict with name and email) that `match` selects, and
    every free-text field, in the JSON form of a record."""
    if isinstance(value, dict):
        if "email" in value and "name" in value and match(value):
            _erase_contact(value)
        for key in list(value):
            if key in _FREE_TEXT and value[key] is not None:
                value[key] = None
            elif key in _REQUIRED_TEXT and isinstance(value[key], str):
                value[key] = ERASED
            else:
                _walk(value[key], match)
    elif isinstance(value, list):
        for item in value:
            _walk(item, match)


def anonymised(record: CaseRecord) -> CaseRecord:
    """The record with every person's data erased (retention, or a whole case's erasure):
    contacts, who recorded each event, notes, reasons and summaries, provider error text
    and warnings (which name readers). What remains: dates, stage, deadlines and their legal
    basis, event kinds, notice keys and outcomes."""
    data = record.model_dump(mode="json")
    _walk(data, lambda contact: True)
    status = data["status"]
    status["warnings"] = []
    for failure in status["delivery_failures"]:
        failure["reason"] = ERASED
    for reader in status["not_reached"]:
        reader["reason"] = ERASED
    return CaseRecord.model_validate(data)


def without_person(record: CaseRecord, email: str, name: str | None = None) -> CaseRecord | None:
    """The record without one person (an erasure request): each contact with this email
    address (case-insensitive) is erased, and so is the person's name wherever it appears in
    text (who recorded an event, notes, warnings). None when the person is not in it.

    A parent or second contact is the family the case is about: their erasure anonymises the
    whole record (notes and summaries speak of the child), as `anonymised` does."""
    target = email.strip().lower()
    data = record.model_dump(mode="json")
    found = _contacts(data, target)
    if not found:
        return None
    family = [data["case"].get("parent"), data["case"].get("second_contact")]
    if any(c and c["email"].lower() == target for c in family):
        return anonymised(record)
    names = {c["name"] for c in found} | ({name} if name else set())
    for contact in found:
        _erase_contact(contact)
    _replace_text(data, names)
    return CaseRecord.model_validate(data)


def _contacts(value: Any, email: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if isinstance(value.get("email"), str) and value["email"].lower() == email:
            found.append(value)
        for item in value.values():
            found += _contacts(item, email)
    elif isinstance(value, list):
        for item in value:
            found += _contacts(item, email)
    return found


def _replace_text(value: Any, names: set[str]) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _replace_text(item, names)
    elif isinstance(value, list):
        return [_replace_text(item, names) for item in value]
    elif isinstance(value, str):
        for name in names:
            if name and name != ERASED and name in value:
                value = value.replace(name, ERASED)
    return value
