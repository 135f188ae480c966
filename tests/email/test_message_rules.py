"""Issue 18's rules, checked on every message kind for every deadline key and both readers:
the subject starts with the action and holds the date in full; parents never see an
internal deadline title or a staff note; every web address in the text part is a link in the
HTML; parents' emails read easily; the text and HTML parts say the same thing."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from pydantic import ValidationError

from ehcp.council import CouncilInfo
from ehcp.dates_text import format_long_date
from ehcp.messages import PARENT_ROLES, headline, render, render_batch
from ehcp.notices import NoticeKind, Notification, Role
from ehcp.parent_words import PARENT_REMINDERS
from ehcp.reader_text import has_source_note
from tests.email.cases import COUNCIL, NOW, parent_reminder
from tests.email.message_rules import (
    SPECS,
    STAFF_ONLY,
    URL,
    every_message,
    variant,
    visible,
    words,
)
from tests.email.readability import score

MESSAGES = every_message()
MEETINGS = ("way_forward_meeting", "hearing")  # their titles are already plain words


def _id(n: Notification) -> str:
    return n.key.split("/", 1)[1]


def _is_parent(n: Notification) -> bool:
    return n.role in PARENT_ROLES


def _batches() -> list[list[Notification]]:
    """A parent's two deadlines on one day, a parent's mixed batch, and a staff batch."""
    same_day = [parent_reminder("mediation_contact", 7), parent_reminder("appeal", 7)]
    mixed = [
        variant(NoticeKind.reminder, Role.parent, "hearing"),
        variant(NoticeKind.late_notice, Role.parent, "appeal_response"),
        variant(NoticeKind.recommendation_response, Role.parent, "recommendation_response"),
    ]
    staff = [
        variant(NoticeKind.escalation, Role.caseworker, "appeal_response"),
        variant(NoticeKind.reminder, Role.caseworker, "order"),
    ]
    return [same_day, mixed, staff]


BATCHES = _batches()


@pytest.mark.parametrize("n", MESSAGES, ids=_id)
def test_the_subject_starts_with_the_action_and_its_date_in_full(n: Notification) -> None:
    email = render(n, COUNCIL, now=NOW)
    lead = headline(n)
    assert email.subject.startswith(lead.plain)
    assert email.subject.endswith(")") and n.case_ref in email.subject
    # the first line of the body says the same, the date in bold in HTML
    assert f"\n\n{lead.plain}" in email.text
    if lead.date:
        assert f"<strong>{lead.date}</strong>" in email.html
    if n.deadline is not None and n.kind != NoticeKind.recommendation_response:
        assert format_long_date(n.deadline.due) in email.subject
    if _is_parent(n) and n.kind == NoticeKind.reminder:
        words_for = PARENT_REMINDERS.get(n.deadline.key.split(":")[0])
        if words_for:
            assert words_for.headline.split(" {when}")[0] in email.subject


@pytest.mark.parametrize("n", [n for n in MESSAGES if _is_parent(n)], ids=_id)
def test_parents_never_see_internal_titles_or_staff_notes(n: Notification) -> None:
    email = render(n, COUNCIL, now=NOW)
    for part in (email.subject, email.text, email.html):
        for note in STAFF_ONLY:
            assert note not in part
        assert not has_source_note(part)
        if n.deadline is not None and n.deadline.key not in MEETINGS:
            assert n.deadline.title not in part
    for attachment in email.attachments:
        if n.deadline.key not in MEETINGS:
            assert n.deadline.title.encode() not in attachment.data


@pytest.mark.parametrize("n", MESSAGES, ids=_id)
def test_every_web_address_in_the_text_is_a_link_in_the_html(n: Notification) -> None:
    email = render(n, COUNCIL, now=NOW)
    hrefs = set(visible(email.html).hrefs)
    for url in URL.findall(email.text):
        assert url in hrefs, url
    assert "<img" not in email.html  # nothing needs images


@pytest.mark.parametrize("n", MESSAGES, ids=_id)
def test_the_text_part_says_what_the_html_says(n: Notification) -> None:
    email = render(n, COUNCIL, now=NOW)
    assert visible(email.html).words == words(email.text)


@pytest.mark.parametrize("batch", BATCHES, ids=["same_day", "mixed", "staff"])
def test_batch_emails_follow_the_same_rules(batch: list[Notification]) -> None:
    email = render_batch(batch, COUNCIL, now=NOW)
    assert visible(email.html).words == words(email.text)
    for url in URL.findall(email.text):
        assert url in visible(email.html).hrefs
    for number, n in enumerate(batch, start=1):
        assert f"\n\n{number}. {headline(n).plain}\n" in email.text
    if _is_parent(batch[0]):
        assert_readable(email.text)
        assert email.text.count("Get help") == 1
        for n in batch:
            if n.deadline.key not in MEETINGS:
                assert n.deadline.title not in email.text + email.subject


def test_batch_subjects_say_how_many_things_and_the_first_date() -> None:
    same_day, mixed, staff = (render_batch(b, COUNCIL, now=NOW).subject for b in BATCHES)
    assert same_day == "2 things to do by Tuesday 5 January 2027 (case RUT-2026-0117)"
    first = format_long_date(min(n.deadline.due for n in BATCHES[1]))
    assert mixed.startswith(f"3 updates on your SEND case, the first dated {first}")
    assert staff.startswith("1 overdue, 2 items on case RUT-2026-0042")


# ----- readability ----------------------------------------------------------------------

MAX_WORDS_PER_SENTENCE = 15
MIN_FLESCH = 70


def assert_readable(text: str) -> None:
    s = score(text)
    assert s.words_per_sentence <= MAX_WORDS_PER_SENTENCE, (s.words_per_sentence, text)
    assert s.flesch >= MIN_FLESCH, (s.flesch, text)


@pytest.mark.parametrize("n", [n for n in MESSAGES if _is_parent(n)], ids=_id)
def test_every_parent_message_reads_easily(n: Notification) -> None:
    assert_readable(render(n, COUNCIL, now=NOW).text)


# ----- help links and the council's look ------------------------------------------------


def test_a_missing_help_link_is_left_out_not_replaced_by_the_home_page() -> None:
    n = parent_reminder("appeal", 7)
    bare = COUNCIL.model_copy(update={"local_offer_url": None, "mediation_url": None})
    email = render(n, bare, now=NOW)
    assert "local offer" not in email.text and "free mediation" not in email.text
    assert COUNCIL.sendiass_url is None  # Rutland: no SENDIASS page found on its site
    assert "Rutland SENDIASS" not in render(n, COUNCIL, now=NOW).text
    with_sendiass = COUNCIL.model_copy(update={"sendiass_url": "https://sendiass.example.org"})
    email = render(n, with_sendiass, now=NOW)
    assert "Rutland SENDIASS: free advice for families: https://sendiass.example.org" in email.text
    assert 'href="https://sendiass.example.org"' in email.html
    for url in URL.findall(render(n, COUNCIL, now=NOW).text):
        assert url.rstrip("/") != "https://www.rutland.gov.uk"  # never the home page


def test_the_council_name_and_colours_are_configurable() -> None:
    council = CouncilInfo(
        name="Example Borough Council",
        header_colour="#00703c",
        header_text_colour="#ffffff",
        send_team_email="send@example.gov.uk",
    )
    email = render(parent_reminder("appeal", 7), council, now=NOW)
    assert "background-color: #00703c" in email.html
    assert email.text.startswith("EXAMPLE BOROUGH COUNCIL\n\n")
    assert "Example Borough Council SEND team" in email.text
    with pytest.raises(ValidationError, match="header_colour"):
        CouncilInfo(header_colour="red; background: url(x)")


def test_the_html_is_dark_mode_aware_and_fits_a_phone() -> None:
    html = render(parent_reminder("appeal", 7), COUNCIL, now=NOW).html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "prefers-color-scheme: dark" in html
    assert "max-width: 580px" in html and 'name="viewport"' in html


# ----- calendar entries -----------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(PARENT_REMINDERS))
def test_calendar_summaries_say_the_action_and_descriptions_carry_the_link(key: str) -> None:
    n = variant(NoticeKind.reminder, Role.parent, key)
    (attachment,) = render(n, COUNCIL, now=NOW).attachments
    (event,) = Calendar.from_ical(attachment.data).walk("VEVENT")
    assert str(event["summary"]).startswith(PARENT_REMINDERS[key].calendar)
    assert SPECS[key].title not in str(event["summary"]) or key in MEETINGS
    description = str(event["description"])
    assert URL.search(description), description
    assert str(event["url"]) in description


def test_the_equal_content_check_sees_what_only_the_html_would_say() -> None:
    email = render(parent_reminder("appeal", 7), COUNCIL, now=NOW)
    seen = visible(email.html).words
    assert seen[:5] == ["rutland", "county", "council", "dear", "sam"]  # header bar, then body
    assert seen[-4:] == ["reply", "and", "tell", "us"]  # the footer is read too
    extra = email.html.replace("</body>", "<p>Only in HTML</p></body>")
    assert visible(extra).words != words(email.text)


def test_sendiass_is_named_only_when_its_link_is_given() -> None:
    reply = variant(NoticeKind.recommendation_response, Role.parent, "recommendation_response")
    assert "SENDIASS" not in render(reply, COUNCIL, now=NOW).text  # Rutland: no link set
    linked = COUNCIL.model_copy(update={"sendiass_url": "https://sendiass.example.org"})
    text = render(reply, linked, now=NOW).text
    assert "Rutland SENDIASS and IPSEA give free advice." in text
    assert "- Rutland SENDIASS: free advice for families: https://sendiass.example.org" in text
