"""A send batch's outcomes are paired with its messages by key, never by position."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from ehcp.notices import Delivery, Notification, SendOutcome
from workflows.outcomes import paired, reason


def _note(key: str) -> Notification:
    return Notification.model_construct(key=key)


def _ok(key: str) -> SendOutcome:
    return SendOutcome(key=key, delivery=Delivery(key=key, transport="outbox"))


def test_outcomes_in_any_order_go_to_their_own_message():
    notes = [_note("a"), _note("b"), _note("c")]
    outcomes = [_ok("c"), SendOutcome(key="a", failure="refused"), _ok("b")]
    assert [(n.key, o.key) for n, o in paired(notes, outcomes)] == [
        ("a", "a"),
        ("b", "b"),
        ("c", "c"),
    ]
    assert paired(notes, outcomes)[0][1].failure == "refused"


@pytest.mark.parametrize(
    "outcome_keys",
    [["a", "x"], ["a"], ["a", "b", "b"], ["a", "a"]],
    ids=["unknown key", "one missing", "one twice", "other missing"],
)
def test_a_batch_answer_that_does_not_match_fails_the_workflow_task(outcome_keys):
    """RuntimeError, not ApplicationError: the SDK fails the workflow task (retried, shown in
    the UI as a task failure) rather than the case, and nothing is recorded."""
    with pytest.raises(RuntimeError, match="send batch outcomes do not match its messages"):
        paired([_note("a"), _note("b")], [_ok(k) for k in outcome_keys])
    assert not issubclass(RuntimeError, ApplicationError)


def test_reason_of_a_local_activity_failure_is_its_message():
    assert reason(ApplicationError("SendGrid answered 500")) == "SendGrid answered 500"
