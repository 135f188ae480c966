"""Results of case operations that are not workflow payloads (those live in ehcp.payloads)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class StartedCase(BaseModel):
    """A case just started."""

    case_ref: str
    council: str
    workflow_id: str = Field(description="the Temporal workflow id, ehcp-case-<case_ref>")


class CaseSummary(BaseModel):
    """A listed case, from search attributes only (no personal data)."""

    case_ref: str
    council: str | None
    decision_type: str | None
    stage: str | None
    next_deadline: date | None = Field(description="due date (UK) of the next pending deadline")
    overdue: bool
    overdue_since: date | None = Field(
        None, description="when overdue: due date (UK) of the earliest missed duty still owed"
    )
    status: str | None = Field(description="Temporal execution status: running, completed, ...")


class CasePage(BaseModel):
    """One page of cases; pass `next_cursor` as `cursor` for the next (null: the last page)."""

    cases: list[CaseSummary]
    next_cursor: str | None = None
