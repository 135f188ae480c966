"""The three systems under load, behind one interface: how to start a quiet case, start a case
due at T0, send one event, and recognise its emails at the sink.

Ours is driven through the real client with the real data converter (pydantic + AES-GCM);
the baseline through a plain client with the default converter.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, Protocol

from temporalio.client import Client
from temporalio.converter import DataConverter

from activities.names import PLAN_AND_RECORD_START
from bench.baseline import PLAN, BaselineEvent, BaselineStart, BaselineWorkflow
from ehcp import planning
from ehcp.calendar import WorkingDayCalendar
from ehcp.models import Case, parse_event
from ehcp.notices import slot_seconds
from ehcp.payloads import EventReceipt, StartCase, workflow_id
from ehcp.settings import Settings
from ehcp.uktime import london_date, london_offset
from ehcp.vocabulary import Party
from security.codec import EncryptionCodec
from security.converter import data_converter
from security.keys import Keyring
from workflows import search_attributes
from workflows.disagreement import DisagreementWorkflow

#: a repeatable event; its meeting date moves on per event (an equal event is refused)
EVENT_KIND = "way_forward_meeting_scheduled"
#: meetings this many days ahead or more: no reminder (offsets 14, 7, 2, 0) falls today
MEETING_LEAD_DAYS = 15
#: a quiet baseline workflow sleeps about as long as a quiet case of ours (first reminder)
QUIET_WAKE = timedelta(days=40)
KEY_ID = "bench"


class System(Protocol):
    name: str
    #: the activity that plans a start; the driver counts its completions
    plan_activity: str
    #: emails one due case sends at T0
    emails_per_due_case: int

    async def connect(self, address: str) -> Client: ...
    def worker_env(self, sink_url: str, folder: str) -> dict[str, str]: ...
    def worker_args(self, sink_url: str) -> list[str]: ...

    #: seconds over which due cases are spread after T0, each at its case's slot
    spread_s: int

    def reminder_env(self, t0: datetime) -> dict[str, str]: ...
    def due_at(self, custom_args: dict[str, Any], t0: datetime) -> float: ...
    def prepare_due(self, t0: datetime) -> None: ...
    async def start_quiet(self, client: Client, task_queue: str, n: int) -> None: ...
    async def start_due(self, client: Client, task_queue: str, n: int, t0: datetime) -> None: ...
    async def send_event(self, client: Client, n: int, k: int) -> None: ...
    def due_id(self, n: int) -> str: ...
    def message_owner(self, custom_args: dict[str, Any]) -> str | None: ...


def london_today() -> date:
    return london_date(datetime.now(UTC))


def event_fields(k: int) -> dict[str, Any]:
    """The k-th event on one case (k = 0, 1, ...): a different meeting date each time."""
    today = london_today()
    return {
        "kind": EVENT_KIND,
        "date": today.isoformat(),
        "meeting_date": (today + timedelta(days=MEETING_LEAD_DAYS + k)).isoformat(),
    }


# -- ours --------------------------------------------------------------------------------------


def case_dict(case_ref: str, decision_date: date) -> dict[str, Any]:
    """Parent and caseworker only: one reader per parent deadline."""
    return {
        "case_ref": case_ref,
        "decision_type": "plan_content",
        "decision_date": decision_date.isoformat(),
        "parent": {"name": "Sam Parent", "email": "sam.parent@example.org"},
        "caseworker": {"name": "Alex Caseworker", "email": "alex.caseworker@rutland.gov.uk"},
    }


@dataclass(frozen=True)
class DueChoice:
    decision_date: date
    #: emails a case decided then sends on the target day (one: the parent's, listing each
    #: deadline due; one email per reader per wake-up)
    emails: int


@cache
def choose_due_decision(target: date, offsets: tuple[int, ...]) -> DueChoice:
    """The latest decision date whose first deadlines put a reminder on `target` with none of
    them due before it: pure planning, the same the worker does at start."""
    calendar = WorkingDayCalendar.from_settings(Settings())
    for back in range(1, 400):
        decided = target - timedelta(days=back)
        case = Case.model_validate(case_dict("BENCH-PLAN-1", decided))
        specs = planning.plan(planning.PlanRequest(case=case), calendar)
        if any(s.due < target for s in specs):
            break  # earlier decisions only make it worse: deadlines already past
        hits = [s for s in specs if (s.due - target).days in offsets]
        if hits and all(s.party == Party.parent for s in hits):
            # one email per reader per wake-up, listing every deadline due: the parent's one
            return DueChoice(decided, 1)
    raise RuntimeError(f"no decision date puts a reminder on {target} (offsets {offsets})")


class Ours:
    name = "ours"

    def __init__(self) -> None:
        self.plan_activity = PLAN_AND_RECORD_START
        self.key = base64.b64encode(os.urandom(32)).decode()
        self.offsets = tuple(Settings().reminder_offsets)
        self.emails_per_due_case = 0
        self.spread_s = 0
        self._due: DueChoice | None = None

    async def connect(self, address: str) -> Client:
        keyring = Keyring(KEY_ID, {KEY_ID: base64.b64decode(self.key)}, "bench")
        return await Client.connect(address, data_converter=data_converter(keyring))

    def worker_env(self, sink_url: str, folder: str) -> dict[str, str]:
        return {
            "EHCP_CODEC_KEYS": f"{KEY_ID}:{self.key}",
            "EHCP_CODEC_CURRENT_KEY": KEY_ID,
            "EHCP_SENDGRID_API_KEY": "SG.bench-not-a-key",
            "EHCP_SENDGRID_HOST": sink_url,
            "EHCP_DATABASE_URL": "sqlite:///" + os.path.join(folder, "ehcp.db"),
            "EHCP_OUTBOX_DIR": os.path.join(folder, "outbox"),
        }

    def worker_args(self, sink_url: str) -> list[str]:
        return []

    def reminder_env(self, t0: datetime) -> dict[str, str]:
        """Reminders go out at this London time of day in cases started from now on, each
        case at its own second of the spread after it (EHCP_REMINDER_SPREAD_S; 0: all at
        once). The baseline wakes at the very same seconds."""
        local = t0 + london_offset(t0)
        return {
            "EHCP_REMINDER_TIME": local.strftime("%H:%M:%S"),
            "EHCP_REMINDER_SPREAD_S": str(self.spread_s),
        }

    def due_at(self, custom_args: dict[str, Any], t0: datetime) -> float:
        """When the case was due to send: T0 plus its slot, as the workflow computes it."""
        return t0.timestamp() + slot_seconds(custom_args.get("case_ref", ""), self.spread_s)

    def prepare_due(self, t0: datetime) -> None:
        self._due = choose_due_decision(london_date(t0), self.offsets)
        self.emails_per_due_case = self._due.emails

    async def start_quiet(self, client: Client, task_queue: str, n: int) -> None:
        # Decided today: the first reminder is weeks away, nothing is due or overdue.
        await self._start(client, task_queue, f"BENCH-{n:07d}", london_today())

    async def start_due(self, client: Client, task_queue: str, n: int, t0: datetime) -> None:
        assert self._due is not None, "prepare_due first"
        await self._start(client, task_queue, self.due_ref(n), self._due.decision_date)

    @staticmethod
    def due_ref(n: int) -> str:
        return f"BENCH-DUE-{n:07d}"

    def due_id(self, n: int) -> str:
        return workflow_id(self.due_ref(n))

    async def _start(self, client: Client, task_queue: str, ref: str, decided: date) -> None:
        case = Case.model_validate(case_dict(ref, decided))
        await client.start_workflow(
            DisagreementWorkflow.run,
            StartCase(case=case),
            id=workflow_id(case.case_ref),
            task_queue=task_queue,
            search_attributes=search_attributes.start_attributes(case),  # as service/ starts
        )

    async def send_event(self, client: Client, n: int, k: int) -> None:
        handle = client.get_workflow_handle(workflow_id(f"BENCH-{n:07d}"))
        event = parse_event(event_fields(k))
        await handle.execute_update(
            DisagreementWorkflow.record_event, event, result_type=EventReceipt
        )

    def message_owner(self, custom_args: dict[str, Any]) -> str | None:
        ref = custom_args.get("case_ref")
        return workflow_id(ref) if ref else None


# -- baseline ------------------------------------------------------------------------------


class Baseline:
    name = "baseline"
    plan_activity = PLAN

    def __init__(self) -> None:
        self.emails_per_due_case = 1
        self.spread_s = 0

    async def connect(self, address: str) -> Client:
        return await Client.connect(address)

    def worker_env(self, sink_url: str, folder: str) -> dict[str, str]:
        return {}

    def worker_args(self, sink_url: str) -> list[str]:
        return ["--sendgrid-host", sink_url]

    def reminder_env(self, t0: datetime) -> dict[str, str]:
        return {}

    def prepare_due(self, t0: datetime) -> None:
        # The same emails per due case as ours, worked out the same pure way.
        offsets = tuple(Settings().reminder_offsets)
        self.emails_per_due_case = choose_due_decision(london_date(t0), offsets).emails

    async def start_quiet(self, client: Client, task_queue: str, n: int) -> None:
        wake = (datetime.now(UTC) + QUIET_WAKE).timestamp()
        await client.start_workflow(
            BaselineWorkflow.run, BaselineStart([wake]), id=f"base-{n:07d}", task_queue=task_queue
        )

    async def start_due(self, client: Client, task_queue: str, n: int, t0: datetime) -> None:
        # The same second as our n-th due case: the same load, spread the same way.
        wake = t0.timestamp() + slot_seconds(Ours.due_ref(n), self.spread_s)
        start = BaselineStart([wake], self.emails_per_due_case)
        await client.start_workflow(
            BaselineWorkflow.run, start, id=self.due_id(n), task_queue=task_queue
        )

    def due_id(self, n: int) -> str:
        return f"base-due-{n:07d}"

    async def send_event(self, client: Client, n: int, k: int) -> None:
        handle = client.get_workflow_handle(f"base-{n:07d}")
        await handle.execute_update(
            BaselineWorkflow.record, BaselineEvent(**event_fields(k)), result_type=int
        )

    def message_owner(self, custom_args: dict[str, Any]) -> str | None:
        return custom_args.get("workflow_id")

    def due_at(self, custom_args: dict[str, Any], t0: datetime) -> float:
        return float(custom_args["due"])


class BaselineCodec(Baseline):
    """The baseline with ours' encrypting codec (AES-256-GCM, security/codec.py) on the SDK's
    default JSON payloads: the cost of encryption, priced apart from ours' own code."""

    name = "codec"

    def __init__(self) -> None:
        super().__init__()
        self.key = base64.b64encode(os.urandom(32)).decode()

    def keyring(self) -> Keyring:
        return Keyring(KEY_ID, {KEY_ID: base64.b64decode(self.key)}, "bench")

    async def connect(self, address: str) -> Client:
        converter = DataConverter(payload_codec=EncryptionCodec(self.keyring()))
        return await Client.connect(address, data_converter=converter)

    def worker_env(self, sink_url: str, folder: str) -> dict[str, str]:
        return {"EHCP_CODEC_KEYS": f"{KEY_ID}:{self.key}", "EHCP_CODEC_CURRENT_KEY": KEY_ID}
