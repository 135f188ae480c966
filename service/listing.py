"""List filters: the one definition (CaseFilter), as a query of the case records table (the
read model the case list is served from: store/case_records.py), and the opaque cursor of a
page of cases.

"Due within N days" means the next deadline's due date is on or before today + N, both UK
dates: in the case records, a date comparison. Temporal's visibility store is not a case
list: new cases keep there only what identifies them (workflows/search_attributes.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Collection
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from ehcp.models import CouncilCode
from ehcp.text_fields import EmailAddress
from ehcp.vocabulary import DecisionType, Stage
from service.callers import Caller
from service.errors import BadInput
from service.inputs import check_council
from store.case_records import RecordFilter, SortKey

#: the longest span `due_within` takes (ten years)
MAX_DAYS = 3660


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
    closed: bool | None = Field(
        default=None, description="true: only closed cases; false: only open ones; unset: both"
    )
    case_ref: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9-]+$",
        description="only cases whose reference contains this text (any case)",
    )


def scoped_filter(caller: Caller, flt: CaseFilter, councils: Collection[str]) -> CaseFilter:
    """`flt` as `caller` may list it: a council-bound caller (an API key, a signed-in person)
    lists its own council, and asking for another is BadInput at /council; for a caller of
    every council (the operator at the CLI), a council not configured (`councils`, the
    service's EHCP_COUNCILS_FILE) is BadInput rather than an empty list. The one check of
    the API, the CLI and the pages."""
    if caller.council is not None:
        if flt.council is not None and flt.council != caller.council:
            raise BadInput.at(
                "/council",
                f"your key is for council {caller.council} (allowed: {caller.council})",
                "council",
            )
        return flt.model_copy(update={"council": caller.council})
    if flt.council is not None:
        check_council(flt.council, councils)
    return flt


def record_filter(flt: CaseFilter, today: date, caseworker_ref: str | None = None) -> RecordFilter:
    """The filter as the case records table reads it; `today` is the UK date of the request,
    `caseworker_ref` the staff reference of `flt.caseworker` (security/staff_ref.py)."""
    return RecordFilter(
        caseworker_id=caseworker_ref,
        council=flt.council,
        closed=flt.closed,
        overdue=flt.overdue,
        due_by=None if flt.due_within is None else today + timedelta(days=flt.due_within),
        stage=flt.stage.value if flt.stage else None,
        decision_type=flt.decision_type.value if flt.decision_type else None,
        case_ref_contains=flt.case_ref,
    )


def list_tag(flt: CaseFilter) -> str:
    """What a cursor is bound to: the filters (not the day, so a list can be paged past
    midnight)."""
    return "records:" + flt.model_dump_json()


def encode_key(key: SortKey) -> bytes:
    """A page's continuation key (the list's rank, sort date, case reference: the whole of
    store.case_records.sort_key and the tie-break) as bytes."""
    return json.dumps([key[0], key[1].isoformat(), key[2]]).encode()


def decode_key(token: bytes) -> SortKey:
    """The continuation key of a cursor; BadInput if it is not one (a cursor from before the
    list put overdue cases first is not one either: start the list again)."""
    try:
        rank, due, ref = json.loads(token)
        if type(rank) is not int:
            raise TypeError(rank)
        return rank, date.fromisoformat(due), str(ref)
    except (ValueError, TypeError):
        raise BadInput.at(
            "/cursor", "not a cursor from this API (use next_cursor of the previous page)"
        ) from None


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
