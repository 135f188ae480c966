"""Case records seeded straight into a stack's database, for the list benchmarks
(`python -m bench.pages --seed-records 10000`): the list is served from the records table, so
10,000 open cases need 10,000 rows, not 10,000 running workflows.

Each record is what the workflow writes for a real case (ehcp.records.CaseRecord): one case
state per decision date, planned by the same code, copied under each reference. Decisions
fall 40 to 69 days before today, so next deadlines spread over the coming weeks; one case in
twenty has a missed duty (overdue); councils alternate (four in five Rutland).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from ehcp.calendar import WorkingDayCalendar
from ehcp.case_state import ReminderPolicy, is_overdue, new_case_state, next_due, refresh_statuses
from ehcp.contacts import Contact
from ehcp.models import Case
from ehcp.payloads import CaseStatus, CaseTimeline
from ehcp.planning import PlanRequest, plan
from ehcp.records import CaseRecord
from security.codec import EncryptionCodec
from security.keys import keyring_from_file
from store.case_records import CaseRecords

BATCH = 1000


def _template(ref: str, council: str, decided: date, today: date, late: bool) -> CaseRecord:
    case = Case(
        case_ref=ref, council=council, decision_type="plan_content", decision_date=decided,
        parent=Contact(name="Sam Parent", email="sam.parent@example.org"),
        caseworker=Contact(name="Alex Caseworker", email="alex.cw@rutland.gov.uk"),
    )  # fmt: skip
    policy = ReminderPolicy(send_manager=Contact(name="SEND manager", email="m@rutland.gov.uk"))
    now = datetime.combine(decided, time(12), UTC)
    state = new_case_state(case, policy, plan(PlanRequest(case=case), WorkingDayCalendar()), now)
    refresh_statuses(state, today)  # as the workflow's last wake-up left it
    status = CaseStatus(
        case_ref=ref, council=council, decision_type=case.decision_type, decision_date=decided,
        stage=state.stage, closed_reason=None, overdue=late or is_overdue(state),  # late: shown so
        next_due=next_due(state), deadlines=list(state.deadlines.values()), reminders_sent=[],
        delivery_failures=[], events=0,
    )  # fmt: skip
    return CaseRecord(
        case=case, status=status, timeline=CaseTimeline(case_ref=ref, events=[]),
        written_at=datetime.now(UTC),
    )  # fmt: skip


def _renamed(record: CaseRecord, ref: str) -> CaseRecord:
    return record.model_copy(
        update={
            "case": record.case.model_copy(update={"case_ref": ref}),
            "status": record.status.model_copy(update={"case_ref": ref}),
            "timeline": CaseTimeline(case_ref=ref, events=[]),
        }
    )


def seed(
    database_url: str, key_file: Path, count: int, today: date, prefix: str = "SEED"
) -> list[str]:
    """Insert `count` open case records; returns their references (council in the name)."""
    store = CaseRecords(database_url, EncryptionCodec(keyring_from_file(key_file)))
    templates: dict[tuple[str, int, bool], CaseRecord] = {}
    refs: list[str] = []
    batch: list[CaseRecord] = []
    for n in range(count):
        council = "leicestershire" if n % 5 == 4 else "rutland"
        shape = (council, n % 30, n % 20 == 7)
        if shape not in templates:
            decided = today - timedelta(days=40 + shape[1])
            templates[shape] = _template("RUT-0-0", council, decided, today, shape[2])
        ref = f"{'LEI' if council != 'rutland' else 'RUT'}-{prefix}-{n:06d}"
        batch.append(_renamed(templates[shape], ref))
        refs.append(ref)
        if len(batch) == BATCH:
            store.insert_many(batch)
            batch = []
    if batch:
        store.insert_many(batch)
    return refs
