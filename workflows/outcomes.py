"""Pure helpers of the workflow for activity outcomes: which errors a local activity's last
failure arrives as, its reason in one line, and a send batch's outcomes paired by key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

if TYPE_CHECKING:  # annotations only: the workflow passes ehcp through its sandbox
    from ehcp.notices import Notification, SendOutcome

#: what awaiting a (local) activity raises when it gave up: ActivityError for an activity; for
#: a local activity (SDK 1.35) the activity's own ApplicationError, or a TimeoutError
LOCAL_ACTIVITY_FAILURES = (ActivityError, ApplicationError, TimeoutError)


def reason(error: Exception) -> str:
    """The failure's message, from its cause for an ActivityError."""
    cause = error.cause if isinstance(error, ActivityError) else error
    return getattr(cause, "message", None) or str(cause or error)


def paired(
    notifications: list[Notification], outcomes: list[SendOutcome]
) -> list[tuple[Notification, SendOutcome]]:
    """Each message with the outcome of the same key. A batch answer that does not match its
    messages one for one fails the workflow task (visible, retried) rather than record one
    message's outcome against another."""
    by_key = {outcome.key: outcome for outcome in outcomes}
    keys = [n.key for n in notifications]
    if len(by_key) != len(outcomes) or set(by_key) != set(keys) or len(set(keys)) != len(keys):
        raise RuntimeError(
            "send batch outcomes do not match its messages: sent "
            f"{sorted(keys)}, outcomes for {sorted(o.key for o in outcomes)}"
        )
    return [(n, by_key[n.key]) for n in notifications]
