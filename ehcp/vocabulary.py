"""The stable names of the process (see shared/docs/process.md, "Stable names").

Back-office systems key on these values, so they never change once released.
"""

from __future__ import annotations

from enum import StrEnum


class DecisionType(StrEnum):
    """The council decision the family disagrees with."""

    refusal_to_assess = "refusal_to_assess"
    refusal_to_issue_plan = "refusal_to_issue_plan"
    plan_content = "plan_content"
    refusal_to_amend = "refusal_to_amend"
    amended_plan_content = "amended_plan_content"
    cease_plan = "cease_plan"
    #: not to secure a re-assessment after a request (CFA 2014 s.51(2)(d))
    refusal_to_reassess = "refusal_to_reassess"


class Party(StrEnum):
    """Who must act by a deadline (and so who is reminded)."""

    parent = "parent"
    council = "council"
    mediation_adviser = "mediation_adviser"
    health = "health"  # the ICB / health commissioners
    social_care = "social_care"  # the council's social care service
    everyone = "everyone"  # dated meetings: reminders only, nobody "misses" them


#: Parties whose missed deadlines escalate to the caseworker and SEND manager.
ESCALATING_PARTIES = frozenset({Party.council, Party.health, Party.social_care})


class OrderType(StrEnum):
    """Tribunal orders (reg 44) and concessions on an unopposed appeal (reg 45)."""

    assess = "assess"
    make_plan = "make_plan"
    reconsider = "reconsider"
    amend_provision = "amend_provision"
    amend_placement = "amend_placement"
    continue_plan = "continue_plan"
    continue_and_amend = "continue_and_amend"
    cease_plan = "cease_plan"


class DeadlineStatus(StrEnum):
    pending = "pending"
    met = "met"
    missed = "missed"  # past due and not met
    met_late = "met_late"
    excepted = "excepted"  # reg 44(3) exception recorded: the limit is suspended
    cancelled = "cancelled"  # the route it belonged to ended


#: Statuses after which no reminder or escalation is ever sent.
CLOSED_STATUSES = frozenset(
    {DeadlineStatus.met, DeadlineStatus.met_late, DeadlineStatus.excepted, DeadlineStatus.cancelled}
)


class Stage(StrEnum):
    """Where the case is; the furthest route reached (routes can overlap)."""

    decision = "decision"  # decision letter sent, nothing else yet
    way_forward = "way_forward"
    mediation = "mediation"
    appeal = "appeal"
    compliance = "compliance"  # tribunal decided, or council conceded: duties running
    closed = "closed"
