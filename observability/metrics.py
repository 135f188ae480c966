"""Prometheus metrics: the Temporal SDK runtime's own, and the service's counters.

One endpoint per worker process, served by the SDK's runtime (Rust core) at
EHCP_METRICS_ADDRESS (`host:port`, path /metrics; empty: off, the default, because several
workers on one host would need one port each). The SDK's series are `temporal_*` (task
latencies, schedule-to-start, failures, sticky cache; docs/operations.md). Ours are `ehcp_*`,
recorded through the SDK's metric meter, so that they share the endpoint and are never counted
twice when a workflow is replayed:

- ehcp_emails_sent{kind, role, transport}: messages the provider accepted (or the outbox
  wrote), once per message per activity attempt that delivered it.
- ehcp_emails_failed{kind, role, reason, status_code}: messages given up on. `reason`:
  `refused` (a permanent 4xx), `gave_up` (retries ran out) or `not_attempted` (the last
  attempt's time ran out before it).
- ehcp_escalations{deadline}: escalations sent to the caseworker for a missed duty.
- ehcp_deadlines_missed{deadline}: duties (council, health, social care) found missed, counted
  when their first escalation goes.
- ehcp_events_recorded{kind}: events accepted by a case (workflows/metrics.py).

Labels are fixed vocabularies (notice kind, role, deadline type, event kind, status code):
never a case reference, name or address.
"""

from __future__ import annotations

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

EMAILS_SENT = "ehcp_emails_sent"
EMAILS_FAILED = "ehcp_emails_failed"
ESCALATIONS = "ehcp_escalations"
DEADLINES_MISSED = "ehcp_deadlines_missed"
EVENTS_RECORDED = "ehcp_events_recorded"

SERVICE_COUNTERS = (EMAILS_SENT, EMAILS_FAILED, ESCALATIONS, DEADLINES_MISSED, EVENTS_RECORDED)


def runtime_for(address: str | None) -> Runtime | None:
    """A runtime exporting Prometheus metrics at `address` (`host:port`), or None (the SDK's
    default runtime, no endpoint) when `address` is empty. Durations are in seconds."""
    if not address:
        return None
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(bind_address=address, durations_as_seconds=True),
        )
    )
