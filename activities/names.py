"""Activity names and retry policies, importable by workflow code without the activities'
dependencies (holidays data, SendGrid client) entering the workflow sandbox."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

PLAN_CASE_START = "plan_case_start"
PLAN_EVENT = "plan_event_deadlines"
#: planning that also writes the case record of the state it leads to (runs started on
#: patches-2026-12-record-with-plan): one local activity per event and at start, not two
PLAN_AND_RECORD_START = "plan_and_record_case_start"
PLAN_AND_RECORD_EVENT = "plan_and_record_event"
SEND_NOTIFICATION = "send_notification"  # one message; runs started before batched sends
SEND_NOTIFICATIONS = "send_notifications"  # every message due at one wake-up, in one call
#: the staff reference of a new caseworker's email (the `EhcpCaseworker` search attribute)
STAFF_REF = "staff_ref"
WRITE_CASE_RECORD = "write_case_record"  # the case's record in the database (ehcp/records.py)

#: one record write: a database transaction, with room for a busy SQLite file
RECORD_TIMEOUT = timedelta(seconds=30)
#: a write during the case: a few quick tries, then the next wake-up tries again
RECORD_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=10), maximum_attempts=5)
#: the closing write: retried for as long as the database takes to come back
RECORD_FINAL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))

#: start-to-close of one notification attempt: the HTTP timeout (10 s) plus the ledger, with
#: room; also how long the sent ledger treats an unfinished attempt as still alive
SEND_TIMEOUT = timedelta(seconds=30)

#: one batch: its messages go one after another, each bounded by the HTTP timeout (10 s)
SEND_BATCH_TIMEOUT = timedelta(minutes=2)
#: backoffs at least this long wait on a workflow timer, not inside the workflow task, so
#: events are not held up while SendGrid is down
LOCAL_RETRY_THRESHOLD = timedelta(seconds=15)

#: Delivery errors that retrying cannot fix (bad request, bad key, refused, too large).
PERMANENT_DELIVERY_ERRORS = ["PermanentDeliveryError"]

NOTIFY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=30),
    maximum_attempts=20,
    non_retryable_error_types=PERMANENT_DELIVERY_ERRORS,
)
