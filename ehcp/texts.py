"""Text messages (SMS, e.g. through GOV.UK Notify): the same rules as emails, within 300
characters: the action and the date in full first, the case reference, where to get help.

Pure: the delivery code sends what `text_message` returns. No names, needs or health detail.

Which reminders go as texts (`with_texts`, called by the workflow): a parent or second
contact whose `contact_preference` is `text` or `both`, with a UK mobile number, gets a text
for each of their reminders on the text offsets (`ReminderPolicy.text_offsets`: 2 days before
and the due day by default). With `text`, that text replaces the reminder email of the same
day; every other message (earlier reminders, notices, the case-closed summary) still goes by
email, as it carries the help links and the calendar file a text cannot.
"""

from __future__ import annotations

from ehcp.case_state import CaseState
from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.messages import for_readers, headline
from ehcp.notices import NoticeKind, Notification, Role

#: GOV.UK Notify counts a text over 160 characters as more than one; 300 is our limit.
MAX_TEXT_LENGTH = 300
#: readers who may choose texts: the family (staff are emailed)
TEXT_READERS = (Role.parent, Role.second_contact)
SMS_SUFFIX = "/sms"


def text_message(n: Notification, council: CouncilInfo) -> str:
    """The short text for `n`: "<action and date>. Case <ref>. <help>. <council>".

    E.g. "Your appeal must reach the SEND Tribunal by Tuesday 5 January 2027. Case
    RUT-2026-0117. We have emailed you the details. Questions: send@rutland.gov.uk.
    Rutland County Council SEND team". Raises ValueError if the council's name and address
    are so long that the text would pass MAX_TEXT_LENGTH characters."""
    lead = headline(for_readers(n)).plain
    parts = [
        f"{lead}.",
        f"Case {n.case_ref}.",
        "We have emailed you the details.",
        f"Questions: {council.send_team_email}.",
        f"{council.name} SEND team",
    ]
    text = " ".join(parts)
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(
            f"text message is {len(text)} characters; at most {MAX_TEXT_LENGTH} are allowed "
            "(shorten the council's name or SEND team address)"
        )
    return text


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


def personalisation(n: Notification, council: CouncilInfo) -> dict[str, str]:
    """The fields of the Notify text template (docs/notify-templates.md): the whole text as
    `message`, and the case reference and due date for councils that lay out their own."""
    return {
        "message": text_message(n, council),
        "case_ref": n.case_ref,
        "due_date": format_long_date(n.deadline.due) if n.deadline else "",
    }
