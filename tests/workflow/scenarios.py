"""Representative cases, one per route, whose histories the replay test keeps.

`scripts/record_histories.py` runs each scenario on the time-skipping server and writes every
run's history to `tests/histories/<name>.json` (a continue-as-new case has one file per run);
`tests/workflow/test_replay.py` replays those files against the current workflow code.
Between them they cover every command the workflow issues: both activities, timers,
search attribute upserts, updates accepted, refused by the validator and failed inside the
handler, escalations, closure notices and continue-as-new.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from security.keys import Keyring
from tests.workflow.harness import Harness, make_case
from workflows import search_attributes as sa

#: the keyring of the histories recorded encrypted (`*_encrypted.json`); test keys only
HISTORY_KEYRING = Keyring("history-2026", {"history-2026": bytes(range(100, 132))}, "tests")

Scenario = Callable[[Harness], Awaitable[WorkflowHandle]]


async def _refused(h: Harness, handle: WorkflowHandle, kind: str, **fields) -> str:
    try:
        await h.event(handle, kind, **fields)
    except WorkflowUpdateFailedError as error:
        return str(error.cause)
    raise AssertionError(f"{kind} was accepted; the scenario expected a refusal")


async def mediation_appeal_decision(h: Harness) -> WorkflowHandle:
    """Mediation with health, a certificate, an appeal, a decision with two orders and two
    recommendations; one recommendation answered late after escalations."""
    d0 = await h.today()
    handle = await h.start(make_case("RUT-HIST-1", "plan_content", d0))
    await h.event(handle, "mediation_requested", date=d0, health_included=True)
    await h.event(handle, "obligation_met", date=d0, deadline_key="icb_mediation_notice")
    await h.skip(20)
    d1 = await h.today()
    await h.event(handle, "mediation_held", date=d1, outcome="no_agreement")
    await h.event(
        handle, "mediation_certificate_issued", date=d1, certificate_kind="mediation_completed"
    )
    await h.skip(10)
    d2 = await h.today()
    await h.event(
        handle,
        "appeal_registered",
        date=d2,
        tribunal_ref="EH123/26/00001",
        health_included=True,
        social_care_included=True,
    )
    await h.skip(30)
    await h.event(handle, "obligation_met", date=await h.today(), deadline_key="appeal_response")
    d3 = await h.today()
    await h.event(handle, "hearing_listed", date=d3, hearing_date=d3 + timedelta(days=40))
    await h.skip(41)
    d4 = await h.today()
    await h.event(
        handle,
        "tribunal_decision",
        date=d4,
        outcome="allowed",
        orders=["amend_provision", "amend_placement"],
        recommendations=[
            {
                "addressed_to": "health",
                "summary": "Review speech and language therapy",
                "contact": {"name": "ICB Commissioner", "email": "commissioner@icb.example"},
            },
            {"addressed_to": "social_care", "summary": "Short breaks assessment"},
        ],
    )
    await h.skip(10)
    d5 = await h.today()
    await h.event(handle, "obligation_met", date=d5, deadline_key="order:2:amended_plan")
    await h.event(handle, "obligation_met", date=d5, deadline_key="order:1:amended_plan")
    await h.event(handle, "recommendation_response_sent", date=d5, recommendation=2, followed=True)
    # recommendation 1 is due 5 weeks after the decision: let it be missed and escalated
    await h.skip(28)
    d6 = await h.today()
    await h.event(
        handle,
        "recommendation_response_sent",
        date=d6,
        recommendation=1,
        followed=False,
        reasons="Therapy already in place through the school",
    )
    await h.event(handle, "case_closed", date=d6, reason="obligations_met")
    await handle.result()
    return handle


async def way_forward_resolved(h: Harness) -> WorkflowHandle:
    """Rutland's local route: a meeting, reminders before it, resolved, closed."""
    d0 = await h.today()
    handle = await h.start(make_case("RUT-HIST-2", "refusal_to_assess", d0))
    await h.event(handle, "way_forward_meeting_requested", date=d0)
    meeting = d0 + timedelta(days=10)
    await h.event(handle, "way_forward_meeting_scheduled", date=d0, meeting_date=meeting)
    await h.skip(10.5)
    await h.event(handle, "way_forward_meeting_held", date=meeting, outcome="resolved")
    await h.event(handle, "case_closed", date=meeting, reason="resolved_by_agreement")
    await handle.result()
    return handle


async def placement_only_unopposed(h: Harness) -> WorkflowHandle:
    """A placement-only appeal (no certificate) that the council does not oppose."""
    d0 = await h.today()
    handle = await h.start(make_case("RUT-HIST-3", "amended_plan_content", d0))
    await h.skip(5)
    d1 = await h.today()
    await h.event(
        handle, "appeal_registered", date=d1, tribunal_ref="EH999/26/1", placement_only=True
    )
    await h.event(handle, "appeal_unopposed", date=d1, concessions=["amend_placement"])
    await h.skip(3)
    d2 = await h.today()
    await h.event(handle, "obligation_met", date=d2, deadline_key="order:1:amended_plan")
    await h.event(handle, "case_closed", date=d2, reason="obligations_met")
    await handle.result()
    return handle


async def withdrawal(h: Harness) -> WorkflowHandle:
    """Mediation declined, an appeal registered then withdrawn; the case closes."""
    d0 = await h.today()
    handle = await h.start(make_case("RUT-HIST-4", "cease_plan", d0))
    await h.event(handle, "mediation_declined", date=d0)
    await h.event(
        handle, "mediation_certificate_issued", date=d0, certificate_kind="information_only"
    )
    await h.event(handle, "appeal_registered", date=d0, tribunal_ref="EH1/26/2")
    await h.skip(3)
    d1 = await h.today()
    receipt = await h.event(handle, "appeal_withdrawn", date=d1)
    if receipt.stage != "closed":  # histories recorded before close-when-appeal-withdrawn
        await h.event(handle, "case_closed", date=d1, reason="withdrawn")
    await handle.result()
    return handle


async def continue_as_new(h: Harness) -> WorkflowHandle:
    """A meeting rescheduled eight times with a low history limit: two runs."""
    d0 = await h.today()
    # the limit is under the whole history of every generation so far (v7: 99 events)
    handle = await h.start(make_case("RUT-HIST-6", "plan_content", d0), history_limit=60)
    await h.event(handle, "way_forward_meeting_requested", date=d0)
    for n in range(1, 9):
        await h.event(
            handle,
            "way_forward_meeting_scheduled",
            date=d0,
            meeting_date=d0 + timedelta(days=20 + n),
        )
    await h.skip(14)
    d1 = await h.today()
    await h.event(handle, "way_forward_meeting_held", date=d1, outcome="resolved")
    await h.event(handle, "case_closed", date=d1, reason="resolved_by_agreement")
    await handle.result()
    return handle


async def rejected_updates(h: Harness) -> WorkflowHandle:
    """Refusals in the middle of a case: by the validator (never in history) and inside the
    handler (a duplicate sent concurrently passes the validator, then fails the re-check);
    a concession, one order step met, the other excepted (reg 44(3))."""
    d0 = await h.today()
    handle = await h.start(make_case("RUT-HIST-7", "refusal_to_issue_plan", d0))
    await h.event(handle, "mediation_declined", date=d0)
    await _refused(h, handle, "appeal_registered", date=d0, tribunal_ref="EH1/26/7")
    await _refused(h, handle, "mediation_declined", date=d0)
    await _refused(h, handle, "mediation_adviser_contacted", date=d0 + timedelta(days=3))
    results = await asyncio.gather(
        *(
            h.event(
                handle, "mediation_certificate_issued", date=d0, certificate_kind="information_only"
            )
            for _ in range(3)
        ),
        return_exceptions=True,
    )
    accepted = [r for r in results if not isinstance(r, BaseException)]
    assert len(accepted) == 1, results
    await h.event(handle, "appeal_registered", date=d0, tribunal_ref="EH1/26/7")
    await h.skip(2)
    d1 = await h.today()
    await _refused(h, handle, "tribunal_decision", date=d1, outcome="allowed", orders=["assess"])
    await h.event(handle, "appeal_unopposed", date=d1, concessions=["make_plan"])
    await h.event(handle, "obligation_met", date=d1, deadline_key="order:1:draft_plan")
    await _refused(h, handle, "obligation_met", date=d1, deadline_key="order:1:draft_plan")
    await h.event(
        handle,
        "exception_recorded",
        date=d1,
        deadline_key="order:1:final_plan",
        reason="away_from_area",
    )
    await h.event(handle, "case_closed", date=d1, reason="withdrawn")
    await handle.result()
    return handle


async def texts_and_receipts(h: Harness) -> WorkflowHandle:
    """A parent who chose email and texts (issue 14): the 2-day reminder goes both ways;
    delivery reports arrive as `record_delivery` updates: the email bounces (staff alerted
    from inside the update), the text fails for now (sent once more after a timer), a
    duplicate changes nothing; corrected details (`contact_updated`) clear the warning."""
    from ehcp.delivery_state import DeliveryReceipt, DeliveryReport, DeliveryReports
    from workflows.disagreement import DisagreementWorkflow

    d0 = await h.today()
    parent = {"name": "Sam Parent", "email": "sam.parent@example.org",
              "mobile": "07400 123456", "contact_preference": "both"}  # fmt: skip
    handle = await h.start(make_case("RUT-HIST-9", "refusal_to_assess", d0, parent=parent))
    await h.event(handle, "mediation_adviser_contacted", date=d0)
    due = next(d.due for d in (await h.status(handle)).deadlines if d.key == "appeal")
    await h.skip((due - d0).days - 1)  # past 9am, two days before the appeal is due
    sent = [n for n in (await h.status(handle)).reminders_sent if n.role == "parent"]
    email = next(n for n in sent if n.channel == "email" and "/reminder/2/" in n.key)
    text = next(n for n in sent if n.channel == "sms")
    now = await h.env.get_current_time()

    def report(n, status: str, event_id: str) -> DeliveryReport:
        return DeliveryReport(
            provider="sendgrid" if n.channel == "email" else "notify",
            event_id=event_id, case_ref="RUT-HIST-9", message_key=n.key, status=status,
            occurred_at=now, reason="550 no such user" if status == "bounce" else None,
        )  # fmt: skip

    reports = DeliveryReports(
        reports=[report(email, "bounce", "sg-1"), report(text, "temporary-failure", "n-1")]
    )
    for _ in range(2):  # the second time: all duplicates
        await handle.execute_update(
            DisagreementWorkflow.record_delivery, reports, result_type=DeliveryReceipt
        )
    await h.skip(1)  # the text goes once more
    d1 = await h.today()
    await h.event(handle, "contact_updated", date=d1, role="parent",
                  contact={"name": "Sam Parent", "email": "sam.right@example.org"})  # fmt: skip
    await h.event(handle, "case_closed", date=d1, reason="withdrawn")
    await handle.result()
    return handle


async def started_with_search_attributes(h: Harness) -> WorkflowHandle:
    """Started as service/ starts a case, with what identifies it in visibility (from the v6
    generation: patches-2026-12-in-one-marker upserts nothing then); an event that moves the
    stage, reminder wake-ups that change nothing listed (no record written), a deadline
    passed, closure."""
    d0 = await h.today()
    case = make_case("RUT-HIST-11", "plan_content", d0)
    handle = await h.start(case, search_attributes=sa.start_attributes(case))
    await h.event(handle, "mediation_requested", date=d0)
    await h.skip(60)
    await h.event(handle, "case_closed", date=await h.today(), reason="withdrawn")
    await handle.result()
    return handle


SCENARIOS: dict[str, Scenario] = {
    "mediation_appeal_decision": mediation_appeal_decision,
    "way_forward_resolved": way_forward_resolved,
    "placement_only_unopposed": placement_only_unopposed,
    "withdrawal": withdrawal,
    "continue_as_new": continue_as_new,
    "rejected_updates": rejected_updates,
    "texts_and_receipts": texts_and_receipts,
    "started_with_search_attributes": started_with_search_attributes,
}

# The paths with commands of their own, each with its fault (from the v3 generation on).
from tests.workflow.fault_scenarios import FAULT_SCENARIOS  # noqa: E402

SCENARIOS.update(FAULT_SCENARIOS)

#: also recorded through the encrypting converter (HISTORY_KEYRING), as production writes
ENCRYPTED = ("withdrawal",)
