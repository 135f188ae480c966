"""A worker interceptor counting events recorded, by kind (ehcp_events_recorded).

Deterministic and sandbox-safe: it only reads the update's argument and adds to a counter from
`workflow.metric_meter()`, which the SDK leaves untouched while a workflow is replayed, so an
event is counted once, when it is first accepted. It issues no command: adding it needs no
patch (docs/workflow-changes.md).
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

EVENTS_RECORDED = "ehcp_events_recorded"  # observability.metrics.EVENTS_RECORDED
RECORD_EVENT = "record_event"


class MetricsInterceptor(Interceptor):
    """Pass to the Worker's `interceptors`."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return _CountEvents


class _CountEvents(WorkflowInboundInterceptor):
    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        result = await super().handle_update_handler(input)
        kind = getattr(input.args[0], "kind", None) if input.args else None
        if input.update == RECORD_EVENT and kind is not None:
            counter = workflow.metric_meter().create_counter(
                EVENTS_RECORDED, "events accepted by a case, by kind"
            )
            counter.add(1, {"kind": str(getattr(kind, "value", kind))})
        return result
