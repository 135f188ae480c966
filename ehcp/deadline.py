"""A computed deadline: what is due, when, who acts, and on what legal basis."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from ehcp.vocabulary import Party


class DeadlineSpec(BaseModel):
    """A due date decided once (outside workflow code) and then recorded in history."""

    model_config = ConfigDict(frozen=True)

    key: str  # stable key from process.md, e.g. "appeal", "order:1:draft_plan"
    title: str  # plain English, e.g. "Council issues the draft EHC plan"
    due: date  # UK local date
    party: Party
    basis: str  # citation as text, e.g. "HESC Rules r.20(1)(c); r.12(2), r.12(3)(a)"
    #: False where any part of the basis is unconfirmed (docs/law-unconfirmed.md): staff see
    #: "basis unconfirmed" beside the deadline
    confirmed: bool
    #: first working day after `due`; set only for parties whose missed deadlines escalate
    escalate_from: date | None = None
    #: how the date was reached when a rule moved it, in plain words
    note: str | None = None
    #: the row of `ehcp.timescales.RULES` it comes from (None on deadlines dated before it was
    #: recorded, and on dated meetings)
    rule: str | None = None
