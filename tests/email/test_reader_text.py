"""Reader-facing words carry no notes on sources (issue 10, fault 6): every title the
statutory table gives, every deadline key, every notice kind and reader, subject, text, HTML
and calendar entry; titles recorded on older cases are cleaned too."""

from __future__ import annotations

import pytest

from ehcp import timescales
from ehcp.messages import UNCONFIRMED_FOR_STAFF, reader, render
from ehcp.reader_text import has_source_note, reader_basis, reader_title
from ehcp.told import told_notices
from tests.email.cases import COUNCIL, NOW
from tests.email.test_content import RICH, SPECS, VARIANTS

OLD_TITLE = "Mediation takes place (some sources say 'is arranged'; we track 'takes place')"


def _strings(n) -> list[str]:
    """Every string of `n`'s email; for staff, less the deliberate "basis unconfirmed" flag
    (issue 11), which parents never get."""
    email = render(n, COUNCIL, now=NOW)
    strings = [email.subject, email.text, email.html, *(a.data.decode() for a in email.attachments)]
    if reader(n.role) == "parent":
        assert not any(UNCONFIRMED_FOR_STAFF in text for text in strings)
        return strings
    return [text.replace(UNCONFIRMED_FOR_STAFF, "") for text in strings]


def test_no_title_in_the_statutory_table_carries_a_note_on_sources() -> None:
    noted = [r.name for r in timescales.RULES if has_source_note(r.title)]
    assert noted == []
    session = timescales.rule("mediation_session")
    assert session.title == "Mediation takes place"
    assert "some sources" in (session.source_note or "").lower()


@pytest.mark.parametrize("n", VARIANTS + RICH, ids=lambda n: n.key.split("/", 1)[1])
def test_no_email_or_calendar_entry_carries_a_note_on_sources(n) -> None:
    for text in _strings(n):
        assert not has_source_note(text), text


@pytest.mark.parametrize("key", sorted(SPECS))
def test_a_title_recorded_with_a_note_on_an_older_case_reaches_no_reader(key) -> None:
    old = SPECS[key].model_copy(
        update={"title": OLD_TITLE, "basis": "SEND Regs reg 34 (applied by analogy; unconfirmed)"}
    )
    for n in [v for v in VARIANTS if v.deadline and v.deadline.key.split(":")[0] == key]:
        for text in _strings(n.model_copy(update={"deadline": old})):
            assert not has_source_note(text), text


def test_reader_title_and_basis_keep_the_citation() -> None:
    assert reader_title(OLD_TITLE) == "Mediation takes place"
    assert reader_basis("SEND Regs regs 35-37 (numbering unconfirmed)") == "SEND Regs regs 35-37"
    assert reader_basis("HESC Rules r.20(1)(c)(i)") == "HESC Rules r.20(1)(c)(i)"


def test_replies_to_recommendations_carry_no_note_on_sources() -> None:
    from tests.unit.test_told_of_responses import _decided_case

    b = _decided_case()
    b.add("recommendation_response_sent", b.state.timeline[-1].event.date, recommendation=1,
          followed=False, reasons="Not offered here")  # fmt: skip
    for n in told_notices(b.state):
        old = n.deadline.model_copy(update={"title": OLD_TITLE})
        for text in _strings(n.model_copy(update={"deadline": old})):
            assert not has_source_note(text), text
