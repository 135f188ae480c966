"""What a caller is told when Temporal will not take an event: in words, never Temporal's
own text (a fresh user's trial got "FAILED_PRECONDITION: Unable to perform workflow
execution update due to Workflow Task in failed state" with the worker stopped)."""

from __future__ import annotations

from datetime import date

import pytest
from temporalio.service import RPCError, RPCStatusCode

from ehcp.models import parse_event
from ehcp.settings import Settings
from service.callers import operator
from service.errors import Unavailable
from service.operations import Cases


class _Refusing:
    """A Temporal client whose every update is refused with `status`."""

    def __init__(self, status: RPCStatusCode, message: str) -> None:
        self.status, self.message = status, message

    def get_workflow_handle(self, _workflow_id: str) -> _Refusing:
        return self

    async def execute_update(self, *_args, **_kwargs) -> None:
        raise RPCError(self.message, self.status, b"")


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (RPCStatusCode.FAILED_PRECONDITION, "the worker has not finished the case's last step"),
        (RPCStatusCode.UNAVAILABLE, "Temporal did not take the event (UNAVAILABLE"),
    ],
)
async def test_a_refused_update_says_nothing_was_recorded_and_what_to_do(status, words):
    internal = "Unable to perform workflow execution update due to Workflow Task in failed state."
    cases = Cases(_Refusing(status, internal), Settings())  # type: ignore[arg-type]
    cases._councils["RUT-2026-0001"] = "rutland"  # a case seen before: no describe call
    event = parse_event({"kind": "mediation_declined", "date": date(2026, 11, 2)})
    with pytest.raises(Unavailable) as refused:
        await cases.record_event(operator(), "RUT-2026-0001", event)
    message = str(refused.value)
    assert words in message
    assert "nothing was recorded" in message and "same event id" in message
    if status == RPCStatusCode.FAILED_PRECONDITION:
        assert "Workflow Task" not in message and "FAILED_PRECONDITION" not in message
