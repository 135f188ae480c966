"""The service's stable names in plain English, for pages (the names themselves never change)."""

from __future__ import annotations

from ehcp.vocabulary import DecisionType, Party, Stage

PARTY: dict[str, str] = {
    Party.parent: "Parent or young person",
    Party.council: "Council",
    Party.mediation_adviser: "Mediation adviser",
    Party.health: "Health (integrated care board)",
    Party.social_care: "Council social care",
    Party.everyone: "Everyone involved",
}

DECISION_TYPES: dict[str, str] = {
    DecisionType.refusal_to_assess: "Refusal to carry out an EHC needs assessment",
    DecisionType.refusal_to_reassess: "Refusal to carry out a re-assessment of EHC needs",
    DecisionType.refusal_to_issue_plan: "Refusal to issue an EHC plan",
    DecisionType.plan_content: "Contents of an EHC plan",
    DecisionType.refusal_to_amend: "Refusal to amend an EHC plan",
    DecisionType.amended_plan_content: "Contents of an amended EHC plan",
    DecisionType.cease_plan: "Decision to cease an EHC plan",
}

STAGES: dict[str, str] = {
    Stage.decision: "Decision sent",
    Stage.way_forward: "Way forward meeting",
    Stage.mediation: "Mediation",
    Stage.appeal: "Appeal",
    Stage.compliance: "Complying with the outcome",
    Stage.closed: "Closed",
}
