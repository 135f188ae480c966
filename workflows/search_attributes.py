"""Custom search attributes: plaintext on the server, so never personal data.

`SEARCH_ATTRIBUTES` (name -> Temporal type) is the single list that every place registering
them reads: the dev server in `make run`, the tests, and the compose set-up step.
"""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey

CASE_REF = SearchAttributeKey.for_keyword("EhcpCaseRef")
COUNCIL = SearchAttributeKey.for_keyword("EhcpCouncil")
DECISION_TYPE = SearchAttributeKey.for_keyword("EhcpDecisionType")
STAGE = SearchAttributeKey.for_keyword("EhcpStage")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("EhcpNextDeadline")
OVERDUE = SearchAttributeKey.for_bool("EhcpOverdue")
#: the caseworker's staff reference (security/staff_ref.py), never their email address
CASEWORKER = SearchAttributeKey.for_keyword("EhcpCaseworker")

ALL_KEYS = (CASE_REF, COUNCIL, DECISION_TYPE, STAGE, NEXT_DEADLINE, OVERDUE, CASEWORKER)

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
