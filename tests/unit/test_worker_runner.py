"""Workflow code runs sandboxed in the tests and unsandboxed as deployed (worker.py)."""

from __future__ import annotations

from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from ehcp.settings import Settings
from worker import workflow_runner


def test_the_tests_run_workflows_in_the_sandbox() -> None:
    assert Settings().workflow_sandbox is True  # tests/conftest.py
    assert isinstance(workflow_runner(Settings()), SandboxedWorkflowRunner)


def test_deployed_workers_run_workflows_unsandboxed(monkeypatch) -> None:
    monkeypatch.delenv("EHCP_WORKFLOW_SANDBOX")
    assert Settings().workflow_sandbox is False
    assert isinstance(workflow_runner(Settings()), UnsandboxedWorkflowRunner)
