"""The case record write: a local activity the workflow runs at each change of what the case
list shows that no event's plan wrote (a deadline passed, a record the plan's write could not
store), and at closure (ehcp/records.py, store/case_records.py). At start and with each event
the planning activity writes it (activities/planned_records.py, since
patches-2026-12-record-with-plan; before it, this activity at each accepted event too)."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.names import WRITE_CASE_RECORD
from ehcp.records import CaseRecord
from security.codec import EncryptionCodec
from security.keys import KeyConfigError
from store.case_records import CaseRecords


class RecordActivities:
    """Writes to the database at `url`, sealing records with `codec` (the worker's payload
    codec: the same keys). The store is opened (and migrated) on first use. With no codec
    (a worker whose client does not encrypt, and no keys configured) nothing is written:
    a record is never stored in clear."""

    def __init__(
        self,
        url: str,
        codec: EncryptionCodec | None,
        staff_ref: Callable[[str], str] | None = None,
    ) -> None:
        self._url = url
        self._codec = codec
        self._staff_ref = staff_ref  # the caseworker's staff reference, for the list's filter
        self._store: CaseRecords | None = None

    def _caseworker_ref(self, email: str) -> str | None:
        """The staff reference for the list's caseworker filter; None (the record is still
        written, only that filter misses it) when the worker has no staff-reference key."""
        if self._staff_ref is None:
            return None
        try:
            return self._staff_ref(email)
        except KeyConfigError:
            activity.logger.warning("no staff reference key: the record has no caseworker id")
            return None

    @activity.defn(name=WRITE_CASE_RECORD)
    def write_case_record(self, record: CaseRecord) -> bool:
        """Store the record unless a newer one is stored (True if stored). Idempotent by case
        reference and event sequence: a retry or a replay never moves the record back."""
        if self._codec is None:
            raise ApplicationError(
                "no payload keys on this worker: case records are never stored unencrypted",
                type="NoPayloadKeys",
                non_retryable=True,
            )
        if self._store is None:
            self._store = CaseRecords(self._url, self._codec, self._caseworker_ref)
        return self._store.write(record)
