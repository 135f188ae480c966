"""The caseworker's staff reference, worked out where the key is (the worker), so that
workflow code sets the `EhcpCaseworker` search attribute without holding the key."""

from __future__ import annotations

from temporalio import activity

from activities.names import STAFF_REF
from ehcp.settings import Settings
from security.staff_ref import staff_ref, staff_ref_key


class StaffActivities:
    """The key is read at the first use (a worker in tests may have no payload keys; in
    production the worker does not start without them, and Settings checks
    EHCP_STAFF_REF_KEY when it loads)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._key: bytes | None = None

    @activity.defn(name=STAFF_REF)
    def staff_ref(self, email: str) -> str:
        """The reference: "st_" and 32 hex digits (security/staff_ref.py)."""
        if self._key is None:
            self._key = staff_ref_key(self._settings)
        return staff_ref(email, self._key)
