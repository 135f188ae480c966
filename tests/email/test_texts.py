"""Text messages (ehcp/texts.py): the action and the date in full first, the case reference,
under 300 characters, and nothing a parent should not see."""

from __future__ import annotations

import pytest

from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.messages import PARENT_ROLES, headline
from ehcp.reader_text import has_source_note
from ehcp.texts import MAX_TEXT_LENGTH, text_message
from tests.email.cases import COUNCIL, parent_reminder
from tests.email.message_rules import STAFF_ONLY, every_message

MESSAGES = every_message()


def test_the_appeal_reminder_as_a_text() -> None:
    assert text_message(parent_reminder("appeal", 7), COUNCIL) == (
        "Your appeal must reach the SEND Tribunal by Tuesday 5 January 2027. "
        "Case RUT-2026-0117. We have emailed you the details. "
        "Questions: send@rutland.gov.uk. Rutland County Council SEND team"
    )


@pytest.mark.parametrize("n", MESSAGES, ids=lambda n: n.key.split("/", 1)[1])
def test_every_text_is_short_and_says_the_action_the_date_and_the_case(n) -> None:
    text = text_message(n, COUNCIL)
    assert len(text) < MAX_TEXT_LENGTH
    assert text.startswith(headline(n).plain + ".")
    assert f"Case {n.case_ref}." in text
    if n.deadline is not None and n.kind != "recommendation_response":
        assert format_long_date(n.deadline.due) in text
    if n.role in PARENT_ROLES:
        assert not has_source_note(text)
        assert not any(note in text for note in STAFF_ONLY)
        if n.deadline is not None and n.deadline.key not in ("way_forward_meeting", "hearing"):
            assert n.deadline.title not in text
    assert n.to.name not in text and n.to.email not in text


def test_a_text_that_would_be_too_long_is_refused_with_the_reason() -> None:
    wordy = CouncilInfo(name="The Council of " + "Very " * 40 + "Long Names")
    with pytest.raises(ValueError, match="at most 300"):
        text_message(parent_reminder("appeal", 7), wordy)
