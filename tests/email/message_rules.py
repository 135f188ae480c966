"""The checkable rules of issue 18, as functions the tests (and the readability table in
docs/messages/README.md) share: every message kind for every deadline key, for both readers.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ehcp.case_state import DeliveryFailure
from ehcp.notices import NoticeKind, Notification, Role
from ehcp.vocabulary import Party
from tests.email.cases import NOW
from tests.unit.test_notices import rich_case_notices

RICH = rich_case_notices()
SPECS = {n.deadline.key.split(":")[0]: n.deadline for n in RICH if n.deadline}
PEOPLE = {n.role: n.to for n in RICH}
TEMPLATE = RICH[0]
#: one reader of each kind: the parent, and staff (the caseworker)
READERS = (Role.parent, Role.caseworker)
#: kinds about a deadline, and the rest
DEADLINE_KINDS = (
    NoticeKind.reminder,
    NoticeKind.late_notice,
    NoticeKind.escalation,
    NoticeKind.recommendation_response,
)
#: words only staff may see (ehcp.messages: the case record, basis flags, how dates were got)
STAFF_ONLY = ("Legal basis:", "Case record:", "Basis unconfirmed", "How the date was worked out")
URL = re.compile(r"https?://[^\s<>\"]+")


def variant(kind: NoticeKind, role: Role, key: str | None, **fields) -> Notification:
    """A notification of `kind` to `role` about the deadline `key`, as the planner makes one."""
    extra: dict[str, object] = {
        NoticeKind.reminder: {"days_before": 7},
        NoticeKind.escalation: {"escalation": 1},
        NoticeKind.case_closed: {"closed_reason": "withdrawn"},
        NoticeKind.recommendation_response: {"followed": False, "reasons": "No places left."},
    }.get(kind, {})
    if kind == NoticeKind.delivery_failure:
        extra = {
            "fallback": True,
            "failure": DeliveryFailure(
                key=TEMPLATE.key,
                deadline_key="appeal",
                kind=NoticeKind.reminder,
                role=Role.parent,
                failed_at=NOW,
                status_code=400,
                reason="Does not contain a valid address.",
            ),
        }
    return TEMPLATE.model_copy(
        update={
            "key": f"{TEMPLATE.case_ref}/{key or 'case'}/{kind}/{role}",
            "kind": kind,
            "role": role,
            "to": PEOPLE[role],
            "deadline": SPECS[key] if key else None,
            "days_before": None,
            "escalation": None,
            "closed_reason": None,
            "fallback": False,
            "failure": None,
            "followed": None,
            "reasons": None,
            **extra,
            **fields,
        }
    )


def every_message() -> list[Notification]:
    """Every kind for every deadline key, for both readers; late notices for every party."""
    out = []
    for key in SPECS:
        for role in READERS:
            for kind in DEADLINE_KINDS:
                out.append(variant(kind, role, key))
            for party in (Party.health, Party.social_care):
                late = SPECS[key].model_copy(update={"party": party})
                out.append(variant(NoticeKind.late_notice, role, key, deadline=late))
    for role in READERS:
        out.append(variant(NoticeKind.case_closed, role, None))
        out.append(variant(NoticeKind.delivery_failure, Role.caseworker, None))
    out.append(variant(NoticeKind.recommendation_response, Role.parent, "recommendation_response",
                       followed=True))  # fmt: skip
    return out


class _Visible(HTMLParser):
    """The words a reader sees in an HTML part (not <head>), and where its links go."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.hrefs: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "title"):
            self._hidden += 1
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.words += words(data)


def words(text: str) -> list[str]:
    """Words, numbers and email addresses, in order (lower case: the text part's heading is
    in capitals); web addresses left out."""
    found = re.findall(r"[\w.'-]+@[\w.-]+\w|[A-Za-z0-9']+", URL.sub(" ", text))
    return [w.lower() for w in found]


def visible(html: str) -> _Visible:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser
