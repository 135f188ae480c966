"""The host's clock as this process reads it (epoch seconds), with a test hook.

Only things that are about this host's own time use it (a 429's reset time, which SendGrid
gives in epoch seconds; the clock reading the sent ledger records beside a claim, so skewed
hosts show). Leases in the sent ledger never do: they use the database's clock.

`EHCP_HOST_CLOCK_OFFSET_S` (seconds, tests only) shifts this clock, to simulate a host whose
clock is wrong (tests/email/test_ledger_hosts.py runs a worker 31 s ahead).
"""

from __future__ import annotations

import os
import time

OFFSET_VARIABLE = "EHCP_HOST_CLOCK_OFFSET_S"


def host_time() -> float:
    """Epoch seconds by this host's clock (shifted by EHCP_HOST_CLOCK_OFFSET_S when set)."""
    return time.time() + float(os.environ.get(OFFSET_VARIABLE) or 0.0)
