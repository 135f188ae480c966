"""One email per reader per wake-up, listing each deadline, with one .ics holding every
entry (issue 10, fault 8): a parent with mediation_contact and appeal due the same day got
two emails at the same minute (four with a second contact)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from icalendar import Calendar
from temporalio.testing import ActivityEnvironment

from activities.names import SEND_BATCH_TIMEOUT
from activities.notify import NotificationActivities, reader_groups
from activities.senders import build_senders
from ehcp.calculator import calculate
from ehcp.calendar import WorkingDayCalendar
from ehcp.notices import Role, due_notices
from ehcp.settings import Settings
from ehcp.uktime import london_to_utc
from tests.unit.casebuilder import SECOND, CaseBuilder, make_case
from tests.workflow.harness import harness
from tests.workflow.harness import make_case as workflow_case


def _same_day_batch():
    """The 7-day reminders of a case whose mediation_contact and appeal fall the same day."""
    b = CaseBuilder(make_case(decision_date=date(2026, 10, 1), second_contact=SECOND))
    assert b.due("mediation_contact") == b.due("appeal")
    at = london_to_utc(b.due("appeal") - timedelta(days=7), 9)
    return [n for n in due_notices(b.state, at) if n.role in (Role.parent, Role.second_contact)]


def _send(tmp_path: Path, batch):
    settings = Settings(
        outbox_dir=tmp_path / "outbox", database_url=f"sqlite:///{tmp_path / 'ehcp.db'}"
    )
    primary, fallback = build_senders(settings)
    activities = NotificationActivities(primary, fallback, settings.council)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=1, start_to_close_timeout=SEND_BATCH_TIMEOUT)
    return env.run(activities.send_notifications, batch), sorted(
        (tmp_path / "outbox").glob("*.eml")
    )


def test_each_reader_gets_one_email_listing_every_deadline_with_one_calendar(tmp_path) -> None:
    batch = _same_day_batch()
    assert len(batch) == 4  # 2 deadlines x (parent, second contact)
    assert len(reader_groups(batch)) == 2
    outcomes, files = _send(tmp_path, batch)
    assert [o.key for o in outcomes] == [n.key for n in batch]
    assert all(o.delivery for o in outcomes)
    assert len(files) == 2  # one per reader, not one per deadline
    by_reader = {o.delivery.message_id for o in outcomes}
    assert len(by_reader) == 2
    for path in files:
        message = message_from_bytes(path.read_bytes(), policy=default_policy)
        text = message.get_body(("plain",)).get_content()
        assert message["Subject"].startswith("2 things to do by ")
        assert "1. Contact a mediation adviser by " in text
        assert "2. Your appeal must reach the SEND Tribunal by " in text
        assert text.count("Get help") == 1 and text.count("the law behind the dates") == 1
        (calendar,) = [
            p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
        ]
        events = Calendar.from_ical(calendar.get_content()).walk("VEVENT")
        assert sorted(str(e["uid"]).split("@")[0] for e in events) == [
            "RUT-2026-0042-appeal",
            "RUT-2026-0042-mediation-contact",
        ]


def test_a_retried_batch_sends_no_email_twice(tmp_path) -> None:
    batch = _same_day_batch()
    first, files = _send(tmp_path, batch)
    again, files_again = _send(tmp_path, batch)
    assert files_again == files
    assert [o.delivery.message_id for o in again] == [o.delivery.message_id for o in first]


async def test_a_case_sends_the_parent_one_email_per_wake_up(time_env, tmp_path) -> None:
    async with harness(time_env, tmp_path) as h:
        d0 = await h.today()
        # The shared test server's clock is wherever earlier tests left it: take a decision
        # date whose mediation_contact and appeal fall on the same day (not moved by the
        # August or Christmas rule), as the calculator says.
        cal = WorkingDayCalendar.from_settings(Settings())
        for back in range(40, 100):
            decided = d0 - timedelta(days=back)
            due = {s.key: s.due for s in calculate(decided, cal=cal)}
            if due["mediation_contact"] == due["appeal"] > d0:
                break
        case = workflow_case("RUT-ONE-1", "plan_content", decided)
        handle = await h.start(case)
        status = await h.status(handle)
        dues = {d.key: d.due for d in status.deadlines}
        assert dues["mediation_contact"] == dues["appeal"]
        await h.skip((dues["appeal"] - d0).days + 1)
        to_parent = [message_from_bytes(p.read_bytes(), policy=default_policy) for p in h.outbox()]
        to_parent = [m for m in to_parent if m["X-EHCP-Key"].endswith("/parent")]
        sent = [r for r in (await h.status(handle)).reminders_sent if r.role == "parent"]
        # every parent notice went out, two deadlines per wake-up, in one email each time
        assert len(sent) == 2 * len(to_parent) and to_parent
