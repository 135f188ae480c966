"""Notifications for the email tests, built as the workflow builds them (no Temporal)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ehcp.council import CouncilInfo
from ehcp.messages import render
from ehcp.models import Contact
from ehcp.notices import Notification, Role, due_notices
from ehcp.uktime import london_to_utc
from tests.unit.casebuilder import CaseBuilder, make_case

COUNCIL = CouncilInfo()
SAMPLE_REF = "RUT-2026-0117"
SAMPLE_PARENT = Contact(name="Sam Taylor", email="sam.taylor@example.org")
#: The decision letter went on Thursday 5 November 2026: the appeal is due by Tuesday
#: 5 January 2027, and the 7-day reminder goes at 9am on Tuesday 29 December 2026.
SAMPLE_DECISION = date(2026, 11, 5)
SAMPLE_SENT_AT = london_to_utc(date(2026, 12, 29), 9)
#: a fixed moment for calendar stamps in tests
NOW = datetime(2026, 12, 29, 9, 0, 5, tzinfo=UTC)


def parent_reminder(key: str = "appeal", offset: int = 7, **case_fields) -> Notification:
    """A parent's reminder for `key` (appeal or mediation_contact) on the sample case."""
    case = make_case(
        case_ref=SAMPLE_REF,
        decision_type="plan_content",
        decision_date=SAMPLE_DECISION,
        parent=SAMPLE_PARENT,
        **case_fields,
    )
    b = CaseBuilder(case)
    deadline = b.state.deadlines[key]
    at = london_to_utc(date.fromordinal(deadline.due.toordinal() - offset), 9)
    (n,) = [n for n in due_notices(b.state, at) if n.deadline.key == key and n.role == Role.parent]
    return n


def sample_parent_email() -> str:
    """The text part of the 7-day appeal reminder: docs/sample-parent-email.txt."""
    n = parent_reminder("appeal", 7)
    email = render(n, COUNCIL, now=SAMPLE_SENT_AT)
    attached = ", ".join(a.filename for a in email.attachments)
    return (
        f"From: {COUNCIL.name} SEND team <send-reminders@rutland.gov.uk>\n"
        f"To: {n.to.name} <{n.to.email}>\n"
        f"Subject: {email.subject}\n"
        f"Attachment: {attached}\n\n"
        f"{email.text}"
    )


if __name__ == "__main__":  # python -m tests.email.cases > docs/sample-parent-email.txt
    print(sample_parent_email(), end="")


def race_sends(send, n, email, release=None, attempts: int = 8) -> list[object]:
    """`send(n, email)` from `attempts` threads released together; each thread's outcome is
    what `send` returned or, when it raised ApplicationError, the error's type. `release` (a
    threading.Event, the fake's `Answer.held`) is set once all but one have an outcome: the
    one request the fake holds stays in flight until every other attempt has been answered."""
    import threading

    from temporalio.exceptions import ApplicationError

    outcomes: list[object] = []
    start = threading.Barrier(attempts)

    def attempt() -> None:
        start.wait()
        try:
            outcomes.append(send(n, email))
        except ApplicationError as error:
            outcomes.append(error.type)
        if release is not None and len(outcomes) >= attempts - 1:
            release.set()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
