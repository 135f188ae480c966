"""Every value of the domain's vocabularies has a label on the pages: a decision type or stage
added to ehcp.vocabulary must not reach staff as a raw code (the fresh-user trial found
refusal_to_reassess missing from the start-a-case form and the calculator)."""

from __future__ import annotations

from ehcp.vocabulary import DecisionType, Party, Stage
from web.words import DECISION_TYPES, PARTY, STAGES


def test_every_decision_type_has_a_label() -> None:
    assert set(DECISION_TYPES) == set(DecisionType)


def test_every_stage_has_a_label() -> None:
    assert set(STAGES) == set(Stage)


def test_every_party_has_a_label() -> None:
    assert set(PARTY) == set(Party)
