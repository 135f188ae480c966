"""A case that lives two years with hundreds of events: continue-as-new keeps everything."""

from __future__ import annotations

from datetime import timedelta

from tests.workflow.harness import harness, make_case

EVENTS = 300
DAYS = 730


async def test_two_years_and_hundreds_of_events_keep_their_timeline(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        handle = await h.start(make_case("RUT-LONG-1", "plan_content", d0), history_limit=1500)
        await h.event(handle, "way_forward_meeting_requested", date=d0)
        step = DAYS / (EVENTS - 1)
        for n in range(1, EVENTS):
            if n % 10 == 0:
                await h.skip(step * 10)
            today = await h.today()
            await h.event(
                handle,
                "way_forward_meeting_scheduled",
                date=today,
                meeting_date=today + timedelta(days=5 + n),
            )
        await h.skip(DAYS - ((await h.today()) - d0).days)  # to the end of the second year
        timeline = await h.timeline(handle)
        status = await h.status(handle)
        description = await handle.describe()

        assert [e.seq for e in timeline.events] == list(range(1, EVENTS + 1))
        assert (await h.today()) - d0 >= timedelta(days=DAYS)
        assert description.run_id != handle.result_run_id, "continue-as-new never happened"
        keys = [n.key for n in status.reminders_sent]
        assert len(keys) == len(set(keys)), "a reminder was sent twice across runs"
        # one email per reader per wake-up: notices sent together share one message
        emails = {(n.role, n.message_id) for n in status.reminders_sent}
        assert len(h.outbox()) == len(emails) and len(keys) >= 20
        # the parent's clocks ran out long ago and stayed as they were
        by_key = {d.key: d for d in status.deadlines}
        assert by_key["appeal"].status == "missed"
        assert by_key["mediation_contact"].status == "missed"
