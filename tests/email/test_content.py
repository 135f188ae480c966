"""What every email says, and the files that carry it: templates, outbox .eml, .ics entries,
readability of parents' emails, and the sample in docs/."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from icalendar import Calendar

from activities.outbox import OutboxSender
from ehcp import ics
from ehcp.case_state import DeliveryFailure
from ehcp.dates_text import format_long_date
from ehcp.headlines import council_fields
from ehcp.messages import CLOSED_REASONS, PARENT_ROLES, WHAT_TO_DO, has_template, render
from ehcp.models import Contact
from ehcp.notices import NoticeKind, Notification, Role
from ehcp.parent_words import LATE_MORE, LATE_WHAT_YOU_CAN_DO, PARENT_REMINDERS
from ehcp.templates import WHAT_TO_DO as WORDS
from ehcp.vocabulary import ESCALATING_PARTIES, Party
from tests.email.cases import COUNCIL, NOW, parent_reminder, sample_parent_email
from tests.email.readability import score
from tests.unit.test_notices import PERSONAL, rich_case_notices

ROOT = Path(__file__).resolve().parents[2]
RICH = rich_case_notices()
#: one real deadline per key (the part before any ":"), as the planner makes them
SPECS = {n.deadline.key.split(":")[0]: n.deadline for n in RICH if n.deadline}
TEMPLATE = RICH[0]
PERSONAL_CONTACT = Contact(name="A <b> & Co", email="a@example.com")


def _variant(kind: NoticeKind, role: Role, key: str | None, **fields) -> Notification:
    people = {n.role: n.to for n in RICH}
    deadline = SPECS[key] if key else None
    extra = {
        NoticeKind.reminder: {"days_before": 7},
        NoticeKind.escalation: {"escalation": 2},
        NoticeKind.case_closed: {"closed_reason": "withdrawn"},
    }.get(kind, {})
    if kind == NoticeKind.delivery_failure:
        extra = {
            "fallback": True,
            "failure": DeliveryFailure(
                key=TEMPLATE.key,
                deadline_key=TEMPLATE.deadline.key,
                kind=TEMPLATE.kind,
                role=TEMPLATE.role,
                failed_at=NOW,
                status_code=400,
                reason="The to email does not contain a valid address.",
            ),
        }
    return TEMPLATE.model_copy(
        update={
            "key": f"{TEMPLATE.case_ref}/{key or 'case'}/{kind}/{role}",
            "kind": kind,
            "role": role,
            "to": people[role],
            "deadline": deadline,
            "days_before": None,
            "escalation": None,
            "closed_reason": None,
            "fallback": False,
            "failure": None,
            **extra,
            **fields,
        }
    )


def every_variant() -> list[Notification]:
    """Every kind for every deadline key and every reader, including pairs the planner never
    produces: each must still render completely."""
    out = []
    for key in SPECS:
        for role in Role:
            out.append(_variant(NoticeKind.reminder, role, key))
            out.append(_variant(NoticeKind.escalation, role, key))
            out.append(_variant(NoticeKind.late_notice, role, key))
            for party in ESCALATING_PARTIES:
                late = SPECS[key].model_copy(update={"party": party})
                out.append(_variant(NoticeKind.late_notice, role, key, deadline=late))
    for role in Role:
        for reason in CLOSED_REASONS:
            out.append(_variant(NoticeKind.case_closed, role, None, closed_reason=reason))
        out.append(_variant(NoticeKind.delivery_failure, role, None))
    return out


VARIANTS = every_variant()
#: parents' emails with words written for them (the planner never reminds a parent of, say,
#: the mediation adviser's certificate; those variants only have to render)
PARENT_EMAILS = [n for n in VARIANTS + RICH if n.role in PARENT_ROLES and has_template(n)]


# ----- templates ------------------------------------------------------------------------


def test_every_email_the_planner_produces_has_its_own_words() -> None:
    missing = [n.key for n in RICH if not has_template(n)]
    assert missing == []
    # the busy case uses nearly every template (not health-only mediation, nor social care's
    # agreed actions with a named contact, which need other cases)
    used = {(n.deadline.key.split(":")[0], "parent" if n.role in PARENT_ROLES else n.role)
            for n in RICH if n.kind == NoticeKind.reminder}  # fmt: skip
    written = {(key, who) for key, words in WORDS.items() for who in words}
    written |= {(key, "parent") for key in PARENT_REMINDERS}
    assert used <= written
    assert written - used == {("agreement_action", "social_care"), ("mediation_session", "health")}
    assert WORDS is WHAT_TO_DO


@pytest.mark.parametrize("n", VARIANTS, ids=lambda n: n.key.split("/", 1)[1])
def test_every_template_renders_completely(n: Notification) -> None:
    email = render(n, COUNCIL, now=NOW)
    for part in (email.subject, email.text, email.html):
        assert not re.search(r"\{\w*\}|\{\w+|\w+\}", part), part  # no placeholder left
        assert "None" not in part
    assert email.text.startswith(f"{COUNCIL.name.upper()}\n\nDear {n.to.name},\n\n")
    assert f"\n\n{COUNCIL.name} SEND team\n\n---\n\n" in email.text  # signed, then the footer
    assert n.case_ref in email.subject
    for secret in PERSONAL:
        assert secret not in email.subject
    if n.deadline is not None:
        assert format_long_date(n.deadline.due) in email.text
        # staff see the deadline's own title; parents never see an internal title
        if n.role not in PARENT_ROLES:
            assert n.deadline.title in email.text
        elif n.deadline.key not in ("way_forward_meeting", "hearing"):  # plain names already
            assert n.deadline.title not in email.text + email.subject
    if n.role in PARENT_ROLES:
        assert "Get help" in email.text
        for link in (COUNCIL.send_info_url, COUNCIL.local_offer_url, COUNCIL.ipsea_url,
                     COUNCIL.tribunal_url, COUNCIL.mediation_url):  # fmt: skip
            assert link in email.text and f'href="{link}"' in email.html
        assert "Legal basis" not in email.text
        # the law once, at the end, for those who want it
        assert email.text.count("the law behind the dates") == (n.deadline is not None)
    wants_calendar = n.kind == NoticeKind.reminder and n.role in PARENT_ROLES
    assert bool(email.attachments) == wants_calendar


def test_late_notices_name_who_is_late() -> None:
    spec = SPECS["recommendation_response"]
    for party, words in [
        (Party.health, "The local NHS (the ICB) is late: they had to"),
        (Party.social_care, "The council's social care team is late: they had to"),
        (Party.council, "The council is late: they had to"),
    ]:
        late = spec.model_copy(update={"party": party})
        text = render(_variant(NoticeKind.late_notice, Role.parent, "recommendation_response",
                               deadline=late), COUNCIL).text  # fmt: skip
        assert words in text
        if party == Party.health:
            assert "The council is late" not in text
            assert "a job for the NHS, not the council" in text


def test_escalations_differ_for_the_caseworker_and_the_send_manager() -> None:
    caseworker = render(_variant(NoticeKind.escalation, Role.caseworker, "order"), COUNCIL).text
    manager = render(_variant(NoticeKind.escalation, Role.send_manager, "order"), COUNCIL).text
    assert "record an exception with the reason" in caseworker
    assert "check with the caseworker" in manager
    assert "This is escalation 2." in caseworker and "This is escalation 2." in manager
    spec = SPECS["recommendation_response"]
    for party, chased in [(Party.health, True), (Party.social_care, False)]:
        late = spec.model_copy(update={"party": party})
        n = _variant(NoticeKind.escalation, Role.caseworker, spec.key.split(":")[0], deadline=late)
        assert ("Chase them" in render(n, COUNCIL).text) is chased


def test_meetings_are_on_a_date_and_deadlines_are_due_by_it() -> None:
    meeting = render(_variant(NoticeKind.reminder, Role.parent, "way_forward_meeting"), COUNCIL)
    assert " on " + format_long_date(SPECS["way_forward_meeting"].due) in meeting.subject
    assert meeting.subject.startswith("Your SEND way forward meeting is on ")
    assert "That is in 7 days." in meeting.text
    appeal = render(parent_reminder("appeal", 2).model_copy(update={"days_before": 1}), COUNCIL)
    assert "by Tuesday 5 January 2027. That is tomorrow." in appeal.text


def test_html_part_escapes_and_links() -> None:
    n = parent_reminder().model_copy(update={"to": PERSONAL_CONTACT})
    email = render(n, COUNCIL, now=NOW)
    assert "Dear A &lt;b&gt; &amp; Co," in email.html
    assert '<html lang="en">' in email.html
    assert f'<a href="mailto:{COUNCIL.send_team_email}"' in email.html


# ----- calendar entries -----------------------------------------------------------------


def calendar_event(data: bytes):
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    return event


def ics_of(n: Notification, now):
    (attachment,) = render(n, COUNCIL, now=now).attachments
    return calendar_event(attachment.data)


def test_parent_deadline_reminders_carry_an_all_day_calendar_entry() -> None:
    n = parent_reminder("appeal", 7)
    (attachment,) = render(n, COUNCIL, now=NOW).attachments
    assert (attachment.filename, attachment.content_type) == ("appeal.ics", "text/calendar")
    event = calendar_event(attachment.data)
    assert event.decoded("dtstart") == date(2027, 1, 5)
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert event.decoded("dtend") == date(2027, 1, 6)
    assert str(event["uid"]) == "RUT-2026-0117-appeal@rutland.gov.uk"
    assert event.decoded("dtstamp") == NOW
    assert event.decoded("sequence") == ics.sequence(NOW)
    assert str(event["class"]) == "PRIVATE"
    assert str(event["summary"]) == "Appeal must reach the SEND Tribunal (SEND case RUT-2026-0117)"
    assert COUNCIL.tribunal_url in str(event["description"])
    assert str(event["url"]) == COUNCIL.tribunal_url
    assert "Appeal received by the tribunal" not in attachment.data.decode()  # internal title
    (alarm,) = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(hours=-15)  # 9am the day before
    for secret in ["Sam Taylor", "sam.taylor@example.org"]:
        assert secret.encode() not in attachment.data


def test_each_reminder_updates_the_same_calendar_entry() -> None:
    """Same UID for every reminder of a deadline, and a higher SEQUENCE each time, so a
    calendar replaces the entry instead of adding another; a moved date keeps the UID."""
    times = [(14, NOW), (7, NOW + timedelta(days=7)), (2, NOW + timedelta(days=12))]
    events = [ics_of(parent_reminder("appeal", offset), at) for offset, at in times]
    assert len({str(e["uid"]) for e in events}) == 1
    sequences = [e.decoded("sequence") for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    n = parent_reminder("appeal", 7)
    moved = n.model_copy(
        update={"deadline": n.deadline.model_copy(update={"due": date(2027, 1, 18)})}
    )
    later = ics_of(moved, NOW + timedelta(days=1))
    assert str(later["uid"]) == str(events[0]["uid"])
    assert later.decoded("dtstart") == date(2027, 1, 18)
    assert later.decoded("sequence") > events[0].decoded("sequence")
    mediation = calendar_event(
        render(parent_reminder("mediation_contact"), COUNCIL).attachments[0].data
    )
    assert str(mediation["uid"]) == "RUT-2026-0117-mediation-contact@rutland.gov.uk"


def test_order_keys_make_safe_uids_and_file_names() -> None:
    assert (
        ics.uid("RUT-1", "order:2:draft_plan", COUNCIL) == "RUT-1-order-2-draft-plan@rutland.gov.uk"
    )
    assert ics.filename("agreement_action:1:final_plan") == "agreement-action-1-final-plan.ics"


# ----- the outbox -----------------------------------------------------------------------


def parse_eml(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=default_policy)


@pytest.mark.parametrize(
    "n",
    [parent_reminder("appeal", 7), parent_reminder("mediation_contact", 0), *RICH[:40:7]],
    ids=lambda n: n.key.split("/", 1)[1],
)
def test_outbox_files_are_rfc5322_messages_with_both_parts(n: Notification, tmp_path) -> None:
    email = render(n, COUNCIL, now=NOW)
    outbox = OutboxSender(tmp_path, "send-reminders@rutland.gov.uk", "send@rutland.gov.uk",
                          "Rutland County Council SEND team")  # fmt: skip
    message_id = outbox.send(n, email)
    (path,) = tmp_path.glob("*.eml")
    message = parse_eml(path)
    assert message["Message-ID"] == message_id
    assert message["Subject"] == email.subject
    assert message["To"].addresses[0].addr_spec == n.to.email
    assert message["From"].addresses[0].display_name == "Rutland County Council SEND team"
    assert message["Reply-To"] == "send@rutland.gov.uk"
    assert message["X-EHCP-Key"].strip() == n.key  # long keys are folded
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text.get_content() == email.text
    assert html.get_content().rstrip("\n") == email.html
    attachments = list(message.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [
        (a.filename, a.content_type) for a in email.attachments
    ]
    for part, attachment in zip(attachments, email.attachments, strict=True):
        assert part.get_payload(decode=True) == attachment.data  # byte for byte
        event = calendar_event(part.get_payload(decode=True))
        assert event.decoded("dtstart") == n.deadline.due
        assert str(event["uid"]) == ics.uid(n.case_ref, n.deadline.key, COUNCIL)
        assert event.walk("VALARM")


# ----- readability ----------------------------------------------------------------------

MAX_WORDS_PER_SENTENCE = 15
MIN_FLESCH = 70  # plain English, GOV.UK's aim (issue 18)
CONVOLUTED = (
    "Notwithstanding the aforementioned statutory obligations incumbent upon the local "
    "authority pursuant to regulation 44, the determination of appropriate remedial measures "
    "shall, in circumstances where the tribunal's order remains unimplemented, necessitate "
    "consideration of alternative dispute resolution mechanisms and, where applicable, "
    "judicial review proceedings, which parents are encouraged to contemplate."
)


def assert_readable(text: str) -> None:
    s = score(text)
    assert s.words_per_sentence <= MAX_WORDS_PER_SENTENCE, (s.words_per_sentence, text)
    assert s.flesch >= MIN_FLESCH, (s.flesch, text)


@pytest.mark.parametrize("n", PARENT_EMAILS, ids=lambda n: n.key.split("/", 1)[1])
def test_parent_emails_are_easy_to_read(n: Notification) -> None:
    assert_readable(render(n, COUNCIL, now=NOW).text)


def test_parent_words_are_easy_to_read_on_their_own() -> None:
    fields = council_fields(COUNCIL)
    words = [" ".join((*w.why, *w.send, *w.if_nothing)) for w in PARENT_REMINDERS.values()]
    words += [" ".join(w) for w in (*LATE_WHAT_YOU_CAN_DO.values(), *LATE_MORE.values())]
    assert len(words) >= 10
    for text in words:
        assert_readable(text.format(**fields))


def test_the_readability_check_rejects_convoluted_text() -> None:
    with pytest.raises(AssertionError):
        assert_readable(CONVOLUTED)
    s = score(CONVOLUTED)
    assert s.words_per_sentence > 40 and s.flesch < 20
    # and each half of the check fails on its own
    long_easy = " ".join(["the cat sat on the mat"] * 5) + "."
    assert score(long_easy).flesch > MIN_FLESCH
    with pytest.raises(AssertionError):
        assert_readable(long_easy)
    short_hard = "Notwithstanding jurisdictional considerations. Administrative determinations."
    assert score(short_hard).words_per_sentence <= MAX_WORDS_PER_SENTENCE
    with pytest.raises(AssertionError):
        assert_readable(short_hard)


# ----- the sample in docs ---------------------------------------------------------------


def test_the_sample_parent_email_in_docs_is_current() -> None:
    """docs/sample-parent-email.txt is the 7-day appeal reminder as rendered now.
    Regenerate: .venv/bin/python -m tests.email.cases > docs/sample-parent-email.txt"""
    sample = (ROOT / "docs" / "sample-parent-email.txt").read_text()
    assert sample == sample_parent_email()
    assert_readable(sample.split("\n\n", 1)[1])


def test_an_outbox_message_has_a_date_header(tmp_path) -> None:
    """RFC 5322 requires Date: (issue 10, friction)."""
    from email.utils import parsedate_to_datetime

    n = parent_reminder()
    sender = OutboxSender(tmp_path, "send-reminders@rutland.gov.uk", "send@rutland.gov.uk")
    sender.send(n, render(n, COUNCIL, now=NOW))
    (path,) = tmp_path.glob("*.eml")
    parsed = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert parsed["Date"] is not None
    assert parsedate_to_datetime(parsed["Date"]).tzinfo is not None


def test_the_worker_logs_each_email_without_addresses_or_names(tmp_path, caplog) -> None:
    """Each email written or sent is logged with the case, key and transport (friction)."""
    import logging

    from activities.notify import NotificationActivities

    n = parent_reminder()
    outbox = OutboxSender(tmp_path, "send-reminders@rutland.gov.uk", "send@rutland.gov.uk")
    with caplog.at_level(logging.INFO, logger="ehcp.notify"):
        NotificationActivities(outbox, outbox, COUNCIL).deliver(n)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "ehcp.notify"]
    assert n.case_ref in line and n.key in line and "outbox" in line
    assert n.to.email not in line and n.to.name not in line
