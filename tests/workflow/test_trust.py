"""The workflow's own guards: a workflow id that is not its case's id fails the run at once,
and a send batch's outcomes are matched to messages by key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from activities.names import SEND_NOTIFICATIONS
from ehcp import timescales
from ehcp.notices import Delivery, Notification, SendOutcome
from ehcp.payloads import StartCase, workflow_id
from tests.sendgrid_fake import TEST_API_KEY, Answer, FakeSendGrid
from tests.workflow.fault_scenarios import CAL, _appeal_case
from tests.workflow.harness import harness, make_case
from worker import activity_functions
from workflows.disagreement import DisagreementWorkflow


async def test_a_workflow_id_that_is_not_the_case_id_fails_at_once(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        today = await h.today()
        case = make_case("RUT-2026-0931", "refusal_to_assess", today)
        handle = await time_env.client.start_workflow(
            DisagreementWorkflow.run,
            StartCase(case=case),
            id="ehcp-case-FORGED-0003",
            task_queue=h.settings.task_queue,
        )
        h.started.append(handle)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        cause = failed.value.cause
        assert cause.type == "WorkflowIdMismatch"
        assert "ehcp-case-RUT-2026-0931" in cause.message
        # past the day the appeal would be due: every reminder of such a case would have gone
        await h.skip((timescales.appeal(today, None, CAL).due - today).days + 1)
        assert h.outbox() == []
        history = await handle.fetch_history()
        kinds = {e.event_type for e in history.events}
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in kinds
        assert EventType.EVENT_TYPE_MARKER_RECORDED in kinds  # the patch marker only
        markers = [e for e in history.events if e.marker_recorded_event_attributes.marker_name]
        assert all(m.marker_recorded_event_attributes.marker_name == "core_patch" for m in markers)


def _batch_sender(answer):
    @activity.defn(name=SEND_NOTIFICATIONS)
    def send_notifications(batch: list[Notification]) -> list[SendOutcome]:
        return answer(batch)

    return send_notifications


def _delivered(n: Notification) -> SendOutcome:
    return SendOutcome(
        key=n.key, delivery=Delivery(key=n.key, transport="test", message_id=f"id-{n.key}")
    )


@asynccontextmanager
async def _case_with_batch(time_env, tmp_path, answer, ref: str):
    """A case whose reminders go through `answer` (a batch -> outcomes function); yields the
    harness, the case and the days from now to the morning after its appeal is due, when every
    reminder has gone. Counted from the case's own appeal date, never a fixed number of days:
    r.12(3)(a) moves an appeal due in August to September, so on the shared server's date
    (years ahead by then) a fixed 70 days can end before the first reminder."""
    async with harness(time_env, tmp_path) as h:
        # every other activity the workflow runs, as the real worker registers them
        activities = activity_functions(time_env.client, h.settings)
        activities[SEND_NOTIFICATIONS] = _batch_sender(answer)
        with ThreadPoolExecutor(max_workers=2) as executor:
            worker = Worker(
                time_env.client,
                task_queue=f"{h.settings.task_queue}-batch",
                workflows=[DisagreementWorkflow],
                activities=list(activities.values()),
                activity_executor=executor,
            )
            async with worker:
                today = await h.today()
                handle = await time_env.client.start_workflow(
                    DisagreementWorkflow.run,
                    StartCase(case=make_case(ref, "refusal_to_assess", today)),
                    id=workflow_id(ref),
                    task_queue=worker.task_queue,
                )
                h.started.append(handle)
                await h.event(handle, "mediation_adviser_contacted", date=today)
                yield h, handle, (timescales.appeal(today, None, CAL).due - today).days + 1


async def test_outcomes_in_another_order_are_matched_by_key(time_env, tmp_path):
    def reversed_with_one_failure(batch: list[Notification]) -> list[SendOutcome]:
        first, *rest = batch
        failed = SendOutcome(key=first.key, failure="refused by test", status_code=400)
        return [*(_delivered(n) for n in reversed(rest)), failed]

    async with _case_with_batch(time_env, tmp_path, reversed_with_one_failure, "RUT-KEY-1") as (
        h,
        handle,
        days,
    ):
        await h.skip(days)
        status = await h.status(handle)
        failed_keys = {f.key for f in status.delivery_failures}
        sent = {r.key: r for r in status.reminders_sent}
        assert failed_keys and not failed_keys & set(sent)
        for key, record in sent.items():
            assert record.message_id == f"id-{key}"  # its own outcome, not a neighbour's


async def test_a_send_batch_that_gives_up_is_recorded_and_the_case_carries_on(time_env, tmp_path):
    """SendGrid answers 500 to every try: on its last attempt the batch activity reports each
    message as failed, which is recorded with staff alerts through the outbox; the case runs
    on. (A last attempt that itself raises, a crash or a timeout, reaches the workflow as the
    activity's own error, not an ActivityError: local-activity-failures-caught records that
    the same way instead of failing the case; PlanningFailed is proven by the v3
    planning_failed history.)"""
    with FakeSendGrid() as fake:
        fake.script(*[Answer.error(500, "Internal error")] * 40)
        settings = {"sendgrid_api_key": TEST_API_KEY, "sendgrid_host": fake.url}
        async with harness(time_env, tmp_path, **settings) as h:
            handle, days = await _appeal_case(h, "RUT-GIVEUP-1")
            await h.skip(days + 1)
            description = await handle.describe()
            assert description.status == WorkflowExecutionStatus.RUNNING
            status = await h.status(handle)
            (failure,) = status.delivery_failures
            assert failure.role == "parent" and "500" in failure.reason
            alerts = [r for r in status.reminders_sent if r.kind == "delivery_failure"]
            assert {r.transport for r in alerts} == {"outbox"} and len(alerts) == 2


async def test_a_send_batch_whose_last_attempt_raises_does_not_fail_the_case(time_env, tmp_path):
    """The batch activity raises on its last attempt (here: at once, non-retryable). The
    local activity's own ApplicationError reaches the workflow, not an ActivityError: before
    local-activity-failures-caught it escaped the run and failed the whole case."""

    def crashes(batch: list[Notification]) -> list[SendOutcome]:
        raise ApplicationError("sender crashed (test)", non_retryable=True)

    async with _case_with_batch(time_env, tmp_path, crashes, "RUT-CRASH-1") as (h, handle, days):
        await h.skip(days)
        # raw: the Java test server stores an unset datetime attribute the typed decoder rejects
        request = DescribeWorkflowExecutionRequest(
            namespace=time_env.client.namespace,
            execution=WorkflowExecution(workflow_id=handle.id),
        )
        raw = await time_env.client.workflow_service.describe_workflow_execution(request)
        assert raw.workflow_execution_info.status == WorkflowExecutionStatus.RUNNING.value
        status = await h.status(handle)
        assert status.delivery_failures
        assert all(f.reason == "sender crashed (test)" for f in status.delivery_failures)


async def test_the_batch_cases_hold_on_a_june_decision(time_env, tmp_path):
    """A refusal decided on 2 June has its appeal due on 1 September (r.12(3)(a)), past 70 days:
    the batch cases above, once written with a fixed 70-day skip, failed whenever the shared
    server's clock had reached June (flaky in `make test`). Run them on such a date."""
    now = await time_env.get_current_time()
    await time_env.sleep(datetime(now.year + 1, 6, 2, 9, 30, tzinfo=UTC) - now)
    await test_outcomes_in_another_order_are_matched_by_key(time_env, tmp_path / "order")
    await test_a_send_batch_whose_last_attempt_raises_does_not_fail_the_case(
        time_env, tmp_path / "crash"
    )
