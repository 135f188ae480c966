"""Erasure and retention of case records, as operations: `starter.py erase` and
`starter.py retention` (docs/records.md). Managers of a council and operators only.

What the database keeps after erasure is the anonymised record (ehcp/records.py). What
Temporal keeps is the case's history until the namespace's retention period ends after
closure (and any archived copy): `erase_case(..., delete_history=True)` deletes a closed
case's execution from Temporal at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.service import RPCError, RPCStatusCode

from ehcp.payloads import workflow_id
from service.callers import Caller, Permission
from service.errors import Conflict, Forbidden, Unavailable
from service.operations import Cases
from store.case_records import CaseRecords


@dataclass
class Erased:
    """What an erasure did: the case references erased, those left alone because the case
    is still open, and whether Temporal's copy of the history was deleted too."""

    erased: list[str] = field(default_factory=list)
    still_open: list[str] = field(default_factory=list)
    history_deleted: bool = False


async def erase_case(
    cases: Cases, caller: Caller, case_ref: str, delete_history: bool = False
) -> Erased:
    """Every person's data erased from one closed case's record (the anonymised record
    stays); with `delete_history`, the case's execution is deleted from Temporal too. Raises
    NotFound (no record, or another council's), Conflict (the case is open)."""
    caller.require(Permission.erase)
    record = await cases.stored_record(caller, case_ref)
    if not record.closed:
        raise Conflict(
            f"case {case_ref} is open: it still writes to its people. Record contact_updated "
            "to correct details, or close the case (case_closed) first",
            "case-open",
        )
    await cases.stored(CaseRecords.erase_case, case_ref)
    done = Erased(erased=[case_ref])
    if delete_history:
        done.history_deleted = await _delete_history(cases, case_ref)
    return done


async def erase_person(cases: Cases, caller: Caller, email: str, name: str | None = None) -> Erased:
    """One person's data (found by email address, and their name where it appears in text)
    erased from every closed case record of the caller's council (every council for an
    operator). Open cases holding them are named, not changed."""
    caller.require(Permission.erase)
    erased, still_open = await cases.stored(CaseRecords.erase_person, email, name, caller.council)
    return Erased(erased=erased, still_open=still_open)


async def apply_retention(cases: Cases, caller: Caller, today: date, dry_run: bool) -> list[str]:
    """Erase personal data from every closed case past its council's retention period
    (Settings.retention_for); with `dry_run`, only say which. Operators only: it crosses
    councils."""
    if not caller.operator:
        raise Forbidden("retention runs for every council: an operator's command")
    years = cases.settings.retention_for
    if dry_run:
        return await cases.stored(CaseRecords.due_for_erasure, years, today)
    return await cases.stored(CaseRecords.apply_retention, years, today)


async def _delete_history(cases: Cases, case_ref: str) -> bool:
    request = DeleteWorkflowExecutionRequest(
        namespace=cases.settings.temporal_namespace,
        workflow_execution=WorkflowExecution(workflow_id=workflow_id(case_ref)),
    )
    try:
        await cases.client.workflow_service.delete_workflow_execution(request)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False  # already gone (retention)
        raise Unavailable(f"Temporal did not delete the history ({error.status.name})") from None
    return True
