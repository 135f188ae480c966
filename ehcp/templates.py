"""The words of every email, in one place: plain English in GOV.UK style.

Short sentences, everyday words, active voice; a term like "mediation certificate" or "the
ICB" is explained where it is used. No names, addresses, needs or health detail ever go into
a subject line, and no health or diagnosis detail into any email: the words below only use
the deadline's title and date, the case reference and the council's own details.

Placeholders are the council's fields (`{mediation_provider}`, `{tribunal_url}`, ...; see
`ehcp.council.CouncilInfo`) plus `{council_name}`. Readers: "parent" (the parent, carer or
second contact), "caseworker", "send_manager", "health" (the ICB's named contact) and
"social_care".
"""

from __future__ import annotations

#: What the reader should do before a deadline (reminders), by deadline key (the part before
#: any ":") and reader. Every (key, reader) pair that `ehcp.notices` can produce has an entry.
WHAT_TO_DO: dict[str, dict[str, str]] = {
    "mediation_certificate": {
        "caseworker": "The mediation adviser must send the family their mediation "
        "certificate by this date. The family needs it to appeal. Check with "
        "{mediation_provider} that it has been sent.",
    },
    "mediation_session": {
        "caseworker": "Mediation must take place by this date. Check that a date is booked "
        "with {mediation_provider} and the family. If it cannot happen in time, tell "
        "{mediation_provider} now.",
        "health": "Mediation about health care must take place by this date. Your "
        "organisation arranges it. Check that a date is booked with {mediation_provider} "
        "and the family.",
    },
    "icb_mediation_notice": {
        "caseworker": "Tell the health commissioners (the ICB) what the mediation is about by "
        "this date. Then record it as done on the case.",
    },
    "appeal_response": {
        "caseworker": "Send the council's response to the appeal to the SEND Tribunal by this "
        "date, before 5pm. Then record it as done on the case.",
    },
    "recommendation_response": {
        "caseworker": "A written reply to the tribunal's recommendation is due by this date. "
        "It must say what will be done, or why the recommendation will not be followed. "
        "The tribunal's power to make these recommendations began as a trial and continued "
        "after 31 August 2021. "
        "Check that it is sent to the family, then record it on the case.",
        "health": "Your organisation must reply in writing to the tribunal's recommendation "
        "by this date. Say what you will do. If you will not follow it, say why. Send your "
        "reply to the family and to the {council_name} SEND team ({send_team_email}).",
        "social_care": "Social care must reply in writing to the tribunal's recommendation "
        "by this date. Say what you will do. If you will not follow it, say why. Send the "
        "reply to the family and to the SEND team ({send_team_email}).",
    },
    "order": {
        "caseworker": "The tribunal ordered the council to do this by this date. "
        "Record it as done on the case when it is done. If an exception applies, record it "
        "with the reason.",
    },
    "agreement_action": {
        "caseworker": "This was agreed in mediation. It must be done by this date. "
        "Record it as done on the case when it is done.",
        "health": "Your organisation agreed to do this in mediation. It must be done by this "
        "date. Tell the {council_name} SEND team ({send_team_email}) when it is done.",
        "social_care": "Social care agreed to do this in mediation. It must be done by this "
        "date. Tell the SEND team ({send_team_email}) when it is done.",
    },
    "mediation_date_notice": {
        "caseworker": "The family must be told the date and place of the mediation at least "
        "5 working days before it, unless they agree to less. Check with {mediation_provider} "
        "that the family has been told, then record it as done on the case.",
    },
    "agreement_health_notice": {
        "caseworker": "The council was not at the mediation. The health commissioners (the "
        "ICB) must tell the council about the mediation agreement by this date. Check that "
        "they have, then record it on the case.",
        "health": "Your organisation must tell the {council_name} SEND team "
        "({send_team_email}) about the mediation agreement by this date.",
    },
    "set_aside_application": {
        "caseworker": "This is the last day for the council to ask the tribunal to set its "
        "decision aside, if it wants to. The tribunal's orders must still be carried out by "
        "their own dates unless the tribunal suspends its decision.",
    },
    "permission_to_appeal": {
        "caseworker": "This is the last day for the council to ask the tribunal for "
        "permission to appeal to the Upper Tribunal, if it wants to. The tribunal's orders "
        "must still be carried out by their own dates unless the tribunal suspends its "
        "decision.",
    },
    "way_forward_meeting": {
        "caseworker": "The SEND way forward meeting is on this date. Check that the family "
        "knows the time and place.",
    },
    "hearing": {
        "caseworker": "The SEND Tribunal hearing is on this date. Make sure the council's "
        "evidence and witnesses are ready.",
    },
}

#: What each member of staff should do about a missed deadline (escalations).
ESCALATION_ASK = {
    "caseworker": "Please do it now, or record an exception with the reason. Then record it "
    "on the case.",
    "send_manager": "Please check with the caseworker that this is being dealt with.",
}
ESCALATION_HEALTH = (
    "The health commissioners (the ICB) must do this. Chase them and record their reply on "
    "the case."
)

CLOSED_REASONS = {
    "resolved_by_agreement": "the disagreement was settled by agreement",
    "withdrawn": "the family withdrew",
    "obligations_met": "everything the council had to do has been done",
    "appeal_dismissed": "the tribunal dismissed the appeal",
    "no_appeal": "the time to appeal has passed and no appeal was made",
}

CLOSED_STAFF = [
    "Case {case_ref} is closed because {reason}.",
    "The family has been sent a closing email. The full record stays on the case.",
]

FAILURE = [
    "We could not deliver an email about {about} to the {role}.",
    "The email service said{code}: {reason}",
    "We will not try this email again. Please check the contact details on the case and "
    "reach the person another way.",
    "Message reference: {key}",
]
