"""What DisagreementWorkflow shows outside Temporal: the case record (the list's read model,
and the status of a closed case once Temporal has deleted it) and the search attributes.

A mixin of the workflow class (workflow code: deterministic, no I/O of its own).
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.outcomes import LOCAL_ACTIVITY_FAILURES
from workflows.patches import Patches

with workflow.unsafe.imports_passed_through():
    from activities.names import LOCAL_RETRY_THRESHOLD, RECORD_TIMEOUT, WRITE_CASE_RECORD
    from ehcp.case_state import CaseState, is_overdue, next_due
    from ehcp.payloads import StartCase
    from ehcp.records import record_of
    from ehcp.uktime import london_to_utc
    from workflows import search_attributes as sa


class CaseVisibility:
    """Writes the case record when what it shows changed; upserts changed search attributes."""

    _state: CaseState
    _start: StartCase
    _patches: Patches
    _written: tuple | None
    _caseworker_ref: str | None

    # -- the case record ----------------------------------------------------------------------

    def _shown(self) -> tuple:
        """What the record shows that can change between writes. On ALL_OF_2026_12, only
        what the case list reads (its plain columns) and the events: notices sent or failed
        alone write nothing (one marker less per reminder wake-up). The sealed status of an
        open case is read by no one (the service asks the workflow), and the closing write,
        which the status of a closed case is read from, holds them all."""
        state = self._state
        listed = (
            len(state.timeline), state.closed_reason, state.stage, next_due(state),
            is_overdue(state), state.case,
        )  # fmt: skip
        if self._patches.listed_records:
            return listed
        return (*listed, len(state.notices), len(state.delivery_failures), len(state.not_reached))

    def _mark_written(self, recorded: bool) -> None:
        """The record was written with the plan (RECORD_WITH_PLAN, activities/
        planned_records.py) and shows the case as it now is: the loop has nothing to write.
        Not for a case the event closed: the closing write, after the closure notices, holds
        them all."""
        if recorded and not self._state.closed:
            self._written = self._shown()

    async def _write_record(self, retry: RetryPolicy) -> None:
        """Write the case's record when what it shows changed (runs on CASE_RECORDS). A
        database that stays down does not hold up reminders: the write is tried again at the
        next wake-up; only the closing write waits for as long as it takes."""
        if not self._patches.case_records or self._written == (shown := self._shown()):
            return
        record = record_of(self._start.case, self._state, self._now())
        try:
            await workflow.execute_local_activity(
                WRITE_CASE_RECORD,
                record,
                result_type=bool,
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=retry,
                local_retry_threshold=LOCAL_RETRY_THRESHOLD,
            )
        except LOCAL_ACTIVITY_FAILURES:
            workflow.logger.warning("case record not written; tried again at the next wake-up")
            return
        self._written = shown

    # -- search attributes ------------------------------------------------------------------

    def _upsert_search_attributes(self) -> None:
        """Upsert the attributes whose value changed. On ALL_OF_2026_12 only those that
        identify the case and never change (sa.identity_attributes), which a start through
        service/ sets already: such a run upserts nothing (started by another client
        without them: once, at its first wake-up). Before it, also the stage, the next
        deadline, the overdue flag and a reassigned caseworker, which change with events."""
        updates = sa.identity_attributes(self._state.case)
        if not self._patches.identity_attributes:
            updates += self._changing_attributes()
        current = workflow.info().typed_search_attributes
        changed = [u for u in updates if current.get(u.key) != getattr(u, "value", None)]
        if changed:
            workflow.upsert_search_attributes(changed)

    def _changing_attributes(self) -> list:
        """The attributes of runs started before ALL_OF_2026_12."""
        state = self._state
        due = next_due(state)
        updates = [
            sa.STAGE.value_set(state.stage.value),
            sa.OVERDUE.value_set(is_overdue(state)),
            sa.NEXT_DEADLINE.value_set(london_to_utc(due, 17))
            if due
            else sa.NEXT_DEADLINE.value_unset(),
        ]
        if self._caseworker_ref is not None:
            updates.append(sa.CASEWORKER.value_set(self._caseworker_ref))
        return updates
