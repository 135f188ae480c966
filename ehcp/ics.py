"""Calendar entries (.ics) for parents' deadline and meeting reminders.

One all-day event on the due date, with an alarm at 9am the day before. The UID is stable
per case and deadline key (`<case_ref>-<deadline key>@<council domain>`), so each reminder
updates the same entry rather than adding another: SEQUENCE rises with every message (it is
the number of minutes since 2020 when the file was made), and DTSTAMP is that moment. A
deadline moved by an event (an appeal moved by a certificate) keeps its UID, so the calendar
entry moves too.

Built while rendering, inside the notification activity: never a workflow payload. Its
summary says the action ("Appeal must reach the SEND Tribunal"); it holds the date, what to
do and the link that does it, the case reference and the council's links: no
names, addresses or needs, and it is marked private.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from ehcp.council import CouncilInfo
from ehcp.deadline import DeadlineSpec

#: SEQUENCE counts minutes from here: later files always win, and it fits in 32 bits.
#: (summary: the action, description: what to do and the link that does it, url or None)
Entry = tuple[str, str, str | None]

_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
#: The alarm: 9am the day before an all-day event (which starts at midnight).
ALARM_BEFORE = timedelta(hours=-15)


def uid(case_ref: str, deadline_key: str, council: CouncilInfo) -> str:
    return f"{case_ref}-{_slug(deadline_key)}@{council.domain}"


def filename(deadline_key: str) -> str:
    return f"{_slug(deadline_key)}.ics"


def sequence(now: datetime) -> int:
    return max(0, int((now - _SEQUENCE_EPOCH).total_seconds() // 60))


def deadline_calendar(
    case_ref: str,
    deadline: DeadlineSpec,
    entry: Entry,
    council: CouncilInfo,
    now: datetime,
) -> bytes:
    """A calendar with one entry: `deadline` on its due date."""
    return deadlines_calendar(case_ref, [(deadline, entry)], council, now)


def deadlines_calendar(
    case_ref: str,
    entries: list[tuple[DeadlineSpec, Entry]],
    council: CouncilInfo,
    now: datetime,
) -> bytes:
    """One calendar holding an entry for each (deadline, entry): the file attached to
    an email that lists several deadlines, so one import adds them all."""
    now = now.astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", f"-//{council.name}//SEND disagreements//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    for deadline, entry in entries:
        calendar.add_component(_event(case_ref, deadline, entry, council, now))
    return calendar.to_ical()


def _event(
    case_ref: str, deadline: DeadlineSpec, entry: Entry, council: CouncilInfo, now: datetime
) -> Event:
    summary, description, url = entry
    event = Event()
    event.add("uid", uid(case_ref, deadline.key, council))
    event.add("dtstamp", now)
    event.add("sequence", sequence(now))
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + timedelta(days=1))
    event.add("summary", f"{summary} (SEND case {case_ref})")
    event.add(
        "description",
        f"{description}\n\nCase reference: {case_ref}\n"
        f"Help: {council.name} SEND team, {council.send_team_email}",
    )
    if url:
        event.add("url", url)
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT")
    event.add("status", "CONFIRMED")

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", ALARM_BEFORE)
    alarm.add("description", f"Tomorrow: {summary}")
    event.add_component(alarm)
    return event


def _slug(key: str) -> str:
    """A deadline key as a safe name: "order:1:draft_plan" -> "order-1-draft-plan"."""
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
