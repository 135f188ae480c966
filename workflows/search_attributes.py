"""Custom search attributes: plaintext on the server, so never personal data.

`SEARCH_ATTRIBUTES` (name -> Temporal type) is the single list that every place registering
them reads: the dev server in `make run`, the tests, and the compose set-up step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

if TYPE_CHECKING:  # run as a script by set-up steps: no domain import at run time
    from ehcp.models import Case

CASE_REF = SearchAttributeKey.for_keyword("EhcpCaseRef")
COUNCIL = SearchAttributeKey.for_keyword("EhcpCouncil")
DECISION_TYPE = SearchAttributeKey.for_keyword("EhcpDecisionType")
#: This and the ones below: no longer written for cases started on
#: `patches-2026-12-in-one-marker` (they change with events; the case list reads the case
#: records instead). Still registered: older cases hold them.
STAGE = SearchAttributeKey.for_keyword("EhcpStage")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("EhcpNextDeadline")
OVERDUE = SearchAttributeKey.for_bool("EhcpOverdue")
#: the caseworker's staff reference (security/staff_ref.py), never their email address
CASEWORKER = SearchAttributeKey.for_keyword("EhcpCaseworker")

ALL_KEYS = (CASE_REF, COUNCIL, DECISION_TYPE, STAGE, NEXT_DEADLINE, OVERDUE, CASEWORKER)


def _identity_values(case: Case) -> list[tuple[SearchAttributeKey, str]]:
    """What identifies a case and never changes (its stage does, with about one event in
    three, and so is not here: the case list and its records carry it)."""
    return [
        (CASE_REF, case.case_ref),
        (COUNCIL, case.council),
        (DECISION_TYPE, case.decision_type.value),
    ]


def identity_attributes(case: Case) -> list[SearchAttributeUpdate]:
    """The identifying attributes of `case`, as upserts (workflow code)."""
    return [key.value_set(value) for key, value in _identity_values(case)]


def start_attributes(case: Case) -> TypedSearchAttributes:
    """The identifying attributes a case starts with (`search_attributes=` of
    start_workflow): with them, a case started on `patches-2026-12-in-one-marker` upserts
    no search attribute in its whole life."""
    return TypedSearchAttributes(
        [SearchAttributePair(key, value) for key, value in _identity_values(case)]
    )


_TYPE_NAMES = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "BOOL": "Bool"}

#: name -> type name as the Temporal CLI spells it (`--search-attribute Name=Type`)
SEARCH_ATTRIBUTES: dict[str, str] = {
    key.name: _TYPE_NAMES[key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_")]
    for key in ALL_KEYS
}


async def register(client: Client, namespace: str = "default") -> None:
    """Register them on a server the code started itself (tests, benchmarks)."""
    request = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={
            key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in ALL_KEYS
        },
    )
    await client.operator_service.add_search_attributes(request)


if __name__ == "__main__":
    # Used by shell set-up steps: prints "Name=Type" per line.
    for name, kind in SEARCH_ATTRIBUTES.items():
        print(f"{name}={kind}")
