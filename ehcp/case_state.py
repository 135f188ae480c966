"""The state of one case and the rules for events: pure, deterministic, no Temporal import.

The workflow keeps a `CaseState`, asks `check_event` whether an event makes sense (its update
validator), has the new deadline dates computed outside workflow code (`ehcp.planning`, run
as an activity), then calls `apply_event`. The clock moves statuses with `refresh_statuses`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from ehcp.deadline import DeadlineSpec
from ehcp.delivery_state import NotReached
from ehcp.later_clocks import RIGHT_KEYS
from ehcp.models import (
    AppealRegistered,
    AppealUnopposed,
    AppealWithdrawn,
    Case,
    CaseClosed,
    Contact,
    ContactUpdated,
    DisagreementResolutionConcluded,
    DisagreementResolutionStarted,
    Event,
    ExceptionRecorded,
    HearingListed,
    MediationAdviserContacted,
    MediationCertificateIssued,
    MediationDeclined,
    MediationHeld,
    MediationRequested,
    MediationWithdrawn,
    ObligationMet,
    Recommendation,
    RecommendationResponseSent,
    TribunalDecision,
    WayForwardMeetingHeld,
)

# The orders that fit each decision: one set of rules with the calculator. ALLOWED_ORDERS
# stays importable from here for older callers.
from ehcp.orders import ALLOWED_ORDERS, PLACEMENT_APPEALABLE, order_problem  # noqa: F401
from ehcp.vocabulary import (
    CLOSED_STATUSES,
    ESCALATING_PARTIES,
    DeadlineStatus,
    DecisionType,
    OrderType,
    Party,
    Stage,
)

#: Deadline keys (or key prefixes) that `obligation_met` may meet; the others are met by
#: their own events (an appeal by `appeal_registered`, a certificate by its issue, ...).
OBLIGATION_KEYS = (
    "icb_mediation_notice",
    "appeal_response",
    "order:",
    "agreement_action:",
    "mediation_date_notice",
    "agreement_health_notice",
)
#: reg 44(3) exceptions apply to order steps, and to mediation agreements via reg 42(2).
EXCEPTION_KEYS = ("order:", "agreement_action:")
#: Deadlines a later event never reopens (a cancelled one can start again with its route).
_SETTLED = CLOSED_STATUSES - {DeadlineStatus.cancelled}


#: Keys whose spec an event may recompute (the certificate moves the appeal deadline);
#: once settled they stay settled.
RECOMPUTED_KEYS = frozenset(
    {"appeal", "permission_to_appeal:parent", "permission_to_appeal:council"}
)


class EventRejected(ValueError):
    """An event that makes no sense for this case; the message says why and what would do."""


class ReminderPolicy(BaseModel):
    """How reminders go out; fixed at case start so later config changes cannot reorder
    a running case's history."""

    at: time = time(9, 0)  # Europe/London wall-clock time
    offsets: list[int] = Field(default_factory=lambda: [14, 7, 2, 0])
    send_manager: Contact
    #: each case wakes this many seconds at most after `at`, by a stable hash of its
    #: reference, so a council's cases do not all wake in the same second (0: exactly `at`;
    #: cases started before the setting existed have 0)
    spread_s: int = Field(default=0, ge=0, le=3600)
    #: hours after a due-day or 2-day reminder without a `delivered` receipt before the case
    #: flags it; minutes before a Notify temporary failure is sent once more
    undelivered_flag_hours: int = 24
    resend_after_minutes: int = 60
    #: days before the due date on which parents who chose texts get a text reminder
    #: (0: the due day); cases started before text messages existed have the default
    text_offsets: list[int] = Field(default_factory=lambda: [2, 0])


class Deadline(DeadlineSpec):
    """A deadline on the case: the computed spec plus what has happened to it."""

    model_config = ConfigDict(frozen=False)

    status: DeadlineStatus = DeadlineStatus.pending
    #: when it was put on the case (UTC); reminders due before then are never sent
    created_at: datetime
    #: the date it was met, excepted or cancelled
    closed_on: date | None = None
    exception: str | None = None
    #: who answers it, when not the case's own contact (a recommendation's named contact)
    contact: Contact | None = None
    replaces: date | None = None  # the earlier due date, when an event moved it


class RecordedEvent(BaseModel):
    seq: int
    event: Event
    recorded_at: datetime
    flags: list[str] = Field(default_factory=list)


class NoticeRecord(BaseModel):
    """One email that went out (or was written to the outbox)."""

    key: str
    deadline_key: str | None
    kind: str
    role: str
    sent_at: datetime
    transport: str
    message_id: str | None = None
    #: "email" or "sms"
    channel: str = "email"
    #: what the provider's receipts say (ehcp/receipts.py); None: none yet (or the outbox)
    delivery: str | None = None
    delivery_reason: str | None = None
    #: when the provider says the latest applied report happened (UTC)
    delivery_at: datetime | None = None


class DeliveryFailure(BaseModel):
    """A message that could not be delivered and will not be retried; shown in `status`."""

    key: str
    deadline_key: str | None
    kind: str
    role: str
    failed_at: datetime
    status_code: int | None = None  # the provider's HTTP status, when it answered
    reason: str  # the provider's message, e.g. SendGrid's error text


class CaseState(BaseModel):
    case: Case
    policy: ReminderPolicy
    stage: Stage = Stage.decision
    deadlines: dict[str, Deadline] = Field(default_factory=dict)
    timeline: list[RecordedEvent] = Field(default_factory=list)
    notices: list[NoticeRecord] = Field(default_factory=list)
    delivery_failures: list[DeliveryFailure] = Field(default_factory=list)
    #: provider event ids already applied (SendGrid sg_event_id, Notify id:status)
    delivery_event_ids: list[str] = Field(default_factory=list)
    #: readers the case could not reach, per channel (ehcp/receipts.py)
    not_reached: list[NotReached] = Field(default_factory=list)
    #: message keys sent once more after a Notify temporary failure
    resent: list[str] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    orders_made: int = 0
    actions_agreed: int = 0
    closed_reason: str | None = None

    # -- reading the timeline -------------------------------------------------------------

    def last(self, *kinds: str) -> RecordedEvent | None:
        for recorded in reversed(self.timeline):
            if recorded.event.kind in kinds:
                return recorded
        return None

    def has(self, *kinds: str) -> bool:
        return self.last(*kinds) is not None

    @property
    def closed(self) -> bool:
        return self.stage == Stage.closed

    def mediation_status(self) -> str | None:
        """The latest mediation step: requested, held, declined, withdrawn or None."""
        last = self.last(
            "mediation_requested", "mediation_held", "mediation_declined", "mediation_withdrawn"
        )
        return last.event.kind.removeprefix("mediation_") if last else None

    def open_appeal(self) -> RecordedEvent | None:
        """The registered appeal, unless it was withdrawn, conceded or decided since."""
        last = self.last(
            "appeal_registered",
            "appeal_withdrawn",
            "appeal_unopposed",
            "tribunal_decision",
            "consent_order_made",
            "decision_set_aside",
        )
        if last and last.event.kind == "decision_set_aside":  # the appeal is decided afresh
            return self.last("appeal_registered")
        return last if last and last.event.kind == "appeal_registered" else None

    def sent_keys(self) -> set[str]:
        """Keys never to send again: sent, or failed for good (alerted instead)."""
        return {n.key for n in self.notices} | {f.key for f in self.delivery_failures}


# -- validation ---------------------------------------------------------------------------


def check_event(state: CaseState, event: Event, today: date) -> None:
    """Raise EventRejected when `event` makes no sense for the case as it stands."""
    if state.closed:
        raise EventRejected(
            f"case {state.case.case_ref} is closed ({state.closed_reason}); "
            "a closed case accepts no more events"
        )
    _check_dates(state, event, today)
    _check_duplicate(state, event)
    _check_order_of_dates(state, event)
    checker = _CHECKS.get(type(event))
    if checker:
        checker(state, event)


def _check_dates(state: CaseState, event: Event, today: date) -> None:
    if event.date > today:
        raise EventRejected(
            f"date {event.date} is in the future (today is {today}); "
            "record an event on or after the day it happens"
        )
    if event.date < state.case.decision_date:
        raise EventRejected(
            f"date {event.date} is before the council's decision of "
            f"{state.case.decision_date}; events on this case happen on or after that date"
        )


#: An event cannot be dated before the latest event it follows from.
_FOLLOWS = {
    "way_forward_meeting_held": ("way_forward_meeting_scheduled",),
    "mediation_held": ("mediation_requested",),
    "mediation_withdrawn": ("mediation_requested",),
    "mediation_certificate_issued": (
        "mediation_adviser_contacted",
        "mediation_declined",
        "mediation_requested",
        "mediation_held",
        "mediation_withdrawn",
    ),
    "disagreement_resolution_concluded": ("disagreement_resolution_started",),
    "appeal_unopposed": ("appeal_registered",),
    "hearing_listed": ("appeal_registered",),
    "appeal_withdrawn": ("appeal_registered",),
    "tribunal_decision": ("appeal_registered",),
    "recommendation_response_sent": ("tribunal_decision",),
}


def _check_order_of_dates(state: CaseState, event: Event) -> None:
    kinds = _FOLLOWS.get(event.kind, ())
    if event.kind == "appeal_registered" and not event.placement_only:
        kinds = ("mediation_certificate_issued",)
    if event.kind == "case_closed":
        kinds = tuple({recorded.event.kind for recorded in state.timeline})
    earlier = state.last(*kinds)  # None for no kinds
    if earlier and event.date < earlier.event.date:
        raise EventRejected(
            f"date {event.date} is before the {earlier.event.kind} it follows "
            f"(event {earlier.seq}, dated {earlier.event.date}); "
            f"give a date on or after {earlier.event.date}"
        )


#: fields a duplicate may differ in: who recorded it and the free-text notes are about the
#: record, not the event (a second system, or a second note, must not record it twice).
#: README.md and docs/api.md name them (tests/unit/test_duplicate_docs.py).
NOT_COMPARED = frozenset({"recorded_by", "notes"})


def _comparable(event: Event) -> dict:
    return event.model_dump(exclude=set(NOT_COMPARED))


def _check_duplicate(state: CaseState, event: Event) -> None:
    wanted = _comparable(event)
    for recorded in state.timeline:
        if recorded.event.kind == event.kind and _comparable(recorded.event) == wanted:
            raise EventRejected(
                f"this {event.kind} event was already recorded as event {recorded.seq} "
                f"(dated {recorded.event.date}); the same event is not recorded twice"
            )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise EventRejected(message)


def _check_way_forward_held(state: CaseState, event: WayForwardMeetingHeld) -> None:
    scheduled = state.last("way_forward_meeting_scheduled", "way_forward_meeting_held")
    _require(
        scheduled is not None and scheduled.event.kind == "way_forward_meeting_scheduled",
        "no way forward meeting is scheduled: record way_forward_meeting_scheduled first",
    )


def _check_adviser_contacted(state: CaseState, event: MediationAdviserContacted) -> None:
    earlier = state.last("mediation_adviser_contacted")
    _require(
        earlier is None,
        "contact with the mediation adviser was already recorded "
        f"on {earlier and earlier.event.date}",
    )


def _check_declined(state: CaseState, event: MediationDeclined) -> None:
    status = state.mediation_status()
    _require(
        status in (None, "withdrawn"),
        f"mediation is already {status}; to leave a requested mediation record mediation_withdrawn",
    )


def _check_requested(state: CaseState, event: MediationRequested) -> None:
    status = state.mediation_status()
    _require(
        status not in ("requested", "held"),
        f"mediation was already {status}; a new request needs the earlier one to be withdrawn",
    )


def _check_held(state: CaseState, event: MediationHeld) -> None:
    _require(
        state.mediation_status() == "requested",
        "no mediation is requested: record mediation_requested before mediation_held",
    )


def _check_withdrawn(state: CaseState, event: MediationWithdrawn) -> None:
    _require(
        state.mediation_status() == "requested",
        "only a requested mediation can be withdrawn; "
        f"mediation is {state.mediation_status() or 'not requested'}",
    )


def _check_certificate(state: CaseState, event: MediationCertificateIssued) -> None:
    status = state.mediation_status()
    contacted = status is not None or state.has("mediation_adviser_contacted")
    _require(
        contacted,
        "no contact with the mediation adviser is recorded: record "
        "mediation_adviser_contacted or mediation_declined before the certificate",
    )
    if event.certificate_kind == "mediation_completed":
        _require(
            status == "held",
            "a mediation_completed certificate needs mediation_held first; "
            "use certificate_kind information_only otherwise",
        )


def _check_resolution_started(state: CaseState, event: DisagreementResolutionStarted) -> None:
    last = state.last("disagreement_resolution_started", "disagreement_resolution_concluded")
    _require(
        last is None or last.event.kind == "disagreement_resolution_concluded",
        f"disagreement resolution is already under way (started {last and last.event.date})",
    )


def _check_resolution_concluded(state: CaseState, event: DisagreementResolutionConcluded) -> None:
    last = state.last("disagreement_resolution_started", "disagreement_resolution_concluded")
    _require(
        last is not None and last.event.kind == "disagreement_resolution_started",
        "no disagreement resolution is under way: record disagreement_resolution_started first",
    )


def _check_appeal_registered(state: CaseState, event: AppealRegistered) -> None:
    _require(
        state.open_appeal() is None
        and not state.has("tribunal_decision", "appeal_unopposed", "consent_order_made"),
        "an appeal is already registered on this case (or was conceded or decided)",
    )
    if event.placement_only:
        _require(
            state.case.decision_type in PLACEMENT_APPEALABLE,
            "placement_only applies only to appeals about a plan's content "
            f"({', '.join(sorted(PLACEMENT_APPEALABLE))}), not to {state.case.decision_type}",
        )
    else:
        _require(
            state.has("mediation_certificate_issued"),
            "an appeal that is not only about the placement needs a mediation certificate: "
            "record mediation_certificate_issued first, or set placement_only if the appeal "
            "is only about the school or placement named in section I",
        )
    if event.response_due is not None:
        _require(
            event.response_due > event.date,
            "the council's response date (response_due) must be after the day the appeal "
            "was registered (date)",
        )


def _check_open_appeal(state: CaseState, kind: str) -> None:
    _require(
        state.open_appeal() is not None,
        f"{kind} needs a registered appeal that is not withdrawn or decided",
    )


def _check_orders(state: CaseState, orders: Iterable[OrderType], field: str) -> None:
    problem = order_problem(state.case.decision_type, orders, field)
    if problem is not None:
        raise EventRejected(problem)


def _check_unopposed(state: CaseState, event: AppealUnopposed) -> None:
    _check_open_appeal(state, "appeal_unopposed")
    _check_orders(state, event.concessions, "concession")


def _check_hearing(state: CaseState, event: HearingListed) -> None:
    _check_open_appeal(state, "hearing_listed")


def _check_appeal_withdrawn(state: CaseState, event: AppealWithdrawn) -> None:
    _check_open_appeal(state, "appeal_withdrawn")


def _check_decision(state: CaseState, event: TribunalDecision) -> None:
    appeal = state.open_appeal()
    _require(
        appeal is not None,
        "tribunal_decision needs a registered appeal that is not withdrawn or decided",
    )
    _check_orders(state, event.orders, "order")
    if event.outcome == "dismissed":
        _require(
            all(order == OrderType.cease_plan for order in event.orders),
            "a dismissed appeal has no orders except cease_plan (dismissing an appeal "
            "against ceasing a plan)",
        )
    if not event.recommendations:
        return
    _require(
        state.case.decision_type != DecisionType.refusal_to_assess,
        "the tribunal cannot make health or social care recommendations on an appeal "
        "against a refusal to assess: they need an appeal about the education parts of "
        "a plan (CFA s.51(2)(b)-(f))",
    )
    registered = appeal.event
    assert isinstance(registered, AppealRegistered)
    included = {Party.health: registered.health_included}
    included[Party.social_care] = registered.social_care_included
    for n, rec in enumerate(event.recommendations, start=len(state.recommendations) + 1):
        _require(
            included[rec.addressed_to],
            f"recommendation {n} is addressed to {rec.addressed_to}, but the appeal was "
            f"registered without {rec.addressed_to} included",
        )


def _check_recommendation_response(state: CaseState, event: RecommendationResponseSent) -> None:
    count = len(state.recommendations)
    _require(
        1 <= event.recommendation <= count,
        f"there is no recommendation {event.recommendation}; "
        + (f"this case has recommendations 1 to {count}" if count else "this case has none"),
    )
    deadline = state.deadlines[f"recommendation_response:{event.recommendation}"]
    _require(
        deadline.status not in (DeadlineStatus.met, DeadlineStatus.met_late),
        f"recommendation {event.recommendation} already has a response recorded "
        f"on {deadline.closed_on}",
    )


def _open_keys(state: CaseState, prefixes: tuple[str, ...]) -> list[str]:
    return [
        key
        for key, d in state.deadlines.items()
        if key.startswith(prefixes) and d.status not in CLOSED_STATUSES
    ]


def _check_deadline_event(
    state: CaseState, key: str, prefixes: tuple[str, ...], kind: str, final: frozenset
) -> Deadline:
    open_keys = _open_keys(state, prefixes)
    hint = f"open deadlines it can apply to: {', '.join(open_keys) or 'none'}"
    _require(key.startswith(prefixes), f"{kind} does not apply to {key}; {hint}")
    deadline = state.deadlines.get(key)
    _require(deadline is not None, f"there is no deadline {key} on this case; {hint}")
    assert deadline is not None
    _require(
        deadline.status not in final,
        f"deadline {key} is already {deadline.status} (on {deadline.closed_on}); {hint}",
    )
    return deadline


def _check_obligation_met(state: CaseState, event: ObligationMet) -> None:
    final = frozenset({DeadlineStatus.met, DeadlineStatus.met_late, DeadlineStatus.cancelled})
    _check_deadline_event(state, event.deadline_key, OBLIGATION_KEYS, "obligation_met", final)


def _check_exception(state: CaseState, event: ExceptionRecorded) -> None:
    _check_deadline_event(
        state, event.deadline_key, EXCEPTION_KEYS, "exception_recorded", CLOSED_STATUSES
    )


def _check_closed(state: CaseState, event: CaseClosed) -> None:
    if event.reason == "obligations_met":
        owed = [
            key
            for key, d in state.deadlines.items()
            if d.party in ESCALATING_PARTIES
            and d.status in (DeadlineStatus.pending, DeadlineStatus.missed)
            and not key.startswith(RIGHT_KEYS)
        ]
        _require(not owed, f"obligations are still open: {', '.join(owed)}")
    if event.reason == "appeal_dismissed":
        decision = state.last("tribunal_decision")
        _require(
            decision is not None and decision.event.outcome == "dismissed",  # type: ignore[union-attr]
            "reason appeal_dismissed needs a tribunal_decision with outcome dismissed",
        )
    if event.reason == "no_appeal":
        appeal = state.deadlines.get("appeal")
        _require(
            appeal is not None and appeal.status == DeadlineStatus.missed,
            "reason no_appeal needs the appeal deadline to have passed without an appeal",
        )


_CHECKS = {
    WayForwardMeetingHeld: _check_way_forward_held,
    MediationAdviserContacted: _check_adviser_contacted,
    MediationDeclined: _check_declined,
    MediationRequested: _check_requested,
    MediationHeld: _check_held,
    MediationWithdrawn: _check_withdrawn,
    MediationCertificateIssued: _check_certificate,
    DisagreementResolutionStarted: _check_resolution_started,
    DisagreementResolutionConcluded: _check_resolution_concluded,
    AppealRegistered: _check_appeal_registered,
    AppealUnopposed: _check_unopposed,
    HearingListed: _check_hearing,
    AppealWithdrawn: _check_appeal_withdrawn,
    TribunalDecision: _check_decision,
    RecommendationResponseSent: _check_recommendation_response,
    ObligationMet: _check_obligation_met,
    ExceptionRecorded: _check_exception,
    CaseClosed: _check_closed,
}


# -- applying -----------------------------------------------------------------------------

_STAGE_ORDER = list(Stage)
_EVENT_STAGE = {
    "way_forward_meeting_requested": Stage.way_forward,
    "way_forward_meeting_scheduled": Stage.way_forward,
    "way_forward_meeting_held": Stage.way_forward,
    "mediation_adviser_contacted": Stage.mediation,
    "mediation_declined": Stage.mediation,
    "mediation_requested": Stage.mediation,
    "mediation_held": Stage.mediation,
    "mediation_withdrawn": Stage.mediation,
    "mediation_certificate_issued": Stage.mediation,
    "appeal_registered": Stage.appeal,
    "hearing_listed": Stage.appeal,
    "appeal_unopposed": Stage.compliance,
    "tribunal_decision": Stage.compliance,
    "case_closed": Stage.closed,
}


def new_case_state(
    case: Case, policy: ReminderPolicy, specs: list[DeadlineSpec], now: datetime
) -> CaseState:
    state = CaseState(case=case, policy=policy)
    _add_deadlines(state, specs, now)
    return state


def apply_event(
    state: CaseState, event: Event, specs: list[DeadlineSpec], now: datetime
) -> RecordedEvent:
    """Record an event already passed by `check_event`, with the deadlines it created."""
    recorded = RecordedEvent(seq=len(state.timeline) + 1, event=event, recorded_at=now)
    _EFFECTS.get(type(event), _no_effect)(state, event, recorded)
    _add_deadlines(state, specs, now, contacts=_contacts_for(state, event))
    state.timeline.append(recorded)
    target = _EVENT_STAGE.get(event.kind)
    if target and _STAGE_ORDER.index(target) > _STAGE_ORDER.index(state.stage):
        state.stage = target
    return recorded


def _contacts_for(state: CaseState, event: Event) -> dict[str, Contact]:
    if not isinstance(event, TribunalDecision):
        return {}
    first = len(state.recommendations) - len(event.recommendations) + 1
    return {
        f"recommendation_response:{n}": rec.contact
        for n, rec in enumerate(event.recommendations, start=first)
        if rec.contact is not None
    }


def _add_deadlines(
    state: CaseState,
    specs: list[DeadlineSpec],
    now: datetime,
    contacts: dict[str, Contact] | None = None,
) -> None:
    for spec in specs:
        earlier = state.deadlines.get(spec.key)
        if earlier and earlier.status in _SETTLED and spec.key in RECOMPUTED_KEYS:
            continue  # a met appeal stays met: a later certificate does not reopen it
        # Every other spec comes from a new triggering event (a second mediation, a new
        # appeal after a withdrawal, a rescheduled meeting): a new duty replaces the old.
        state.deadlines[spec.key] = Deadline(
            **spec.model_dump(),
            created_at=now,
            contact=(contacts or {}).get(spec.key),
            replaces=earlier.due if earlier and earlier.due != spec.due else None,
        )


def _settle(state: CaseState, key: str, on: date, *, closed_too: bool = False) -> None:
    """Mark a deadline met (or met late) by something done on `on`; `closed_too`: also one
    already closed (a meeting or hearing that took place after all)."""
    deadline = state.deadlines.get(key)
    if deadline is None or (not closed_too and deadline.status in CLOSED_STATUSES):
        return
    on_time = on <= deadline.due or deadline.party == Party.everyone  # meetings are not "late"
    deadline.status = DeadlineStatus.met if on_time else DeadlineStatus.met_late
    deadline.closed_on = on


def _cancel(state: CaseState, keys: Iterable[str], on: date, *, keep_missed: bool = False) -> None:
    """The route ended: its open duties end too, missed ones included, so nobody is chased
    for them (`keep_missed`: closing the case keeps missed ones as missed, for the record)."""
    ending = [DeadlineStatus.pending]
    if not keep_missed:
        ending.append(DeadlineStatus.missed)
    for key in keys:
        deadline = state.deadlines.get(key)
        if deadline and deadline.status in ending:
            deadline.status = DeadlineStatus.cancelled
            deadline.closed_on = on


def _no_effect(state: CaseState, event: Event, recorded: RecordedEvent) -> None:
    pass


def _on_mediation_contact(state: CaseState, event: Event, recorded: RecordedEvent) -> None:
    _settle(state, "mediation_contact", event.date)


def _on_mediation_withdrawn(state: CaseState, event: Event, recorded: RecordedEvent) -> None:
    _cancel(state, ["mediation_session", "icb_mediation_notice"], event.date)


def _on_mediation_held(state: CaseState, event: MediationHeld, recorded: RecordedEvent) -> None:
    _settle(state, "mediation_session", event.date)
    state.actions_agreed += len(event.agreed_actions)


def _on_certificate(state: CaseState, event: Event, recorded: RecordedEvent) -> None:
    _settle(state, "mediation_certificate", event.date)


def _on_way_forward_held(state: CaseState, event: Event, recorded: RecordedEvent) -> None:
    _settle(state, "way_forward_meeting", event.date, closed_too=True)


def _on_appeal_registered(
    state: CaseState, event: AppealRegistered, recorded: RecordedEvent
) -> None:
    appeal = state.deadlines.get("appeal")
    if appeal and event.date > appeal.due:
        # A late appeal can still be admitted with the tribunal's permission: flag it.
        recorded.flags.append("late_appeal")
    _settle(state, "appeal", event.date)
    _cancel(state, ["mediation_contact"], event.date)


def _on_unopposed(state: CaseState, event: AppealUnopposed, recorded: RecordedEvent) -> None:
    _cancel(state, ["appeal_response", "hearing"], event.date)
    state.orders_made += len(event.concessions)


def _on_appeal_withdrawn(state: CaseState, event: Event, recorded: RecordedEvent) -> None:
    _cancel(state, ["appeal_response", "hearing"], event.date)


def _on_decision(state: CaseState, event: TribunalDecision, recorded: RecordedEvent) -> None:
    _settle(state, "hearing", event.date, closed_too=True)
    _cancel(state, ["appeal_response"], event.date)
    state.orders_made += len(event.orders)
    state.recommendations.extend(event.recommendations)


def _on_recommendation_response(
    state: CaseState, event: RecommendationResponseSent, recorded: RecordedEvent
) -> None:
    _settle(state, f"recommendation_response:{event.recommendation}", event.date)


def _on_obligation_met(state: CaseState, event: ObligationMet, recorded: RecordedEvent) -> None:
    # met after an exception: judged by its date like an open one
    excepted = state.deadlines[event.deadline_key].status == DeadlineStatus.excepted
    _settle(state, event.deadline_key, event.date, closed_too=excepted)


def _on_exception(state: CaseState, event: ExceptionRecorded, recorded: RecordedEvent) -> None:
    deadline = state.deadlines[event.deadline_key]
    deadline.status = DeadlineStatus.excepted
    deadline.exception = event.reason
    deadline.closed_on = event.date


def _on_closed(state: CaseState, event: CaseClosed, recorded: RecordedEvent) -> None:
    _cancel(state, list(state.deadlines), event.date, keep_missed=True)
    state.closed_reason = event.reason


_EFFECTS = {
    MediationAdviserContacted: _on_mediation_contact,
    MediationDeclined: _on_mediation_contact,
    MediationRequested: _on_mediation_contact,
    MediationWithdrawn: _on_mediation_withdrawn,
    MediationHeld: _on_mediation_held,
    MediationCertificateIssued: _on_certificate,
    WayForwardMeetingHeld: _on_way_forward_held,
    AppealRegistered: _on_appeal_registered,
    AppealUnopposed: _on_unopposed,
    AppealWithdrawn: _on_appeal_withdrawn,
    TribunalDecision: _on_decision,
    RecommendationResponseSent: _on_recommendation_response,
    ObligationMet: _on_obligation_met,
    ExceptionRecorded: _on_exception,
    CaseClosed: _on_closed,
}


def refresh_statuses(state: CaseState, today: date) -> bool:
    """Move pending deadlines whose day has passed: duties to missed, meetings to met.

    Returns whether anything changed.
    """
    changed = False
    for deadline in state.deadlines.values():
        if deadline.status != DeadlineStatus.pending or deadline.due >= today:
            continue
        if deadline.party == Party.everyone:
            deadline.status, deadline.closed_on = DeadlineStatus.met, deadline.due
        else:
            deadline.status = DeadlineStatus.missed
        changed = True
    return changed


def missed_duty(deadline: Deadline) -> bool:
    """`deadline` is a duty of the council, health, social care or the mediator that is past
    due and not met: what makes a case overdue (a right to challenge not used is not late)."""
    return (
        deadline.status == DeadlineStatus.missed
        and deadline.party not in (Party.parent, Party.everyone)
        and not deadline.key.startswith(RIGHT_KEYS)
    )


def is_overdue(state: CaseState) -> bool:
    """A duty is missed (`missed_duty`); a closed case keeps its missed duties on record, but
    is no longer overdue."""
    return not state.closed and any(missed_duty(d) for d in state.deadlines.values())


def nothing_pending(state: CaseState) -> bool:
    """True when no deadline is pending and no missed duty is still owed (council, health or
    social care; those keep escalating), and no untimed route is under way (a way forward
    meeting asked for but not yet held, a disagreement resolution not concluded)."""
    for deadline in state.deadlines.values():
        if deadline.status == DeadlineStatus.pending:
            return False
        if deadline.status == DeadlineStatus.missed and deadline.party in ESCALATING_PARTIES:
            return False
    way_forward = state.last("way_forward_meeting_requested", "way_forward_meeting_held")
    resolution = state.last("disagreement_resolution_started", "disagreement_resolution_concluded")
    return not (
        (way_forward and way_forward.event.kind == "way_forward_meeting_requested")
        or (resolution and resolution.event.kind == "disagreement_resolution_started")
    )


def closes_the_case(state: CaseState, event: Event) -> str | None:
    """The `case_closed` reason when `event` (just applied) ends the case by itself, else None.

    The family withdrawing its appeal ends the appeal's clocks (`appeal_withdrawn` cancels the
    council's response and the hearing); when nothing else is pending the process ends there
    (process.md, "Closure": the family withdraws), so the case closes as "withdrawn"."""
    if event.kind == "appeal_withdrawn" and not state.closed and nothing_pending(state):
        return "withdrawn"
    return None


def close_case(state: CaseState, reason: str, on: date) -> None:
    """Close the case as a `case_closed` event would (open deadlines cancelled on `on`),
    without an event of its own: used when the process ends by itself (`closes_the_case`)."""
    _cancel(state, list(state.deadlines), on, keep_missed=True)
    state.closed_reason = reason
    state.stage = Stage.closed


def accept_event(
    state: CaseState,
    event: Event,
    specs: list[DeadlineSpec],
    now: datetime,
    *,
    close_when_withdrawn: bool = True,
) -> RecordedEvent:
    """Record an event already passed by `check_event` (`apply_event`, `now` UTC) and close
    the case when the event ends it by itself (`closes_the_case`): what the workflow does with
    every accepted event, and what the record written with the event's plan shows.
    `close_when_withdrawn` False: the rule of runs started before it (no closing)."""
    recorded = apply_event(state, event, specs, now)
    if close_when_withdrawn and (closing := closes_the_case(state, event)):
        close_case(state, closing, event.date)
    return recorded


def next_due(state: CaseState) -> date | None:
    pending = [d.due for d in state.deadlines.values() if d.status == DeadlineStatus.pending]
    return min(pending, default=None)


# The later routes (consent orders, challenging a decision, the mediation booking) keep their
# rules in their own module; they are new event kinds, so old histories never meet them.
from ehcp import challenges as _challenges  # noqa: E402

_CHECKS.update(_challenges.CHECKS)


def _on_contact_updated(state: CaseState, event: ContactUpdated, recorded: RecordedEvent) -> None:
    """Later messages go to the new details; the reader's "not reached" warning goes."""
    state.case = state.case.model_copy(update={event.role: event.contact})
    role = "health" if event.role == "health_contact" else event.role
    state.not_reached = [r for r in state.not_reached if r.role != role]


_EFFECTS[ContactUpdated] = _on_contact_updated
_EFFECTS.update(_challenges.EFFECTS)
_FOLLOWS.update(_challenges.FOLLOWS)
_EVENT_STAGE.update(_challenges.STAGES)
