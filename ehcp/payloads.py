"""Payloads between clients, the workflow and its activities (beyond the case and events)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from pydantic import BaseModel

from ehcp.bounds import STATE_LIMIT_BYTES
from ehcp.case_state import (
    CaseState,
    Deadline,
    DeliveryFailure,
    NoticeRecord,
    RecordedEvent,
    ReminderPolicy,
)
from ehcp.deadline import DeadlineSpec
from ehcp.delivery_state import NotReached
from ehcp.models import Case, Event
from ehcp.vocabulary import DecisionType, Stage


def workflow_id(case_ref: str) -> str:
    """One workflow per case: a second start of the same case is refused by the server."""
    return f"ehcp-case-{case_ref}"


class EventReceipt(BaseModel):
    """What `record_event` returns: the event's number in the timeline, the stage after it,
    and the deadlines it added or moved."""

    seq: int
    kind: str
    stage: Stage
    flags: list[str]
    deadlines: list[DeadlineSpec]  # added or moved by this event
    #: `event_digest` of the recorded event; None on receipts recorded before it existed
    digest: str | None = None


#: update ids whose receipts a case keeps across continue-as-new (the most recent ones)
KEPT_RECEIPTS = 1000


class PendingResend(BaseModel):
    """A message to send once more after a temporary failure (GOV.UK Notify), at `at` (an
    instant, UTC): carried over by continue-as-new, so a run that ends first does not lose it."""

    record: NoticeRecord
    at: datetime


class StartCase(BaseModel):
    case: Case
    #: carried over by continue-as-new; None on the first run
    state: CaseState | None = None
    #: continue-as-new once history reaches this many events (the SDK's suggestion also
    #: counts); tests set it low to prove state survives
    history_limit: int = 10_000
    #: the most a case's record may hold, in bytes of JSON (ehcp.bounds); tests set it low
    state_limit: int = STATE_LIMIT_BYTES
    #: update id -> receipt of the events recorded under it, oldest first, at most
    #: KEPT_RECEIPTS: an id reused on a later run gets its first receipt back
    receipts: dict[str, EventReceipt] = {}
    #: messages still to be sent once more when the previous run continued as new
    resends: list[PendingResend] = []


class CaseStart(BaseModel):
    """What the planner decides once, at the start: policy and the first deadlines."""

    policy: ReminderPolicy
    deadlines: list[DeadlineSpec]


class StartToPlan(BaseModel):
    """Input of the start's plan-and-record activity: the case as started, and the workflow's
    clock (UTC) at which the first state is made from the plan (the same instant in the
    workflow and in the record the activity writes)."""

    case: Case
    now: datetime


class PlannedStart(BaseModel):
    """The start's plan, and whether the record of the first state was written (False: the
    database could not take it; the workflow writes it itself at its next wake-up)."""

    start: CaseStart
    recorded: bool


class EventToPlan(BaseModel):
    """Input of an event's plan-and-record activity: the case's state before the event (the
    event already passed `check_event`), the event, and the workflow's clock (UTC) at which
    it is applied. `identity` is the case as started (the record's reference and decision)."""

    identity: Case
    state: CaseState
    event: Event
    now: datetime


class PlannedEvent(BaseModel):
    """An event's deadlines, and whether the record of the state after it was written."""

    deadlines: list[DeadlineSpec]
    recorded: bool


def event_digest(event: Event) -> str:
    """SHA-256 (hex) of the event's canonical JSON, ``recorded_by`` included.

    A receipt carries the digest of the event it recorded, so a client that reuses an event id
    (Temporal update id) can tell "my event, recorded before" from "a different event that
    already took this id" (compare with the digest of what it sent)."""
    return hashlib.sha256(event.model_dump_json().encode()).hexdigest()


class CaseStatus(BaseModel):
    case_ref: str
    council: str
    decision_type: DecisionType
    decision_date: date
    #: True for the moment between the start and the first deadlines being dated
    starting: bool = False
    stage: Stage
    closed_reason: str | None
    overdue: bool
    next_due: date | None
    deadlines: list[Deadline]
    reminders_sent: list[NoticeRecord]
    delivery_failures: list[DeliveryFailure]
    events: int
    #: "parent not reached: contact them another way (email failed)", one per reader
    warnings: list[str] = []
    not_reached: list[NotReached] = []
    #: due-day and 2-day reminders with no `delivered` report in time (ehcp/receipts.py)
    undelivered_reminders: list[str] = []
    #: True when the case is open but nothing is left to do or to wait for: no deadline
    #: pending, no missed duty still owed, no untimed route under way (close it, or record
    #: what happens next)
    nothing_pending: bool = False


class CaseTimeline(BaseModel):
    case_ref: str
    events: list[RecordedEvent]
