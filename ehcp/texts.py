"""Text messages (SMS, e.g. through GOV.UK Notify): the same rules as emails, within 300
characters: the action and the date in full first, the case reference, where to get help.

Pure: the delivery code sends what `text_message` returns. No names, needs or health detail.
"""

from __future__ import annotations

from ehcp.council import CouncilInfo
from ehcp.messages import for_readers, headline
from ehcp.notices import Notification

#: GOV.UK Notify counts a text over 160 characters as more than one; 300 is our limit.
MAX_TEXT_LENGTH = 300


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
