from datetime import timedelta

from tests.workflow.harness import harness, make_case


async def test_start_and_record(time_env, tmp_path):
    async with harness(time_env, tmp_path) as h:
        today = await h.today()
        handle = await h.start(make_case("RUT-2026-0001", "refusal_to_assess", today))
        status = await h.status(handle) if False else None
        receipt = await h.event(handle, "mediation_declined", date=today)
        print(receipt)
        status = await h.status(handle)
        print(status.stage, [(d.key, d.due, d.status) for d in status.deadlines])
        await h.skip(10)
        status = await h.status(handle)
        print(status.stage, [(d.key, d.due, d.status) for d in status.deadlines])
        print([n.key for n in status.reminders_sent])
        print(await time_env.get_current_time(), timedelta(0))
