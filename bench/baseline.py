"""The baseline: a bare workflow, plain SDK and default data converter, with the shape of
DisagreementWorkflow and none of its domain logic.

Same shape means the same number of Temporal operations per case, so the ratio ours/baseline
prices what the domain (pydantic payloads, encryption, planning, rendering) adds:

- start: one local activity `baseline_plan` (ours plans the case's deadlines at start);
- loop: one timer until the next wake time (`wait_condition` with a timeout, as ours);
- on waking: one local activity `baseline_send` that posts the due emails to SendGrid with the
  official client (ours sends one batch per wake-up);
- update `record` with a validator: one local activity `baseline_plan_event`, then the loop
  wakes and restarts its timer (ours plans each event's deadlines the same way).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from sendgrid import SendGridAPIClient
    from sendgrid.helpers.mail import CustomArg, Mail

PLAN = "baseline_plan"
PLAN_EVENT = "baseline_plan_event"
SEND = "baseline_send"
LOCAL_TIMEOUT = timedelta(seconds=30)
#: a workflow never sleeps less than this, as ours (a zero timer would spin)
MIN_SLEEP = timedelta(seconds=1)


@dataclass
class BaselineStart:
    #: wake-up instants, epoch seconds (UTC); one email batch goes out at each
    wake_times: list[float]
    #: emails per wake-up: the driver sets it to what one of our due cases sends
    emails_per_wake: int = 1


@dataclass
class BaselineEvent:
    kind: str
    date: str
    meeting_date: str


@dataclass
class SendRequest:
    workflow_id: str
    due: float
    emails: int


@dataclass
class BaselineState:
    wake_times: list[float] = field(default_factory=list)
    events: int = 0
    sent: int = 0


class BaselineActivities:
    """Side effects: echo planning, and one minimal email per message to the SendGrid sink."""

    def __init__(self, sendgrid_host: str, api_key: str, timeout_s: float = 10) -> None:
        self._host = sendgrid_host
        self._api_key = api_key
        self._timeout_s = timeout_s

    @activity.defn(name=PLAN)
    def plan(self, wake_times: list[float]) -> list[float]:
        return sorted(wake_times)

    @activity.defn(name=PLAN_EVENT)
    def plan_event(self, event: BaselineEvent) -> BaselineEvent:
        return event

    @activity.defn(name=SEND)
    def send(self, request: SendRequest) -> int:
        for n in range(request.emails):
            # A client per send, as ours (the client keeps per-request state).
            client = SendGridAPIClient(self._api_key, host=self._host)
            client.client.timeout = self._timeout_s
            client.send(minimal_mail(request, n))
        return request.emails


def minimal_mail(request: SendRequest, n: int) -> Mail:
    mail = Mail(
        from_email="bench@example.org",
        to_emails="parent@example.org",
        subject="Reminder",
        plain_text_content="A deadline is coming up.",
    )
    for name, value in {
        "workflow_id": request.workflow_id,
        "due": json.dumps(request.due),
        "n": str(n),
    }.items():
        mail.add_custom_arg(CustomArg(name, value))
    return mail


@workflow.defn
class BaselineWorkflow:
    def __init__(self) -> None:
        self._state: BaselineState | None = None
        self._wake = False

    @workflow.run
    async def run(self, start: BaselineStart) -> BaselineState:
        planned = await workflow.execute_local_activity(
            PLAN, start.wake_times, result_type=list[float], start_to_close_timeout=LOCAL_TIMEOUT
        )
        self._state = BaselineState(wake_times=planned)
        while True:
            self._wake = False
            await self._send_due(start.emails_per_wake)
            await self._sleep_until_next()

    async def _send_due(self, emails: int) -> None:
        state = self._state
        now = workflow.now().timestamp()
        due = [t for t in state.wake_times if t <= now]
        if not due:
            return
        state.wake_times = [t for t in state.wake_times if t > now]
        request = SendRequest(workflow.info().workflow_id, due[-1], emails * len(due))
        state.sent += await workflow.execute_local_activity(
            SEND, request, result_type=int, start_to_close_timeout=LOCAL_TIMEOUT
        )

    async def _sleep_until_next(self) -> None:
        if not self._state.wake_times:
            await workflow.wait_condition(lambda: self._wake)
            return
        wake_at = self._state.wake_times[0] - workflow.now().timestamp()
        timeout = max(timedelta(seconds=wake_at), MIN_SLEEP)
        with contextlib.suppress(TimeoutError):  # woken by the clock, not by an event
            await workflow.wait_condition(lambda: self._wake, timeout=timeout)

    @workflow.update
    async def record(self, event: BaselineEvent) -> int:
        await workflow.wait_condition(lambda: self._state is not None)
        await workflow.execute_local_activity(
            PLAN_EVENT, event, result_type=BaselineEvent, start_to_close_timeout=LOCAL_TIMEOUT
        )
        self._state.events += 1
        self._wake = True
        return self._state.events

    @record.validator
    def _validate(self, event: BaselineEvent) -> None:
        if not event.kind:  # trivial, but a validator runs for every update, as in ours
            raise ValueError("an event needs a kind")
