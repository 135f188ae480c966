"""The patch ids of DisagreementWorkflow, and deciding them once at the start of a run.

Each id marks a change to the commands the workflow issues (docs/workflow-changes.md): a run
started on code with the change records the id's marker and takes the new path; a run whose
history has no marker replays the old one. `decide` asks every id once, first thing in a run,
before any local activity, and keeps the answers (validators may not call `patched`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from temporalio import workflow

#: Patch: runs started on this code plan and send through local activities, one batch per
#: wake-up (one history marker each, instead of three events and a workflow task per call).
#: Runs that started before it keep scheduling activities, one per message.
LOCAL_ACTIVITIES = "local-activities-batched-sends"
#: Patch: runs started on this code refuse an `appeal_unopposed` dated after the council's
#: response (SEND Regs reg 45(1)); that concession is a consent order (`consent_order_made`).
#: Runs that started before it keep accepting one, as their histories may hold one.
REG45_BEFORE_RESPONSE = "reg45-before-response"
#: Patch: escalations and late notices wait for the first working-day reminder time after the
#: case learned of the deadline (a back office entering history gets no false "missed"
#: emails) and are numbered by how many were sent; a reminder whose time had passed when
#: the deadline was learned goes at the next reminder time (ehcp.notices, `learned`).
NOTICES_AFTER_LEARNED = "notices-after-learned"
#: Patch: the parent and second contact are told of each response to a tribunal
#: recommendation (ehcp.told.told_notices): new emails for histories that hold one.
TOLD_OF_RESPONSES = "parents-told-of-recommendation-responses"
#: Patch: a case whose appeal is withdrawn with nothing else pending closes by itself
#: (ehcp.case_state.closes_the_case): later events on such histories would now be refused.
CLOSE_WHEN_WITHDRAWN = "close-when-appeal-withdrawn"
#: Patch: runs started on this code keep one timer while the next wake-up stays the same (an
#: event that does not move it costs no timer). Runs without the marker start a timer per sleep
#: and cancel it when an event wakes them (commit 32018cd shipped this change unpatched; the
#: histories of the earlier code are tests/histories/v2-local-activities-*).
KEPT_TIMER = "kept-timer-per-wakeup"
#: Patch: a run whose workflow id is not `ehcp-case-<case_ref>` of its input fails at once
#: (runs started before it may carry any id: they replay without the check).
ID_MATCHES_CASE = "workflow-id-matches-case-ref"
#: Patch: a local activity's last failure reaches workflow code as the activity's own error
#: (ApplicationError, TimeoutError), not as ActivityError. Runs started on it catch those too:
#: a send batch that gives up is recorded as failures with staff alerts (before: the whole case
#: failed) and an event whose planning fails gets PlanningFailed (before: the planner's error).
LA_FAILURES = "local-activity-failures-caught"
#: Patch: one marker stands for every id above (each of them is then on). Runs started on it
#: record this one marker at start instead of eight (about 1.2 KB less history per case, and
#: eight fewer events for the server to write); runs without it ask each id, as before.
#: The ids below it are asked on their own, in every run.
ALL_OF_2026_11 = "patches-2026-11-in-one-marker"
#: Patch: a `contact_updated` for the caseworker sets the `EhcpCaseworker` search attribute to
#: the new caseworker's staff reference (a local activity: the key stays on the worker), so
#: the Cases page's caseworker filter follows a reassigned case. Runs without the marker keep
#: the reference set at start (or none). Asked on its own, after ALL_OF_2026_11.
CASEWORKER_REF = "caseworker-search-attribute"
#: Patch: runs started on this code write the case's record to the database (a local
#: activity, ehcp/records.py) whenever what it shows changes (an event, the next deadline,
#: overdue, notices) and at closure. Runs started before it write none until their next
#: continue-as-new. Asked on its own, after CASEWORKER_REF.
CASE_RECORDS = "case-records-written"
#: Patch: one marker stands for ALL_OF_2026_11 and CASE_RECORDS (each then on), and for a
#: smaller visibility: a run started on it keeps in its search attributes only what identifies
#: the case and never changes (EhcpCaseRef, EhcpCouncil, EhcpDecisionType: set at start by
#: service/, upserted only if a start left them out), never the stage, the next deadline, the
#: overdue flag or the caseworker (the case list reads them from the case records). So it
#: supersedes CASEWORKER_REF: no staff reference is worked out in the workflow (the record
#: carries it, activities/records.py). And the case record is written when what the case list
#: reads changes or an event is recorded, not when notices alone go out or fail (the closing
#: write holds them all).
#: Runs started on it record this one marker (and the SDK's one TemporalChangeVersion upsert)
#: instead of three; runs without it ask the older ids exactly as before. Asked first.
ALL_OF_2026_12 = "patches-2026-12-in-one-marker"
#: Patch: one marker stands for ALL_OF_2026_12 (and so every id above it) and for the case
#: record written with the plan: at start and for each event, the local activity that dates
#: the deadlines also writes the record of the state they lead to (activities/
#: planned_records.py), one local activity and one marker instead of two. A record the
#: database could not take is written by the loop as before. Runs started on it record this
#: one marker; runs without it ask ALL_OF_2026_12 and the older ids exactly as before.
#: Asked first.
RECORD_WITH_PLAN = "patches-2026-12-record-with-plan"


@dataclass(frozen=True)
class Patches:
    """Which changes this run was started on (True: take the new path)."""

    id_matches_case: bool
    reg45_rule: bool
    notices_after_learned: bool
    told_of_responses: bool
    close_when_withdrawn: bool
    kept_timer: bool
    catch_la_failures: bool
    #: None: not asked yet (runs before ALL_OF_2026_11 ask `LOCAL_ACTIVITIES` where the code
    #: first plans or sends, as they always did: its marker may come later in their history)
    local_activities: bool | None
    caseworker_ref: bool = False
    case_records: bool = False
    #: ALL_OF_2026_12: only the identifying search attributes, upserted if a start left them out
    identity_attributes: bool = False
    #: ALL_OF_2026_12: the record is written when what the case list reads changes (not
    #: for notices alone)
    listed_records: bool = False
    #: RECORD_WITH_PLAN: the record is written by the planning local activity
    record_with_plan: bool = False


#: before `run` has decided: every change off (a validator may run first)
NOT_DECIDED = Patches(False, False, False, False, False, False, False, None)


#: what ALL_OF_2026_12 stands for
_ALL_OF_2026_12 = Patches(
    *(True,) * 8,
    caseworker_ref=False,
    case_records=True,
    identity_attributes=True,
    listed_records=True,
)


def decide() -> Patches:
    """Every patch, asked once, first thing in a run (workflow code only)."""
    if workflow.patched(RECORD_WITH_PLAN):
        return dataclasses.replace(_ALL_OF_2026_12, record_with_plan=True)
    if workflow.patched(ALL_OF_2026_12):
        return _ALL_OF_2026_12
    if workflow.patched(ALL_OF_2026_11):
        return Patches(True, True, True, True, True, True, True, True, *_later())
    # The order of the code before ALL_OF_2026_11: the id check, then the rest.
    id_matches_case = workflow.patched(ID_MATCHES_CASE)
    old = Patches(
        id_matches_case=id_matches_case,
        reg45_rule=workflow.patched(REG45_BEFORE_RESPONSE),
        notices_after_learned=workflow.patched(NOTICES_AFTER_LEARNED),
        told_of_responses=workflow.patched(TOLD_OF_RESPONSES),
        close_when_withdrawn=workflow.patched(CLOSE_WHEN_WITHDRAWN),
        kept_timer=workflow.patched(KEPT_TIMER),
        catch_la_failures=workflow.patched(LA_FAILURES),
        local_activities=None,
    )
    caseworker_ref, case_records = _later()
    return dataclasses.replace(old, caseworker_ref=caseworker_ref, case_records=case_records)


def _later() -> tuple[bool, bool]:
    """The patches made after ALL_OF_2026_11, each asked on its own, in this order."""
    return workflow.patched(CASEWORKER_REF), workflow.patched(CASE_RECORDS)
