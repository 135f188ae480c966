"""The case and its events: the single definition of every payload (pydantic v2).

Events are one discriminated union on `kind`; the names are the stable ones of process.md.
Checks that need the case (dates after the decision, a certificate before an appeal, ...)
live in `ehcp.case_state`; these models check each payload on its own.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ehcp.contacts import Contact
from ehcp.orders import MAX_ORDERS, MAX_RECOMMENDATIONS
from ehcp.text_fields import Name, Notes, ShortText
from ehcp.vocabulary import DecisionType, OrderType, Party

CASE_REF_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}(-[A-Z0-9]{1,12}){1,4}$")
CASE_REF_HELP = (
    "capital letters and digits in groups joined by hyphens, starting with a letter, "
    "at most 40 characters, e.g. RUT-2026-0042"
)


def _case_ref(value: str) -> str:
    if len(value) > 40 or not CASE_REF_PATTERN.match(value):
        raise ValueError(f"{value[:50]!r} is not a case reference: use {CASE_REF_HELP}")
    return value


CaseRef = Annotated[str, AfterValidator(_case_ref)]

# Free text (names, summaries, notes, addresses): one definition each, in ehcp.text_fields.
TRIBUNAL_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/ -]{2,29}$"
TRIBUNAL_REF_HELP = (
    "3 to 30 letters, digits, spaces, / and -, starting with a letter or digit, e.g. EH857/26/00042"
)
TribunalRef = Annotated[str, StringConstraints(strip_whitespace=True, pattern=TRIBUNAL_REF_PATTERN)]
COUNCIL_CODE_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"
COUNCIL_CODE_HELP = (
    "2 to 40 lower-case letters, digits and hyphens, starting with a letter, e.g. rutland"
)
CouncilCode = Annotated[str, StringConstraints(pattern=COUNCIL_CODE_PATTERN)]


#: Part 3 of the Children and Families Act 2014 (EHC plans, these appeals) began on this day.
SEND_FRAMEWORK_START = date(2014, 9, 1)
#: A date planned ahead (a meeting, a hearing, a response date) lies within this many years.
MAX_YEARS_AHEAD = 5


def _within_years(start: date, value: date | None, field: str) -> None:
    """Refuse typos such as 2207 for 2027: they would put a case's clock out of range."""
    if value is not None and (value - start).days > MAX_YEARS_AHEAD * 366:
        raise ValueError(
            f"{field} {value} is more than {MAX_YEARS_AHEAD} years after the event's date "
            f"{start}; check the year"
        )


def _on_or_after_event(value: date, info: ValidationInfo, what: str, since: str) -> date:
    """`value` (the date named `what`, e.g. "the mediation date") when it is on or after the
    event's own `date` (`since` says that day in words) and not a typo years ahead; else a
    ValueError in words, which pydantic reports at this field (not the whole event's)."""
    start = info.data.get("date")
    if start is None:  # the event's date is itself wrong: its own error says so
        return value
    if value < start:
        raise ValueError(f"{what} must be on or after {since}")
    _within_years(start, value, what)
    return value


class Strict(BaseModel):
    """Unknown fields are errors: a typo in a field name must not pass silently."""

    model_config = ConfigDict(extra="forbid")


class Case(Strict):
    """What the council knows when it starts a case: its decision letter and the people."""

    case_ref: CaseRef
    council: CouncilCode = "rutland"
    decision_type: DecisionType
    #: the date the council sent written notice of its decision (starts the clocks)
    decision_date: date

    @field_validator("decision_date")
    @classmethod
    def _after_framework_start(cls, value: date) -> date:
        if value < SEND_FRAMEWORK_START:
            raise ValueError(
                f"{value} is before {SEND_FRAMEWORK_START}, when the EHC plan appeal "
                "framework of the Children and Families Act 2014 began"
            )
        return value

    parent: Contact
    second_contact: Contact | None = None
    caseworker: Contact
    #: named health commissioner (ICB) contact, for health deadlines
    health_contact: Contact | None = None
    #: overrides the configured SEND manager for escalations on this case
    send_manager: Contact | None = None


# --- events -------------------------------------------------------------------------------


class EventBase(Strict):
    #: the UK local date the event happened
    date: date
    recorded_by: Name = "back-office"
    notes: Notes | None = None


class WayForwardMeetingRequested(EventBase):
    kind: Literal["way_forward_meeting_requested"] = "way_forward_meeting_requested"


class WayForwardMeetingScheduled(EventBase):
    kind: Literal["way_forward_meeting_scheduled"] = "way_forward_meeting_scheduled"
    meeting_date: date

    @field_validator("meeting_date")
    @classmethod
    def _meeting_after_scheduling(cls, value: date, info: ValidationInfo) -> date:
        return _on_or_after_event(value, info, "the meeting date", "the day it was scheduled")


class WayForwardMeetingHeld(EventBase):
    kind: Literal["way_forward_meeting_held"] = "way_forward_meeting_held"
    outcome: Literal["resolved", "not_resolved"]


class MediationAdviserContacted(EventBase):
    kind: Literal["mediation_adviser_contacted"] = "mediation_adviser_contacted"


class MediationDeclined(EventBase):
    kind: Literal["mediation_declined"] = "mediation_declined"


class MediationRequested(EventBase):
    kind: Literal["mediation_requested"] = "mediation_requested"
    health_included: bool = False
    social_care_included: bool = False


class AgreedAction(Strict):
    """An action agreed in mediation (reg 42)."""

    summary: ShortText
    by: Literal[Party.council, Party.health] = Party.council
    #: set when the agreement is on an appealable matter: reg 44 limits apply (reg 42(2))
    order: OrderType | None = None
    #: a time the parties agreed in writing, which replaces the default limit
    agreed_due: date | None = None


class MediationHeld(EventBase):
    kind: Literal["mediation_held"] = "mediation_held"
    outcome: Literal["agreement", "partial_agreement", "no_agreement"]
    agreed_actions: list[AgreedAction] = Field(default_factory=list, max_length=30)
    #: False when the council was not a party (health-only mediation): the health
    #: commissioners must then tell it about an agreement within 1 week (reg 42(4))
    council_party: bool = True

    @model_validator(mode="after")
    def _actions_need_agreement(self) -> MediationHeld:
        if self.outcome == "no_agreement" and self.agreed_actions:
            raise ValueError("agreed_actions must be empty when outcome is no_agreement")
        for n, action in enumerate(self.agreed_actions, start=1):
            if action.agreed_due is not None and action.agreed_due < self.date:
                raise ValueError(
                    f"agreed_actions {n}: agreed_due is before the day of the mediation (date)"
                )
            _within_years(self.date, action.agreed_due, f"agreed_actions {n}: agreed_due")
        return self


class MediationWithdrawn(EventBase):
    kind: Literal["mediation_withdrawn"] = "mediation_withdrawn"


class MediationCertificateIssued(EventBase):
    kind: Literal["mediation_certificate_issued"] = "mediation_certificate_issued"
    certificate_kind: Literal["information_only", "mediation_completed"]


class DisagreementResolutionStarted(EventBase):
    kind: Literal["disagreement_resolution_started"] = "disagreement_resolution_started"


class DisagreementResolutionConcluded(EventBase):
    kind: Literal["disagreement_resolution_concluded"] = "disagreement_resolution_concluded"
    outcome: Literal["resolved", "not_resolved"]


class AppealRegistered(EventBase):
    kind: Literal["appeal_registered"] = "appeal_registered"
    tribunal_ref: TribunalRef
    #: only about the school or type of placement (section I): no certificate needed
    placement_only: bool = False
    health_included: bool = False
    social_care_included: bool = False
    #: the council's response date, when the tribunal's registration letter gives one
    response_due: date | None = None

    @field_validator("response_due")
    @classmethod
    def _response_due_in_range(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and (start := info.data.get("date")) is not None:
            _within_years(start, value, "the council's response date")
        return value


class AppealUnopposed(EventBase):
    """The council told the tribunal it will not oppose; `date` is when it told them."""

    kind: Literal["appeal_unopposed"] = "appeal_unopposed"
    concessions: list[OrderType] = Field(min_length=1, max_length=MAX_ORDERS)


class HearingListed(EventBase):
    kind: Literal["hearing_listed"] = "hearing_listed"
    hearing_date: date

    @field_validator("hearing_date")
    @classmethod
    def _hearing_after_listing(cls, value: date, info: ValidationInfo) -> date:
        return _on_or_after_event(value, info, "the hearing date", "the day it was listed")


class AppealWithdrawn(EventBase):
    kind: Literal["appeal_withdrawn"] = "appeal_withdrawn"


class Recommendation(Strict):
    """A non-binding health or social care recommendation of the tribunal."""

    addressed_to: Literal[Party.health, Party.social_care]
    summary: ShortText
    #: who must answer it; defaults to the case's health contact (health) or caseworker
    contact: Contact | None = None


class TribunalDecision(EventBase):
    kind: Literal["tribunal_decision"] = "tribunal_decision"
    outcome: Literal["allowed", "partly_allowed", "dismissed"]
    orders: list[OrderType] = Field(default_factory=list, max_length=MAX_ORDERS)
    recommendations: list[Recommendation] = Field(
        default_factory=list, max_length=MAX_RECOMMENDATIONS
    )


class RecommendationResponseSent(EventBase):
    kind: Literal["recommendation_response_sent"] = "recommendation_response_sent"
    #: the recommendation's number, as in `recommendation_response:<n>`
    recommendation: int = Field(ge=1)
    followed: bool
    reasons: Notes | None = None

    @model_validator(mode="after")
    def _reasons_when_not_followed(self) -> RecommendationResponseSent:
        if not self.followed and not self.reasons:
            raise ValueError("reasons are required when the recommendation is not followed")
        return self


DEADLINE_KEY_PATTERN = re.compile(r"^[a-z_]{3,40}(:[a-z0-9_]{1,30}){0,2}$")


def _deadline_key(value: str) -> str:
    if not DEADLINE_KEY_PATTERN.match(value):
        raise ValueError(
            f"{value[:60]!r} is not a deadline key: use a key shown by `status`, "
            "e.g. appeal_response, order:1:draft_plan, agreement_action:2"
        )
    return value


DeadlineKey = Annotated[str, AfterValidator(_deadline_key)]


class ObligationMet(EventBase):
    kind: Literal["obligation_met"] = "obligation_met"
    deadline_key: DeadlineKey


class ExceptionRecorded(EventBase):
    """A reg 44(3) exception: suspends the duty to meet that limit, visibly."""

    kind: Literal["exception_recorded"] = "exception_recorded"
    deadline_key: DeadlineKey
    reason: Literal[
        "exceptional_personal_circumstances", "away_from_area", "parent_representations"
    ]


class MediationScheduled(EventBase):
    """The mediation is booked; the family must get 5 working days' notice of its date and
    place unless they agree to less."""

    kind: Literal["mediation_scheduled"] = "mediation_scheduled"
    mediation_date: date

    @field_validator("mediation_date")
    @classmethod
    def _mediation_after_booking(cls, value: date, info: ValidationInfo) -> date:
        return _on_or_after_event(value, info, "the mediation date", "the day it was booked")


class ConsentOrderMade(EventBase):
    """The council conceded after its response: the tribunal made a consent order (HESC Rules
    r.29). `date` is the date of the order; the reg 44 limits run from it."""

    kind: Literal["consent_order_made"] = "consent_order_made"
    orders: list[OrderType] = Field(min_length=1, max_length=10)


#: Who may challenge the tribunal's decision (HESC Rules r.45, r.46: either party).
Challenger = Literal[Party.parent, Party.council]


class WrittenReasonsSent(EventBase):
    """`date`: the day the tribunal sent written reasons (or amended reasons, or a correction
    after a review): the permission-to-appeal clock runs from the latest such date."""

    kind: Literal["written_reasons_sent"] = "written_reasons_sent"


class SetAsideApplied(EventBase):
    kind: Literal["set_aside_applied"] = "set_aside_applied"
    by: Challenger


class SetAsideRefused(EventBase):
    """`date`: the day the tribunal sent notice that the set-aside application failed."""

    kind: Literal["set_aside_refused"] = "set_aside_refused"


class DecisionSetAside(EventBase):
    """The tribunal set its decision aside: its order and recommendation clocks end; the
    appeal is open again for a fresh decision."""

    kind: Literal["decision_set_aside"] = "decision_set_aside"


class PermissionToAppealRequested(EventBase):
    kind: Literal["permission_to_appeal_requested"] = "permission_to_appeal_requested"
    by: Challenger


class PermissionToAppealDecided(EventBase):
    kind: Literal["permission_to_appeal_decided"] = "permission_to_appeal_decided"
    by: Challenger
    outcome: Literal["granted", "refused"]


class DecisionSuspended(EventBase):
    """The tribunal suspended the effect of its decision (pending an appeal): its order clocks
    are recorded as excepted, visibly, instead of being chased."""

    kind: Literal["decision_suspended"] = "decision_suspended"


class CaseClosed(EventBase):
    kind: Literal["case_closed"] = "case_closed"
    reason: Literal[
        "resolved_by_agreement", "withdrawn", "obligations_met", "appeal_dismissed", "no_appeal"
    ]


class ContactUpdated(EventBase):
    """Corrected contact details (after a bounce, a new number, a changed preference): later
    messages go to them, and a "not reached" warning for that reader goes."""

    kind: Literal["contact_updated"] = "contact_updated"
    role: Literal["parent", "second_contact", "caseworker", "health_contact", "send_manager"]
    contact: Contact


Event = Annotated[
    WayForwardMeetingRequested
    | WayForwardMeetingScheduled
    | WayForwardMeetingHeld
    | MediationAdviserContacted
    | MediationDeclined
    | MediationRequested
    | MediationHeld
    | MediationWithdrawn
    | MediationCertificateIssued
    | DisagreementResolutionStarted
    | DisagreementResolutionConcluded
    | AppealRegistered
    | AppealUnopposed
    | HearingListed
    | AppealWithdrawn
    | TribunalDecision
    | RecommendationResponseSent
    | ObligationMet
    | ExceptionRecorded
    | CaseClosed
    | MediationScheduled
    | ConsentOrderMade
    | WrittenReasonsSent
    | SetAsideApplied
    | SetAsideRefused
    | DecisionSetAside
    | PermissionToAppealRequested
    | PermissionToAppealDecided
    | DecisionSuspended
    | ContactUpdated,
    Field(discriminator="kind"),
]

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_KINDS: tuple[str, ...] = tuple(
    member.model_fields["kind"].default
    for member in Event.__origin__.__args__  # type: ignore[attr-defined]
)

#: each event kind's model
EVENT_MODELS: dict[str, type[BaseModel]] = {
    member.model_fields["kind"].default: member
    for member in Event.__origin__.__args__  # type: ignore[attr-defined]
}


def parse_event(data: object) -> Event:
    """Validate one event from JSON-like data (raises pydantic.ValidationError)."""
    return EVENT_ADAPTER.validate_python(data)


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad field, what is wrong and what is allowed (in words:
    ehcp.error_words)."""
    from ehcp.error_words import describe

    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "input"
        message = describe(item)
        if item["type"] == "union_tag_not_found":
            where = "kind"
            message = f"missing (allowed kinds: {', '.join(EVENT_KINDS)})"
        elif item["type"] == "union_tag_invalid":
            where = "kind"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
