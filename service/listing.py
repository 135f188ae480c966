"""List filters as a Temporal visibility query, and the opaque cursor of a page of cases.

"Due within N days" means the next deadline's due date is on or before today + N, both UK
(Europe/London) dates. The `EhcpNextDeadline` search attribute holds an instant on the due
date (17:00 London, workflows/disagreement.py), so the query compares it with the first
instant of the day after the last date allowed: whatever hour the workflow picks, a case due
that day is in, one due the next day is out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from ehcp.models import CouncilCode
from ehcp.text_fields import EmailAddress
from ehcp.uktime import london_to_utc
from ehcp.vocabulary import DecisionType, Stage
from security.staff_ref import STAFF_REF_PATTERN
from service.errors import BadInput

WORKFLOW_TYPE = "DisagreementWorkflow"
#: the longest span `due_within` takes (ten years)
MAX_DAYS = 3660
#: search attribute names (workflows/search_attributes.py), spelled here so that this module
#: needs no Temporal import
CASE_REF, COUNCIL, DECISION_TYPE, STAGE, NEXT_DEADLINE, OVERDUE, CASEWORKER = (
    "EhcpCaseRef",
    "EhcpCouncil",
    "EhcpDecisionType",
    "EhcpStage",
    "EhcpNextDeadline",
    "EhcpOverdue",
    "EhcpCaseworker",
)


class CaseFilter(BaseModel):
    """Which cases to list; every field narrows the list (all of them together)."""

    model_config = ConfigDict(extra="forbid")

    overdue: bool | None = Field(
        default=None, description="true: only cases with a missed duty; false: only without"
    )
    due_within: int | None = Field(
        default=None,
        ge=0,
        le=MAX_DAYS,
        description="only cases whose next deadline is due on or before today + this many "
        "days (UK dates); 0 is today, and a case already overdue is included",
    )
    stage: Stage | None = None
    decision_type: DecisionType | None = None
    council: CouncilCode | None = Field(
        default=None, description="operators only; an API key always sees its own council"
    )
    caseworker: EmailAddress | None = Field(
        default=None,
        description="only cases whose caseworker has this email address (compared through "
        "its staff reference, security/staff_ref.py: the address never reaches Temporal)",
    )


def day_start_utc(d: date) -> datetime:
    """The first instant (UTC) of the UK date `d`."""
    return london_to_utc(d, 0)


def due_limit(today: date, days: int) -> datetime:
    """Exclusive upper bound for `EhcpNextDeadline`: midnight London after today + days."""
    return day_start_utc(today + timedelta(days=days + 1))


def visibility_query(flt: CaseFilter, today: date, caseworker_ref: str | None = None) -> str:
    """The Temporal list filter for `flt`; `today` is the UK date of the request;
    `caseworker_ref` is the staff reference of `flt.caseworker` (needed when that is set)."""
    clauses = [f"WorkflowType = '{WORKFLOW_TYPE}'"]
    if flt.overdue is not None:
        clauses.append(f"{OVERDUE} = {'true' if flt.overdue else 'false'}")
    if flt.due_within is not None:
        limit = due_limit(today, flt.due_within).strftime("%Y-%m-%dT%H:%M:%SZ")
        # an overdue case's missed duty is past, whatever its next pending deadline says
        clauses.append(f"({NEXT_DEADLINE} < '{limit}' OR {OVERDUE} = true)")
    # enum values and council codes are checked patterns: nothing here can break the quotes
    if flt.stage is not None:
        clauses.append(f"{STAGE} = '{flt.stage.value}'")
    if flt.decision_type is not None:
        clauses.append(f"{DECISION_TYPE} = '{flt.decision_type.value}'")
    if flt.council is not None:
        clauses.append(f"{COUNCIL} = '{flt.council}'")
    if flt.caseworker is not None:
        if caseworker_ref is None or not STAFF_REF_PATTERN.match(caseworker_ref):
            raise ValueError("a caseworker filter needs the caseworker's staff reference")
        clauses.append(f"{CASEWORKER} = '{caseworker_ref}'")
    return " AND ".join(clauses)


# -- cursor ---------------------------------------------------------------------------------


def _query_tag(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


def encode_cursor(query: str, token: bytes) -> str:
    """Opaque to callers: Temporal's page token, bound to the query it continues."""
    body = json.dumps({"q": _query_tag(query), "t": base64.b64encode(token).decode()})
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, query: str) -> bytes:
    """Temporal's page token from a cursor; BadInput if it is not one of ours or was made for
    other filters (a cursor continues the list it came from)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        tag, token = body["q"], base64.b64decode(body["t"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise BadInput.at(
            "/cursor", "not a cursor from this API (use next_cursor of the previous page)"
        ) from None
    if tag != _query_tag(query):
        raise BadInput.at(
            "/cursor", "this cursor continues a list with other filters; use the same filters"
        )
    return token
