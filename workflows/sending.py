"""Sending from DisagreementWorkflow: one batch of emails per wake-up through a local
activity, each outcome recorded on the case, staff alerted when a message fails for good.

A mixin of the workflow class (workflow code: deterministic, no I/O of its own).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.outcomes import LOCAL_ACTIVITY_FAILURES, paired, reason
from workflows.patches import Patches

with workflow.unsafe.imports_passed_through():
    from activities.names import (
        LOCAL_RETRY_THRESHOLD,
        NOTIFY_RETRY,
        SEND_BATCH_TIMEOUT,
        SEND_NOTIFICATION,
        SEND_NOTIFICATIONS,
        SEND_TIMEOUT,
    )
    from ehcp.bounds import compact_notices, short_reason
    from ehcp.case_state import CaseState, DeliveryFailure, NoticeRecord
    from ehcp.notices import Delivery, Notification, SendOutcome, failure_alerts
    from ehcp.payloads import PendingResend
    from ehcp.receipts import rebuild, resend_key
    from ehcp.texts import with_texts


class Sending:
    """Sends notifications and records what became of each on `self._state`."""

    _state: CaseState
    _resends: list[asyncio.Task[None]]
    #: record key -> the resend not yet sent (carried by continue-as-new)
    _pending_resends: dict[str, PendingResend]
    _patches: Patches

    def _now(self) -> datetime:
        return workflow.now()

    async def _send(self, notifications: list[Notification]) -> None:
        if not notifications:
            return
        if not self._local():
            await asyncio.gather(*(self._send_one(n) for n in notifications))
            return
        try:
            outcomes = await workflow.execute_local_activity(
                SEND_NOTIFICATIONS,
                notifications,
                result_type=list[SendOutcome],
                start_to_close_timeout=SEND_BATCH_TIMEOUT,
                retry_policy=NOTIFY_RETRY,
                local_retry_threshold=LOCAL_RETRY_THRESHOLD,
            )
        except LOCAL_ACTIVITY_FAILURES as error:  # the last attempt itself failed or timed out
            if not isinstance(error, ActivityError) and not self._patches.catch_la_failures:
                raise  # runs before the patch failed here: their histories end so
            why = reason(error)
            outcomes = [SendOutcome(key=n.key, failure=why) for n in notifications]
        alerts: list[Notification] = []
        for notification, outcome in paired(notifications, outcomes):
            if outcome.delivery is not None:
                self._record_sent(notification, outcome.delivery)
            else:
                failure = outcome.failure or "not delivered"
                alerts += self._record_failure(notification, failure, outcome.status_code)
        await self._send(alerts)

    async def _send_one(self, notification: Notification) -> None:
        """One activity per message: runs that started before LOCAL_ACTIVITIES."""
        try:
            delivery = await workflow.execute_activity(
                SEND_NOTIFICATION,
                notification,
                result_type=Delivery,
                start_to_close_timeout=SEND_TIMEOUT,
                retry_policy=NOTIFY_RETRY,
            )
        except ActivityError as error:
            cause = error.cause
            status_code = None
            if isinstance(cause, ApplicationError) and cause.details:
                status_code = cause.details[0] if isinstance(cause.details[0], int) else None
            await self._send(self._record_failure(notification, reason(error), status_code))
            return
        self._record_sent(notification, delivery)

    def _record_sent(self, notification: Notification, delivery: Delivery) -> None:
        self._state.notices.append(
            NoticeRecord(
                key=notification.key,
                deadline_key=notification.deadline.key if notification.deadline else None,
                kind=notification.kind,
                role=notification.role,
                sent_at=self._now(),
                transport=delivery.transport,
                message_id=delivery.message_id,
                channel=notification.channel,
            )
        )
        if notification.kind == "escalation":
            compact_notices(self._state)  # earlier escalations are never due again

    def _record_failure(
        self, notification: Notification, reason: str, status_code: int | None
    ) -> list[Notification]:
        """Refused for good, or retries ran out: record it on the case and return the alerts
        for staff (through the fallback channel); a failed email must never stall the case."""
        failure = DeliveryFailure(
            key=notification.key,
            deadline_key=notification.deadline.key if notification.deadline else None,
            kind=notification.kind,
            role=notification.role,
            failed_at=self._now(),
            status_code=status_code,
            reason=short_reason(reason),
        )
        self._state.delivery_failures.append(failure)
        return [] if notification.fallback else failure_alerts(self._state, failure)

    def _resend(self, pending: PendingResend) -> None:
        """Send `pending.record` once more at `pending.at`, kept in `_pending_resends` until
        sent, so that a continue-as-new before then carries it (StartCase.resends)."""
        self._pending_resends[pending.record.key] = pending
        self._resends.append(asyncio.create_task(self._resend_later(pending)))

    async def _resend_later(self, pending: PendingResend) -> None:
        """Send a message once more after a temporary failure: the same message, rebuilt
        from the case as it is now (new contact details apply), under its own key."""
        await workflow.sleep(max(pending.at - self._now(), timedelta(seconds=1)))
        record = pending.record
        again = [
            n.model_copy(update={"key": resend_key(n.key)})
            for n in with_texts(self._state, rebuild(self._state, record), skip_sent=False)
            if n.key == record.key
        ]
        await self._send(again)
        # after the send: a run that continues as new meanwhile sends it again, and the
        # sent ledger answers for the key without a second message
        del self._pending_resends[record.key]
