"""The case operations: start, record an event, status, timeline, list, readiness.

Running cases are read from Temporal; the case list is read from the case records table (the
read model the workflow keeps, store/case_records.py), and so are `status`, `timeline` and
`case` of a closed case once Temporal no longer holds it (its namespace retention).

`Cases(client, settings)` is used by the CLI and by the HTTP API alike. Each method takes the
`Caller`, checks its permission, keeps it inside its council (another council's case is
answered exactly as a missing one) and raises a `service.errors.ServiceError` on failure.
Inputs arrive already checked (`service.inputs`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import (
    RawValue,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from ehcp.models import Case, Event
from ehcp.payloads import (
    CaseStatus,
    CaseTimeline,
    EventReceipt,
    StartCase,
    event_digest,
    workflow_id,
)
from ehcp.records import CaseRecord
from ehcp.settings import Settings
from ehcp.uktime import london_date
from security.staff_ref import staff_ref, staff_ref_key
from service.callers import Caller, Permission
from service.errors import Busy, Conflict, NotFound, ServiceError, Unavailable
from service.inputs import check_council
from service.listing import (
    CaseFilter,
    decode_cursor,
    decode_key,
    encode_cursor,
    encode_key,
    list_tag,
    record_filter,
    scoped_filter,
)
from service.models import CasePage, CaseSummary, StartedCase
from store.case_records import CaseRecords, ListedRecord, RecordFilter
from workflows import search_attributes as sa
from workflows.disagreement import DisagreementWorkflow

T = TypeVar("T", bound=BaseModel | RawValue)
#: councils of cases seen, so that an event or query checks the council without a describe
#: call each time (a case reference names one case, of one council, for good)
COUNCIL_CACHE_SIZE = 100_000
#: RPC failures that mean "Temporal is not there", not "the case said no"
_UNAVAILABLE = {
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.CANCELLED,
    RPCStatusCode.UNKNOWN,
    RPCStatusCode.INTERNAL,
}


def now() -> datetime:
    return datetime.now(UTC)


def _unavailable(error: RPCError) -> ServiceError:
    return Unavailable(f"Temporal did not answer ({error.status.name}: {error.message})")


class Cases:
    """Case operations on one Temporal client."""

    def __init__(
        self, client: Client, settings: Settings, records: CaseRecords | None = None
    ) -> None:
        self.client = client
        self.settings = settings
        self._councils: OrderedDict[str, str] = OrderedDict()
        self._staff_key: bytes | None = None
        self._records = records

    def staff_ref(self, email: str) -> str:
        """The staff reference of a caseworker's email (security/staff_ref.py); the key is
        read from the settings on first use (KeyConfigError when it is bad)."""
        if self._staff_key is None:
            self._staff_key = staff_ref_key(self.settings)
        return staff_ref(email, self._staff_key)

    async def records(self) -> CaseRecords:
        """The case records (EHCP_DATABASE_URL), sealed with the client's payload codec;
        opened (and migrated) on first use."""
        if self._records is None:
            codec = self.client.data_converter.payload_codec
            self._records = await asyncio.to_thread(CaseRecords, self.settings.database_url, codec)
        return self._records

    async def stored(self, call, *args):
        """A call to the records store, off the event loop; a database that cannot be
        reached is Unavailable (never a traceback)."""
        store = await self.records()
        try:
            return await asyncio.to_thread(call.__get__(store), *args)
        except SQLAlchemyError as error:
            raise Unavailable(
                f"the case records database did not answer ({type(error).__name__})"
            ) from None

    # -- start ------------------------------------------------------------------------------

    async def start(self, caller: Caller, case: Case) -> StartedCase:
        """Start a case. A case reference names one disagreement for good: a second start is
        refused (Conflict) whether the first is running, closed, failed or terminated. A
        council that is not configured (settings.councils) is BadInput."""
        caller.require(Permission.start)
        check_council(case.council, self.settings.councils)
        if not caller.sees(case.council):
            raise Conflict(f"case council {case.council} is not the council of your credentials")
        if await self.stored(CaseRecords.council_of, case.case_ref) is not None:
            raise self._exists(case.case_ref)  # closed, and gone from Temporal since
        # What identifies the case, stage included, so that the workflow upserts none of it
        # at start (patches-2026-12-in-one-marker); no caseworker: the records carry it.
        attrs = sa.start_attributes(case)
        try:
            handle = await self.client.start_workflow(
                DisagreementWorkflow.run,
                StartCase(case=case),
                id=workflow_id(case.case_ref),
                task_queue=self.settings.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=attrs,
            )
        except WorkflowAlreadyStartedError:
            raise self._exists(case.case_ref) from None
        except RPCError as error:
            raise _unavailable(error) from None
        self._remember(case.case_ref, case.council)
        return StartedCase(case_ref=case.case_ref, council=case.council, workflow_id=handle.id)

    def _closed(self, case_ref: str) -> Conflict:
        return Conflict(
            f"case {case_ref} is closed; a closed case accepts no more events", "case-closed"
        )

    def _exists(self, case_ref: str) -> Conflict:
        return Conflict(
            f"case {case_ref} already exists (a case reference names one disagreement for "
            "good, even once closed); it was not started again",
            "case-exists",
        )

    # -- reading a case ---------------------------------------------------------------------

    def _remember(self, case_ref: str, council: str) -> None:
        self._councils[case_ref] = council
        self._councils.move_to_end(case_ref)
        if len(self._councils) > COUNCIL_CACHE_SIZE:
            self._councils.popitem(last=False)

    def _missing(self, case_ref: str) -> NotFound:
        return NotFound(f"no case {case_ref}")

    async def _describe(self, caller: Caller, case_ref: str) -> tuple[WorkflowHandle, bool]:
        """The case's handle and whether it is closed; NotFound for a missing case or one of
        another council (the same answer, so existence does not leak)."""
        handle = self.client.get_workflow_handle(workflow_id(case_ref))
        try:
            description = await handle.describe()
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise self._missing(case_ref) from None
            raise _unavailable(error) from None
        if description.workflow_type != "DisagreementWorkflow":
            raise self._missing(case_ref)
        council = description.typed_search_attributes.get(sa.COUNCIL)
        if council is None:  # started before the council was set at start
            status = await self._query(handle, case_ref, "status", CaseStatus)
            council = status.council
        self._remember(case_ref, council)
        if not caller.sees(council):
            raise self._missing(case_ref)
        return handle, description.status != WorkflowExecutionStatus.RUNNING

    async def _query(self, handle: WorkflowHandle, case_ref: str, name: str, result: type[T]) -> T:
        try:
            return await handle.query(name, result_type=result)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise self._missing(case_ref) from None
            raise _unavailable(error) from None
        except WorkflowQueryFailedError as error:
            raise Unavailable(f"case {case_ref} could not answer ({error})") from None

    async def _read(self, caller: Caller, case_ref: str, query: str, result_type: type[T]) -> T:
        """A query of a case the caller may read: another council's case is NotFound, exactly
        as a missing one (its council is remembered, or looked up once). A case Temporal no
        longer holds (closed, past the namespace's retention) answers from its record."""
        caller.require(Permission.read)
        known = self._councils.get(case_ref)
        if known is not None and not caller.sees(known):
            raise self._missing(case_ref)
        try:
            if known is None:
                await self._describe(caller, case_ref)
            handle = self.client.get_workflow_handle(workflow_id(case_ref))
            return await self._query(handle, case_ref, query, result_type)
        except NotFound:
            record = await self.stored_record(caller, case_ref)
        return getattr(record, query)

    async def stored_record(self, caller: Caller, case_ref: str) -> CaseRecord:
        """The case's stored record; NotFound if none, or if it is another council's."""
        record = await self.stored(CaseRecords.get, case_ref)
        if record is None or not caller.sees(record.case.council):
            raise self._missing(case_ref)
        return record

    async def read_json(self, caller: Caller, case_ref: str, query: str) -> bytes:
        """The JSON of a query's answer ("status": CaseStatus, "timeline": CaseTimeline) as the
        workflow wrote it, for the API to send on as it is: the workflow's pydantic model
        serialised once, not read back into a model and written out again. Same checks and
        failures as `status` and `timeline`."""
        raw = await self._read(caller, case_ref, query, RawValue)
        if not isinstance(raw, RawValue):  # a closed case answered from its stored record
            return raw.model_dump_json().encode()
        if raw.payload.metadata.get("encoding") != b"json/plain":  # never, today: be safe
            model = {"status": CaseStatus, "timeline": CaseTimeline}[query]
            typed = await self._read(caller, case_ref, query, model)
            return typed.model_dump_json().encode()
        return raw.payload.data

    async def status(self, caller: Caller, case_ref: str) -> CaseStatus:
        """The case's stage and deadlines (each with due date, party, legal basis, status)."""
        return await self._read(caller, case_ref, "status", CaseStatus)

    async def timeline(self, caller: Caller, case_ref: str) -> CaseTimeline:
        """Every accepted event, in order."""
        return await self._read(caller, case_ref, "timeline", CaseTimeline)

    async def case(self, caller: Caller, case_ref: str) -> Case:
        """The case as started, with its contacts (personal data: for the caseworker pages,
        which show them to the council's own staff)."""
        return await self._read(caller, case_ref, "case", Case)

    # -- events -----------------------------------------------------------------------------

    async def record_event(
        self, caller: Caller, case_ref: str, event: Event, event_id: str | None = None,
        tries: int = 1,
    ) -> EventReceipt:  # fmt: skip
        """Record one event. `event_id` (the caller's own id; the Temporal update id) makes a
        retry return the first receipt; the same id with a different event is refused.
        `event.recorded_by` must already be the caller's identity (service.inputs.check_event).
        `tries` > 1 waits for a slot when the case has its 10 events in flight (the CLI);
        otherwise Busy at once (the API answers 429 and the client retries)."""
        caller.require(Permission.record_event)
        known = self._councils.get(case_ref)
        closed = False
        if known is not None:
            # a case seen before: its council is known for good, and a closed case refuses the
            # update itself (NOT_FOUND below), so no describe call before each event
            if not caller.sees(known):
                raise self._missing(case_ref)
            handle = self.client.get_workflow_handle(workflow_id(case_ref))
        else:
            try:
                handle, closed = await self._describe(caller, case_ref)
            except NotFound:
                await self.stored_record(caller, case_ref)  # NotFound unless a record is kept
                closed = True  # only a closed case leaves Temporal
        if closed:
            raise self._closed(case_ref)
        # update ids are plaintext on the server: never the caller's name (personal data)
        update_id = event_id or f"{'cli' if caller.operator else 'api'}:{uuid.uuid4()}"
        digest = event_digest(event)
        for attempt in range(tries):
            try:
                receipt = await handle.execute_update(
                    DisagreementWorkflow.record_event, event, id=update_id,
                    result_type=EventReceipt,
                )  # fmt: skip
                break
            except WorkflowUpdateFailedError as error:
                cause = error.cause
                message = getattr(cause, "message", None) or str(cause or error)
                raise Conflict(f"event refused: {message}", "event-refused") from None
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:  # closed meanwhile
                    raise self._closed(case_ref) from None
                if error.status == RPCStatusCode.FAILED_PRECONDITION:  # its last task failed
                    raise Unavailable(
                        f"case {case_ref} cannot take events just now: the worker has not "
                        "finished the case's last step (it may be stopped or overloaded); "
                        "nothing was recorded: send it again shortly (with the same event id, "
                        "it is recorded once)"
                    ) from None
                if error.status != RPCStatusCode.RESOURCE_EXHAUSTED:
                    raise Unavailable(
                        f"Temporal did not take the event ({error.status.name}: "
                        f"{error.message}); nothing was recorded: send it again (with the "
                        "same event id, it is recorded once)"
                    ) from None
                if attempt == tries - 1:
                    raise Busy(f"case {case_ref} is busy; try again shortly") from None
                await asyncio.sleep(0.2 * 2**attempt)
        if receipt.digest is not None and receipt.digest != digest:
            raise Conflict(
                f"event id {event_id} was already used for event {receipt.seq}, a different "
                "event; nothing was recorded",
                "event-id-reused",
            )
        return receipt

    # -- list -------------------------------------------------------------------------------

    async def list_cases(
        self, caller: Caller, flt: CaseFilter, page_size: int = 100, cursor: str | None = None,
        offset: int = 0,
    ) -> CasePage:  # fmt: skip
        """One page of cases matching `flt`, overdue cases first (longest overdue first), then
        soonest next deadline, then those with nothing pending; ties by case reference
        (store.case_records.sort_key), from the case records table; `next_cursor`
        continues it (keyset: no case is skipped or repeated while others change). A
        council-bound caller sees only its council."""
        flt, where = self._listing(caller, flt)
        tag = list_tag(flt)
        after = decode_key(decode_cursor(cursor, tag)) if cursor else None
        rows, last = await self.stored(CaseRecords.page, where, page_size, after, offset)
        return CasePage(
            cases=[summary(row) for row in rows],
            next_cursor=encode_cursor(tag, encode_key(last)) if last else None,
        )

    async def count_cases(self, caller: Caller, flt: CaseFilter) -> int:
        """How many cases match `flt` (of the caller's council when it is bound to one)."""
        _, where = self._listing(caller, flt)
        return await self.stored(CaseRecords.count, where)

    def _listing(self, caller: Caller, flt: CaseFilter) -> tuple[CaseFilter, RecordFilter]:
        """`flt` as `caller` may list it (service.listing.scoped_filter), and as the records
        table reads it today (UK date), the caseworker's email as its staff reference."""
        caller.require(Permission.read)
        flt = scoped_filter(caller, flt, self.settings.councils)
        ref = self.staff_ref(flt.caseworker) if flt.caseworker else None
        return flt, record_filter(flt, london_date(now()), ref)

    async def list_all(self, caller: Caller, flt: CaseFilter) -> list[CaseSummary]:
        """Every matching case, in the list's order (overdue first; the CLI's table)."""
        cases: list[CaseSummary] = []
        cursor = None
        while True:
            page = await self.list_cases(caller, flt, page_size=1000, cursor=cursor)
            cases += page.cases
            if not (cursor := page.next_cursor):
                break
        return cases

    # -- health -----------------------------------------------------------------------------

    async def workers_polling(self) -> int:
        """How many workers poll the task queue for workflow tasks (raises Unavailable)."""
        request = DescribeTaskQueueRequest(
            namespace=self.settings.temporal_namespace,
            task_queue=TaskQueue(name=self.settings.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
        try:
            response = await self.client.workflow_service.describe_task_queue(
                request, timeout=timedelta(seconds=5)
            )
        except RPCError as error:
            raise _unavailable(error) from None
        return len(response.pollers)


def summary(row: ListedRecord) -> CaseSummary:
    """A listed case, from the record's plain columns only (nothing decrypted, no personal
    data)."""
    return CaseSummary(
        case_ref=row.case_ref,
        council=row.council,
        decision_type=row.decision_type,
        stage=row.stage,
        next_deadline=row.next_due,
        overdue=row.overdue,
        overdue_since=row.overdue_since,
        status="completed" if row.closed else "running",
    )
