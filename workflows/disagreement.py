"""DisagreementWorkflow: one durable workflow per SEND disagreement.

Deterministic orchestration only. Events arrive as updates, checked by a validator before
they reach history; deadline dates come from an activity and are recorded in history; one
timer at a time sleeps until the next reminder, escalation or end of a due day.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows import patches
from workflows.outcomes import LOCAL_ACTIVITY_FAILURES, reason
from workflows.patches import NOT_DECIDED
from workflows.planning import EVENT_PLAN_RETRY, PLAN_TIMEOUT, Planning
from workflows.sending import Sending
from workflows.visibility import CaseVisibility

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (pydantic's EmailStr loads it lazily)
    import idna  # noqa: F401

    from activities.names import (
        LOCAL_RETRY_THRESHOLD,
        RECORD_FINAL_RETRY,
        RECORD_RETRY,
        STAFF_REF,
    )
    from ehcp.bounds import check_room
    from ehcp.case_state import (
        CaseState,
        EventRejected,
        accept_event,
        check_event,
        refresh_statuses,
    )
    from ehcp.challenges import check_concession_timing
    from ehcp.delivery_state import DeliveryReceipt, DeliveryReports
    from ehcp.models import Case, Event
    from ehcp.notices import (
        closure_notices,
        due_notices,
        failure_alerts,
        next_wakeup,
    )
    from ehcp.payloads import (
        KEPT_RECEIPTS,
        CaseStatus,
        CaseTimeline,
        EventReceipt,
        PendingResend,
        StartCase,
        event_digest,
        workflow_id,
    )
    from ehcp.receipts import apply_reports
    from ehcp.records import case_status
    from ehcp.texts import with_texts
    from ehcp.told import told_notices
    from ehcp.uktime import london_date
    from security.refused import UnencryptedPayloadRefused


#: a start whose input is not encrypted with a known key fails the run at once (no retries)
@workflow.defn(failure_exception_types=[UnencryptedPayloadRefused])
class DisagreementWorkflow(Sending, CaseVisibility, Planning):
    @workflow.init
    def __init__(self, start: StartCase) -> None:
        self._start = start
        self._state: CaseState | None = start.state
        self._lock = asyncio.Lock()  # one event (or start-up plan) applied at a time
        self._wake = False
        # The timer for the next wake-up (runs started on LOCAL_ACTIVITIES): kept while
        # that time stays the same, so an event that does not move it costs no timer.
        self._timer: asyncio.Task[None] | None = None
        self._timer_at: datetime | None = None
        self._rang = False
        self._resends: list[asyncio.Task[None]] = []  # messages sent once more, later
        self._pending_resends: dict[str, PendingResend] = {}
        #: decided once in run (validators may not call patched); none before it
        self._patches = NOT_DECIDED
        #: the new caseworker's staff reference once one is recorded in this run; None: the
        #: attribute keeps its value (set at start, kept across continue-as-new)
        self._caseworker_ref: str | None = None
        #: what the last record written showed (None: none written by this run)
        self._written: tuple | None = None
        #: update id -> receipt, carried across continue-as-new (StartCase.receipts)
        self._receipts: dict[str, EventReceipt] = dict(start.receipts)

    # -- run loop -------------------------------------------------------------------------

    @workflow.run
    async def run(self, start: StartCase) -> CaseStatus:
        # Every patch decided once, first thing in the run and before any local activity:
        # `patched` called right after a local activity's result may see a different history
        # on replay (the result can arrive a workflow task earlier there), and validators,
        # which may not call patched at all, read the answers kept on self.
        self._patches = patches.decide()
        expected = workflow_id(start.case.case_ref)
        if self._patches.id_matches_case and workflow.info().workflow_id != expected:
            raise ApplicationError(
                f"workflow id {workflow.info().workflow_id!r} is not the id of case reference "
                f"{start.case.case_ref!r}: a case runs as {expected!r}; nothing was started",
                type="WorkflowIdMismatch",
                non_retryable=True,
            )
        if self._state is None:
            async with self._lock:
                self._state, recorded = await self._start_state(start.case)
                self._mark_written(recorded)
        for pending in start.resends:  # still to send when the last run continued as new
            self._resend(pending)
        while not self._state.closed:
            # Cleared before sending: an event that lands while emails go out wakes the
            # next sleep at once, so anything it made due now is not left for later.
            self._wake = False
            await self._send_due()
            await self._write_record(RECORD_RETRY)
            if self._should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    StartCase(
                        case=start.case,
                        state=self._state,
                        history_limit=start.history_limit,
                        state_limit=start.state_limit,
                        receipts=self._receipts,
                        resends=list(self._pending_resends.values()),
                    )
                )
            await self._sleep_until_next()
        await self._send(closure_notices(self._state))
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._upsert_search_attributes()
        await self._write_record(RECORD_FINAL_RETRY)  # the closed case's record, for good
        return self.status()

    async def _sleep_until_next(self) -> None:
        wake_at = next_wakeup(self._state, self._now(), learned=self._learned())
        # KEPT_TIMER first: a run without its marker must not ask for LOCAL_ACTIVITIES here,
        # where the earlier code did not (its marker may come later in that history)
        if self._patches.kept_timer and self._local():
            if not self._rang:  # it may have rung while emails went out: go round at once
                self._set_timer(wake_at)
                await workflow.wait_condition(lambda: self._woken() or self._rang)
            self._rang = False
            return
        if wake_at is None:
            await workflow.wait_condition(self._woken)
            return
        timeout = max(wake_at - self._now(), timedelta(seconds=1))
        with contextlib.suppress(TimeoutError):  # woken by the clock, not by an event
            await workflow.wait_condition(self._woken, timeout=timeout)

    def _set_timer(self, wake_at: datetime | None) -> None:
        running = self._timer is not None and not self._timer.done()
        if running and wake_at == self._timer_at:
            return
        if running:
            self._timer.cancel()
        self._timer, self._timer_at, self._rang = None, wake_at, False
        if wake_at is not None:
            delay = max(wake_at - self._now(), timedelta(seconds=1))
            self._timer = asyncio.create_task(self._ring_after(delay))

    async def _ring_after(self, delay: timedelta) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await workflow.sleep(delay)
            self._rang = True

    def _woken(self) -> bool:
        return self._wake or self._state.closed

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._start.history_limit
        )

    async def _send_due(self) -> None:
        state = self._state
        refresh_statuses(state, london_date(self._now()))
        self._upsert_search_attributes()  # sending changes no attribute; an event wakes the loop
        due = due_notices(state, self._now(), learned=self._learned())
        if self._patches.told_of_responses:
            due += told_notices(state)
        await self._send(with_texts(state, due))

    def _learned(self) -> bool:
        return self._patches.notices_after_learned

    # -- events -----------------------------------------------------------------------------

    @workflow.update
    async def record_event(self, event: Event) -> EventReceipt:
        update_id = workflow.current_update_info().id
        if update_id in self._receipts:  # recorded under this id on an earlier run
            return self._receipts[update_id]
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            self._check(event)  # again: an earlier event may have changed the case meanwhile
            state = self._state
            try:
                specs, now, written = await self._event_plan(self._start.case, event)
            except LOCAL_ACTIVITY_FAILURES as error:
                if not isinstance(error, ActivityError) and not self._patches.catch_la_failures:
                    raise  # runs before the patch failed the update with the planner's error
                # Fail this update only: the case, its lock and later events carry on.
                raise ApplicationError(
                    f"the deadlines for this {event.kind} could not be worked out "
                    f"({reason(error)}); nothing was recorded",
                    type="PlanningFailed",
                    non_retryable=True,
                ) from None
            ref = await self._new_caseworker_ref(event)
            closing = self._patches.close_when_withdrawn
            recorded = accept_event(state, event, specs, now, close_when_withdrawn=closing)
            if ref is not None:
                self._caseworker_ref = ref
            self._mark_written(written)
            self._wake = True
            receipt = EventReceipt(
                seq=recorded.seq,
                kind=event.kind,
                stage=state.stage,
                flags=recorded.flags,
                deadlines=specs,
                digest=event_digest(event),
            )
            self._keep_receipt(update_id, receipt)
            return receipt

    async def _new_caseworker_ref(self, event: Event) -> str | None:
        """The staff reference of a new caseworker (runs on CASEWORKER_REF), before the event
        is applied: if it cannot be worked out, nothing is recorded."""
        if not (
            self._patches.caseworker_ref
            and event.kind == "contact_updated"
            and event.role == "caseworker"
        ):
            return None
        try:
            return await workflow.execute_local_activity(
                STAFF_REF,
                str(event.contact.email),
                result_type=str,
                start_to_close_timeout=PLAN_TIMEOUT,
                retry_policy=EVENT_PLAN_RETRY,
                local_retry_threshold=LOCAL_RETRY_THRESHOLD,
            )
        except LOCAL_ACTIVITY_FAILURES as error:
            raise ApplicationError(
                f"the new caseworker's staff reference could not be worked out "
                f"({reason(error)}); nothing was recorded",
                type="PlanningFailed",
                non_retryable=True,
            ) from None

    def _keep_receipt(self, update_id: str, receipt: EventReceipt) -> None:
        """Temporal returns the first outcome for an update id within one run; this keeps it
        across runs. Bounded: the oldest go first (dicts keep insertion order)."""
        self._receipts[update_id] = receipt
        while len(self._receipts) > KEPT_RECEIPTS:
            del self._receipts[next(iter(self._receipts))]

    @record_event.validator
    def _validate_event(self, event: Event) -> None:
        if workflow.current_update_info().id in self._receipts:
            return  # the handler returns the first receipt; nothing is applied again
        self._check(event)
        if self._state is not None:
            # Only here, not in the handler's re-check: validators do not run on replay, so
            # this bound applies to new events without a patch (ehcp.bounds).
            try:
                check_room(self._state, event, self._start.state_limit)
            except EventRejected as rejected:
                raise ApplicationError(
                    str(rejected), type="EventRejected", non_retryable=True
                ) from None

    def _check(self, event: Event) -> None:
        if self._state is None:
            return  # still starting: the handler waits and checks again
        try:
            check_event(self._state, event, london_date(self._now()))
            if self._patches.reg45_rule:
                check_concession_timing(self._state, event)
        except EventRejected as rejected:
            raise ApplicationError(
                str(rejected), type="EventRejected", non_retryable=True
            ) from None

    # -- delivery receipts ------------------------------------------------------------------

    @workflow.update
    async def record_delivery(self, reports: DeliveryReports) -> DeliveryReceipt:
        """Provider delivery events for this case's messages (webhooks/): each message's
        state; a hard failure alerts the caseworker and SEND manager at once (through the
        outbox) and marks the reader not reached; a Notify temporary failure is sent once
        more later. A new update kind: old histories never hold it (no patch needed)."""
        await workflow.wait_condition(lambda: self._state is not None)
        async with self._lock:
            done = apply_reports(self._state, reports.reports, self._now())
            staff = [a for f in done.failures for a in failure_alerts(self._state, f)]
            done.receipt.alerts = len(staff)
        await self._send(staff)
        later = timedelta(minutes=self._state.policy.resend_after_minutes)
        for record in done.resend:
            self._resend(PendingResend(record=record, at=self._now() + later))
        return done.receipt

    @record_delivery.validator
    def _validate_delivery(self, reports: DeliveryReports) -> None:
        if self._state is not None and self._state.closed:
            raise ApplicationError(
                "the case is closed; delivery reports are no longer recorded",
                type="CaseClosed",
                non_retryable=True,
            )

    # -- queries ----------------------------------------------------------------------------

    @workflow.query
    def status(self) -> CaseStatus:
        return case_status(self._start.case, self._state, self._now())

    @workflow.query
    def case(self) -> Case:
        """The case: decision and contacts (for the caseworker pages), with any contact
        details corrected since (`contact_updated`). A query only: nothing is recorded, so
        adding it needs no patch."""
        return self._state.case if self._state is not None else self._start.case

    @workflow.query
    def timeline(self) -> CaseTimeline:
        state = self._state
        events = state.timeline if state else []
        return CaseTimeline(case_ref=self._start.case.case_ref, events=events)
