"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis), on the
real stack: no 5xx, and every response matches the document (status, content type, body).

Bounded to fit `make test`: FUZZ_EXAMPLES valid and as many invalid requests per operation.
The key belongs to a council of its own, so the cases it starts meet no other test.
"""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.apiclient import Api

pytestmark = pytest.mark.integration

FUZZ_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # an invalid request is refused (4xx), never accepted
]


def test_fuzz_every_operation(api: Api, capsys):
    document = httpx.get(f"{api.run.api_url}/api/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    headers = {"Authorization": f"Bearer {api.key('fuzzcouncil', 'manager', 'fuzzer')}"}
    session = requests.Session()
    calls: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=FUZZ_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case):
                label = f"{case.operation.method.upper()} {case.operation.path}"
                calls[label] += 1
                try:
                    case.call_and_validate(
                        base_url=api.run.api_url, session=session, headers=headers, checks=CHECKS
                    )
                except (AssertionError, FailureGroup) as failure:
                    failures.append(f"{label}: {str(failure)[:500]}")

            try:
                run()
            except Unsatisfiable:  # no invalid request exists (an operation without input)
                assert mode is GenerationMode.NEGATIVE
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} operations, {sum(calls.values())} requests, "
            f"{len(failures)} failures\n" + json.dumps(dict(calls), indent=1)
        )
    assert not failures, "\n".join(failures[:20])
