"""Text messages: which reminders also (or instead) go as a text, and their words.

Pure and deterministic (the workflow calls `with_texts`). A parent or second contact whose
`contact_preference` is `text` or `both`, with a UK mobile number, gets a text for each of
their reminders on the text offsets (`ReminderPolicy.text_offsets`: 2 days before and the
due day by default). With `text`, that text replaces the reminder email of the same day; every
other message (earlier reminders, notices, the case-closed summary) still goes by email, as it
carries the help links and the calendar file a text cannot.

A text is short plain English: who it is from, what is due, the date in full and the case
reference; no name, need or health detail (a phone's lock screen shows it).
"""

from __future__ import annotations

from ehcp.case_state import CaseState
from ehcp.dates_text import format_long_date
from ehcp.notices import NoticeKind, Notification, Role

#: readers who may choose texts: the family (staff are emailed)
TEXT_READERS = (Role.parent, Role.second_contact)
SMS_SUFFIX = "/sms"


def with_texts(
    state: CaseState, due: list[Notification], *, skip_sent: bool = True
) -> list[Notification]:
    """`due` with each text reminder added after its email (and the email dropped when the
    reader chose texts only); text keys already sent or failed are left out (`skip_sent`)."""
    sent = state.sent_keys() if skip_sent else set()
    offsets = set(state.policy.text_offsets)
    out: list[Notification] = []
    for n in due:
        texted = (
            n.kind == NoticeKind.reminder
            and n.role in TEXT_READERS
            and n.days_before in offsets
            and n.to.texts()
        )
        if not texted:
            out.append(n)
            continue
        if n.to.emails_reminders():
            out.append(n)
        text = n.model_copy(update={"key": n.key + SMS_SUFFIX, "channel": "sms"})
        if text.key not in sent:
            out.append(text)
    return out


def personalisation(n: Notification, council_name: str) -> dict[str, str]:
    """The fields of the Notify text template (docs/notify-templates.md)."""
    assert n.deadline is not None, "text messages are reminders of a deadline"
    due = format_long_date(n.deadline.due)
    days = n.days_before
    action = "This is due today." if days == 0 else f"This is due in {days} days."
    return {
        "council": council_name,
        "title": n.deadline.title,
        "due_date": due,
        "case_ref": n.case_ref,
        "action": action,
    }


def text_body(fields: dict[str, str]) -> str:
    """The text as the Notify template renders it (the outbox writes exactly this)."""
    return (
        f"{fields['council']} SEND team: {fields['title']} by {fields['due_date']}. "
        f"{fields['action']} Case {fields['case_ref']}. "
        "Check your email for details, or reply to the SEND team by email."
    )
