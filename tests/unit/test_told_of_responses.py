"""The parent (and second contact) are told of each reply to a tribunal recommendation
(issue 10, fault 7; process.md: recommendation_response_sent, "parent told")."""

from __future__ import annotations

from datetime import date, timedelta

from ehcp.messages import render
from ehcp.notices import NoticeKind, Role
from ehcp.told import told_notices
from ehcp.uktime import london_to_utc
from tests.email.cases import COUNCIL, NOW
from tests.unit.casebuilder import SECOND, CaseBuilder, ev, make_case

DECIDED = date(2026, 10, 1)


def _decided_case() -> CaseBuilder:
    b = CaseBuilder(make_case(decision_date=DECIDED, second_contact=SECOND))
    b.add("appeal_registered", date(2026, 10, 5), tribunal_ref="EH1/26/5", placement_only=True,
          health_included=True, social_care_included=True)  # fmt: skip
    b.add("tribunal_decision", date(2027, 1, 8), outcome="allowed", recommendations=[
        {"addressed_to": "health", "summary": "Speech therapy"},
        {"addressed_to": "social_care", "summary": "Short breaks"},
    ])  # fmt: skip
    return b


def test_parent_and_second_contact_are_told_who_replied_and_whether_it_is_followed() -> None:
    b = _decided_case()
    assert told_notices(b.state) == []
    b.add("recommendation_response_sent", date(2027, 2, 1), recommendation=1, followed=True)
    told = told_notices(b.state)
    assert [(n.kind, n.role) for n in told] == [
        (NoticeKind.recommendation_response, Role.parent),
        (NoticeKind.recommendation_response, Role.second_contact),
    ]
    email = render(told[0], COUNCIL, now=NOW)
    assert email.subject == (
        "The local NHS (the ICB) will follow the tribunal's recommendation 1 (case RUT-2026-0042)"
    )
    assert email.text.count("The local NHS (the ICB) will follow the tribunal's") == 1
    assert "They will do what the tribunal recommended." in email.text
    assert "Get help" in email.text and COUNCIL.ipsea_url in email.text
    assert email.attachments == ()


def test_a_recommendation_not_followed_gives_the_reasons() -> None:
    b = _decided_case()
    b.add("recommendation_response_sent", date(2027, 2, 1), recommendation=2, followed=False,
          reasons="No short-break places this term")  # fmt: skip
    (n, _) = told_notices(b.state)
    email = render(n, COUNCIL, now=NOW)
    assert "The council's social care team will not follow the tribunal's" in email.subject
    assert "They will not do what the tribunal recommended." in email.text
    assert "No short-break places this term" in email.text
    assert "No short-break places this term" not in email.subject
    assert "No short-break places this term" in email.html


def test_told_once_and_not_of_old_replies_typed_in_later() -> None:
    b = _decided_case()
    b.add("recommendation_response_sent", date(2027, 2, 1), recommendation=1, followed=True)
    b.send(told_notices(b.state), london_to_utc(date(2027, 2, 1), 13))
    assert told_notices(b.state) == []
    # a reply made weeks before the back office recorded it is not news
    late = ev("recommendation_response_sent", date(2027, 2, 1), recommendation=2, followed=True)
    b.record(late, now=london_to_utc(date(2027, 2, 1) + timedelta(days=30), 12))
    assert told_notices(b.state) == []
