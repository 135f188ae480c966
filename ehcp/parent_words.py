"""What parents are told, in the GOV.UK content style: the action and date first, then why it
matters, what to send, how (a link whose words say where it goes), what happens if they do
nothing. One idea a sentence, active voice, a legal term explained where it is used.

Placeholders: `{when}` (the date in full, "Tuesday 5 January 2027"), the council's fields
(`{mediation_provider}`, ...; `ehcp.council.CouncilInfo`) and `{advice_services}` ("Rutland
SENDIASS and IPSEA", or "IPSEA" when no SENDIASS link is set: a service is named only where
the help list gives its link). A `how` link names the council field holding its address;
when that field is not set, the link is left out. No internal deadline title and no staff
note ever reaches these words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParentWords:
    """A parent's reminder for one deadline key."""

    #: the subject and first line: the action and the date ("... by {when}")
    headline: str
    #: the calendar entry's summary: the action, without the date
    calendar: str
    why: tuple[str, ...]
    send: tuple[str, ...]
    #: (the link's words, the CouncilInfo field with its address)
    how: tuple[str, str] | None
    if_nothing: tuple[str, ...]


TRIBUNAL_FORM = ("Find the appeal form and how to send it on GOV.UK", "tribunal_url")
TRIBUNAL_CONTACT = ("Find out how to contact the SEND Tribunal on GOV.UK", "tribunal_url")
WHO_CAN_HELP = "{advice_services} give free advice. They can help you decide."

PARENT_REMINDERS: dict[str, ParentWords] = {
    "mediation_contact": ParentWords(
        headline="Contact a mediation adviser by {when} if you want to appeal",
        calendar="Contact a mediation adviser if you want to appeal",
        why=(
            "You must talk to a mediation adviser before you can appeal.",
            "Mediation is a meeting to try to settle the disagreement without a court.",
            "It is free.",
            "You do not have to take part in mediation.",
        ),
        send=(
            "Tell the adviser you are thinking of appealing.",
            "They will send you a mediation certificate.",
            "You need this form to appeal.",
            "You do not need it if you only disagree about the school or college in the plan.",
        ),
        how=("Contact {mediation_provider}, the mediation adviser", "mediation_url"),
        if_nothing=(
            "If you do not contact an adviser in time, you may not be able to appeal.",
            "If you do not want to appeal, you do not need to do anything.",
        ),
    ),
    "appeal": ParentWords(
        headline="Your appeal must reach the SEND Tribunal by {when}",
        calendar="Appeal must reach the SEND Tribunal",
        why=(
            "This is the last day to appeal against the council's decision.",
            "The SEND Tribunal is a court.",
            "It is not part of the council.",
            "It decides appeals about special educational needs and disabilities (SEND).",
        ),
        send=(
            "Send the appeal form before 5pm.",
            "Send your mediation certificate with it.",
            "This is the form the mediation adviser gave you.",
            "You do not need it if you only disagree about the school or college in the plan.",
        ),
        how=TRIBUNAL_FORM,
        if_nothing=(
            "If your appeal arrives late, the tribunal may refuse to hear it.",
            "If you do not want to appeal, you do not need to do anything.",
        ),
    ),
    "set_aside_application": ParentWords(
        headline="Apply by {when} if you want the tribunal to set aside its decision",
        calendar="Last day to ask the tribunal to set aside its decision",
        why=(
            "To set aside a decision means to cancel it.",
            "The tribunal can do this if something went wrong with how it ran your case.",
            "For example, a paper did not reach it, or you missed the hearing for a good reason.",
        ),
        send=("Write to the tribunal.", "Say what went wrong and why it matters."),
        how=TRIBUNAL_CONTACT,
        if_nothing=("If you do nothing, the tribunal's decision stays as it is.", WHO_CAN_HELP),
    ),
    "permission_to_appeal": ParentWords(
        headline="Apply by {when} if you want to appeal the tribunal's decision",
        calendar="Last day to ask for permission to appeal the tribunal's decision",
        why=(
            "You can appeal only if you think the tribunal got the law wrong.",
            "First you must ask the tribunal for permission.",
            "This means the tribunal agrees that your appeal can go ahead.",
            "The appeal then goes to a higher court, called the Upper Tribunal.",
        ),
        send=("Write to the tribunal.", "Say what you think it got wrong about the law."),
        how=TRIBUNAL_CONTACT,
        if_nothing=("If you do nothing, the tribunal's decision stays as it is.", WHO_CAN_HELP),
    ),
    "way_forward_meeting": ParentWords(
        headline="Your SEND way forward meeting is on {when}",
        calendar="SEND way forward meeting",
        why=(
            "This meeting is a chance to talk about what your child needs.",
            "We will try to agree what happens next.",
        ),
        send=(
            "You do not need to send anything.",
            "The SEND team will tell you the time and place.",
        ),
        how=None,
        if_nothing=("If you cannot go, reply to this email.",),
    ),
    "hearing": ParentWords(
        headline="Your SEND Tribunal hearing is on {when}",
        calendar="SEND Tribunal hearing",
        why=(
            "At the hearing, the tribunal listens to you and to the council.",
            "Then it decides your appeal.",
        ),
        send=(
            "The tribunal will tell you the time and how to join.",
            "{advice_services} can help you get ready.",
        ),
        how=("Find out what happens at a hearing on GOV.UK", "tribunal_url"),
        if_nothing=("If you cannot go, tell the tribunal straight away.",),
    ),
}

#: What has to happen for each deadline key, as a parent would say it: "The council must
#: {duty} by ...", "The council is late. It had to {duty} by ...".
DUTY: dict[str, str] = {
    "mediation_contact": "contact a mediation adviser",
    "way_forward_meeting": "hold your SEND way forward meeting",
    "icb_mediation_notice": "tell the local NHS what your mediation is about",
    "mediation_date_notice": "tell you the date and place of your mediation",
    "agreement_action": "do what was agreed at mediation",
    "agreement_health_notice": "tell the council what was agreed at mediation",
    "appeal": "get your appeal to the SEND Tribunal",
    "mediation_session": "hold your mediation meeting",
    "mediation_certificate": "send you your mediation certificate",
    "appeal_response": "send the SEND Tribunal its answer to your appeal",
    "hearing": "hold your hearing",
    "order": "do what the tribunal ordered",
    "recommendation_response": "answer the tribunal's recommendation in writing",
    "set_aside_application": "ask the tribunal to set aside its decision",
    "permission_to_appeal": "ask for permission to appeal",
}

#: Who must act, as the parent is told, by the deadline's party.
DOER = {
    "council": "The council",
    "social_care": "The council's social care team",
    "health": "The local NHS (the ICB)",
    "parent": "You",
    "mediation_adviser": "The mediation adviser",
}

#: What the parent can do when a deadline is missed, by the late party.
LATE_WHAT_YOU_CAN_DO = {
    "council": (
        "You can ask the SEND team when it will be done.",
        "You can also make a complaint to the council.",
        "The services below give free advice.",
    ),
    "social_care": (
        "You can ask the SEND team when it will be done.",
        "You can also make a complaint to the council.",
        "The services below give free advice.",
    ),
    "health": (
        "This is a job for the NHS, not the council.",
        "The ICB is the part of the NHS that plans health care in your area.",
        "You can ask the ICB when it will be done.",
        "You can also make a complaint to the ICB.",
        "The services below give free advice.",
    ),
}

#: Extra words for the parent about some missed deadlines, by deadline key.
LATE_MORE = {
    "appeal_response": (
        "Your appeal still goes ahead.",
        "You can tell the SEND Tribunal that the council is late.",
    ),
    "order": ("The tribunal ordered this.", "The council must do what the tribunal says."),
    "recommendation_response": (
        "The reply must say what will be done.",
        "If they will not follow the recommendation, the reply must say why.",
    ),
}

CLOSED_REASONS = {
    "resolved_by_agreement": "the disagreement was settled by agreement",
    "withdrawn": "you withdrew from it",
    "obligations_met": "everything the council had to do has been done",
    "appeal_dismissed": "the tribunal did not agree with the appeal",
    "no_appeal": "the time to appeal has passed and no appeal was made",
}

CLOSED_PARENT = (
    "We closed it because {reason}.",
    "We keep a full record of your case.",
    "You do not need to do anything.",
    "If you think this is wrong, reply to this email.",
)

#: Who replied to a tribunal recommendation, by the recommendation's addressee.
RESPONSE_WHO = {
    "health": "The local NHS (the ICB)",
    "social_care": "The council's social care team",
}
RESPONSE_FOLLOWED = ("They will do what the tribunal recommended.", "They will tell you how.")
RESPONSE_NOT_FOLLOWED = ("They will not do what the tribunal recommended.", "Their reasons:")
RESPONSE_ADVICE = (
    "A recommendation is the tribunal's advice on health or social care in the plan.",
    "It is not an order, but it must be answered.",
    "If you are unhappy with the reply, you can ask for a meeting.",
    "You can also make a complaint.",
    "{advice_services} give free advice.",
    "You do not need to do anything else.",
)

CALENDAR_NOTE = "We have added this date to a calendar file. Open it to add it to your calendar."
REPLY_NOTE = "Reply to this email to contact the {council_name} SEND team."
