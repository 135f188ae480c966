"""Telling the family what happened: the parent (and second contact) are told of each reply
to a tribunal recommendation (process.md, `recommendation_response_sent`: "parent told").
Pure and deterministic, like `ehcp.notices`, whose keys and recipients it shares."""

from __future__ import annotations

from datetime import timedelta

from ehcp.case_state import CaseState
from ehcp.notices import NoticeKind, Notification, _notification, _parents
from ehcp.uktime import london_date

#: A response recorded this many days or more after it was sent (a back office entering an
#: older case's history) is not news to the family: they are not told of it again.
TOLD_WITHIN = timedelta(days=14)


def told_notices(state: CaseState) -> list[Notification]:
    """Tell the parent (and second contact) of each response to a tribunal recommendation
    (process.md: "parent told"): who responded, whether the recommendation will be followed,
    and the reasons when not. Due as soon as the response is recorded; not sent again."""
    sent = state.sent_keys()
    out: list[Notification] = []
    for recorded in state.timeline:
        event = recorded.event
        if event.kind != "recommendation_response_sent":
            continue
        if london_date(recorded.recorded_at) - event.date >= TOLD_WITHIN:
            continue
        deadline = state.deadlines.get(f"recommendation_response:{event.recommendation}")
        if deadline is None:
            continue
        for role, contact in _parents(state):
            n = _notification(
                state, deadline, NoticeKind.recommendation_response, recorded.seq, role, contact
            )
            if n.key not in sent:
                out.append(
                    n.model_copy(update={"followed": event.followed, "reasons": event.reasons})
                )
    return out
