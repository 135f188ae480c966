"""A back office typing in an existing case's history gets no false "missed" emails
(issue 10, fault 5): escalations and late notices wait for the next working-day reminder
time after the case learned of the deadline."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

from ehcp.case_state import CaseState
from ehcp.notices import first_slot_after
from ehcp.uktime import london_to_utc
from tests.workflow.harness import harness, make_case


def _keys(h) -> list[str]:
    return [
        message_from_bytes(p.read_bytes(), policy=default_policy)["X-EHCP-Key"] for p in h.outbox()
    ]


async def test_typing_in_history_sends_no_missed_emails_for_duties_done_on_time(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        decided = d0 - timedelta(days=40)
        handle = await h.start(make_case("RUT-HIST-1", "plan_content", decided))
        requested = decided + timedelta(days=9)
        receipt = await h.event(handle, "mediation_requested", date=requested, health_included=True)
        notice = next(d for d in receipt.deadlines if d.key == "icb_mediation_notice")
        assert notice.due < d0  # already past: the case learns of it late
        await h.event(
            handle, "obligation_met", deadline_key="icb_mediation_notice", date=notice.due
        )
        status = await h.status(handle)
        assert [k for k in _keys(h) if "/escalation/" in k or "/late_notice/" in k] == []
        icb = next(d for d in status.deadlines if d.key == "icb_mediation_notice")
        assert icb.status == "met"
        # the mediation itself (due 30 days after the request) was not recorded: it escalates,
        # numbered 1, no earlier than the next working-day reminder time
        session = next(d for d in status.deadlines if d.key == "mediation_session")
        state = CaseState(case=make_case("RUT-HIST-1", "plan_content", decided),
                          policy=_policy(h))  # fmt: skip
        gate = first_slot_after(state, session.created_at, working=True)
        # due to escalate no earlier than its escalate_from day's slot either
        due_at = max(gate, first_slot_after(state, london_to_utc(session.escalate_from, 0),
                                            working=True))  # fmt: skip
        # to an hour past that slot, whatever the shared server's date (a Christmas or Easter
        # run of closed days puts it more than 4 days off)
        await h.skip((due_at - await h.env.get_current_time()) / timedelta(days=1) + 1 / 24)
        escalations = [k for k in _keys(h) if "/escalation/" in k]
        assert escalations and all("mediation_session" in k for k in escalations)
        assert all("/escalation/1/" in k for k in escalations)
        sent = [r for r in (await h.status(handle)).reminders_sent if r.kind == "escalation"]
        assert min(r.sent_at for r in sent) >= gate


def _policy(h):
    from ehcp.case_state import ReminderPolicy
    from ehcp.models import Contact

    return ReminderPolicy(
        at=h.settings.reminder_time,
        spread_s=h.settings.reminder_spread_s,
        send_manager=Contact(name="SEND manager", email=h.settings.send_manager_email),
    )


async def test_withdrawing_the_appeal_with_nothing_pending_closes_the_case(time_env, tmp_path):
    """Issue 10 friction: a withdrawn appeal ends the appeal's clocks and the case closes by
    itself (reason withdrawn, closing emails sent) when nothing else is pending."""
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-WDRAW-9", "plan_content", d0 - timedelta(days=20)))
        await h.event(handle, "appeal_registered", date=d0 - timedelta(days=10),
                      tribunal_ref="EH1/26/10", placement_only=True)  # fmt: skip
        assert not (await h.status(handle)).nothing_pending
        receipt = await h.event(handle, "appeal_withdrawn", date=d0)
        assert receipt.stage == "closed"
        final = await handle.result()
        assert final.closed_reason == "withdrawn"
        assert any("/case_closed/parent" in k for k in _keys(h))
