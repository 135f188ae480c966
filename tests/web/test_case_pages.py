"""The case pages without a browser or Temporal: a stand-in for the operations layer records
what the pages ask of it, and a signed-in person is set directly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from ehcp.case_state import DeliveryFailure, NoticeRecord
from ehcp.payloads import CaseStatus, CaseTimeline, EventReceipt
from service.errors import Conflict, NotFound, Unavailable
from service.models import CasePage, CaseSummary
from tests.unit.casebuilder import CaseBuilder, make_case
from web import auth, deps
from web.app import create_app
from web.settings import WebSettings

TODAY = date(2026, 11, 30)
ALEX = auth.Staff("alex", "Alex Caseworker", "alex@rutland.gov.uk", "rutland", "caseworker")


class FakeCases:
    """Answers like service.operations.Cases; remembers every call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.summaries: list[CaseSummary] = []
        self.builder = CaseBuilder(make_case("refusal_to_assess", date(2026, 10, 1)))
        self.refuse: str | None = None
        self.missing = False
        self.down = False

    async def get(self) -> FakeCases:
        if self.down:
            raise Unavailable("Temporal did not answer")
        return self

    def _matching(self, flt) -> list[CaseSummary]:
        found = [
            c for c in self.summaries
            if flt.closed is None or (c.status != "running") == flt.closed
            if flt.case_ref is None or flt.case_ref.upper() in c.case_ref
        ]  # fmt: skip
        return sorted(found, key=lambda c: (c.next_deadline is None, c.next_deadline))

    async def list_cases(self, caller, flt, page_size=100, cursor=None, offset=0):
        self.calls.append(("list_cases", caller, flt))
        return CasePage(cases=self._matching(flt)[offset : offset + page_size])

    async def count_cases(self, caller, flt):
        return len(self._matching(flt))

    def _check(self, case_ref: str) -> None:
        if self.missing:
            raise NotFound(f"no case {case_ref}")

    async def status(self, caller, case_ref):
        self._check(case_ref)
        s = self.builder.state
        return CaseStatus(
            case_ref=case_ref, council=s.case.council, decision_type=s.case.decision_type,
            decision_date=s.case.decision_date, stage=s.stage, closed_reason=s.closed_reason,
            overdue=False, next_due=None, deadlines=list(s.deadlines.values()),
            reminders_sent=s.notices, delivery_failures=s.delivery_failures,
            events=len(s.timeline),
        )  # fmt: skip

    async def case(self, caller, case_ref):
        self._check(case_ref)
        return self.builder.case

    async def timeline(self, caller, case_ref):
        self._check(case_ref)
        return CaseTimeline(case_ref=case_ref, events=self.builder.state.timeline)

    async def record_event(self, caller, case_ref, event, event_id=None):
        self.calls.append(("record_event", caller, case_ref, event, event_id))
        if self.refuse:
            raise Conflict(f"event refused: {self.refuse}", "event-refused")
        return EventReceipt(seq=1, kind=event.kind, stage="mediation", flags=[], deadlines=[])


@pytest.fixture
def fake(monkeypatch) -> FakeCases:
    monkeypatch.setattr(auth, "current_staff", lambda request: ALEX)
    monkeypatch.setattr(deps, "today", lambda: TODAY)
    return FakeCases()


@pytest.fixture
def web(fake) -> TestClient:
    client = TestClient(create_app(WebSettings(), cases=fake), raise_server_exceptions=False)
    client.get("/deadline-calculator")  # the CSRF cookie
    return client


def token(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrftoken" value="([^"]+)"', client.get(path).text)
    assert match, path
    return match[1]


def summary(n: int, due: date | None, overdue: bool = False, status: str = "running"):
    return CaseSummary(
        case_ref=f"RUT-2026-{n:04d}", council="rutland", decision_type="refusal_to_assess",
        stage="mediation", next_deadline=due, overdue=overdue, status=status,
    )  # fmt: skip


def test_cases_by_next_deadline_with_tags_and_pages(fake, web) -> None:
    fake.summaries = [summary(n, TODAY + timedelta(days=n)) for n in range(1, 60)]
    fake.summaries += [summary(90, TODAY - timedelta(days=2), overdue=True)]
    fake.summaries += [summary(91, None, status="completed")]
    page = web.get("/cases").text
    refs = re.findall(r'href="/cases/(RUT-2026-\d+)"', page)
    assert refs[:3] == ["RUT-2026-0090", "RUT-2026-0001", "RUT-2026-0002"]
    assert len(refs) == 25
    assert "govuk-tag--red" in page and "Overdue" in page
    assert "Due in 7 days" in page and "Due in 8 days" not in page
    assert "Open cases (60)" in page and "Closed cases (1)" in page
    third = web.get("/cases?page=3").text
    assert re.findall(r'href="/cases/(RUT-2026-\d+)"', third)[-1] == "RUT-2026-0059"
    assert "govuk-pagination" in third
    closed = web.get("/cases?closed=true").text
    assert re.findall(r'href="/cases/(RUT-2026-\d+)"', closed) == ["RUT-2026-0091"]
    found = web.get("/cases?q=026-0059").text
    assert re.findall(r'href="/cases/(RUT-2026-\d+)"', found) == ["RUT-2026-0059"]
    bad = web.get("/cases?q=%3Cscript%3E")
    assert bad.status_code == 400 and 'href="#q"' in bad.text


def test_filters_reach_the_operation_and_bad_ones_are_errors(fake, web) -> None:
    web.get("/cases?stage=appeal&decision_type=plan_content&due_within=7&overdue=true")
    _, caller, flt = fake.calls[-1]
    assert (flt.stage, flt.decision_type, flt.due_within, flt.overdue) == (
        "appeal", "plan_content", 7, True,
    )  # fmt: skip
    assert caller.council == "rutland" and caller.role == "caseworker"
    bad = web.get("/cases?due_within=soon&stage=nowhere")
    assert bad.status_code == 400
    assert 'href="#due_within"' in bad.text and 'href="#stage"' in bad.text
    # nothing was counted: no "(0)" beside the open and closed links (a fresh user's trial)
    assert "Open cases (" not in bad.text and "Closed cases (" not in bad.text
    assert "Open cases (" in web.get("/cases").text


def test_caseworker_filter_assigned_to_me_or_by_address(fake, web) -> None:
    mine = web.get("/cases?mine=true&stage=appeal")
    assert mine.status_code == 200
    _, _, flt = fake.calls[-1]
    assert flt.caseworker == "alex@rutland.gov.uk" and flt.stage == "appeal"
    assert 'name="mine" type="checkbox" value="true" checked' in mine.text
    # the filter is kept by the links to closed cases
    assert "closed=true" in mine.text and "mine=true&amp;closed=true" in mine.text
    web.get("/cases?caseworker=Robin.CW%40rutland.gov.uk")
    _, _, flt = fake.calls[-1]
    assert flt.caseworker == "Robin.CW@rutland.gov.uk"
    web.get("/cases")
    assert fake.calls[-1][2].caseworker is None
    bad = web.get("/cases?caseworker=robin")
    assert bad.status_code == 400 and 'href="#caseworker"' in bad.text
    assert "Enter an email address in the correct format, like name@example.com" in bad.text
    both = web.get("/cases?mine=true&caseworker=robin%40rutland.gov.uk")
    assert both.status_code == 400 and "not both" in both.text


def test_case_page_shows_reminders_and_what_to_do_about_failed_emails(fake, web) -> None:
    state = fake.builder.state
    at = datetime(2026, 11, 1, 9, tzinfo=UTC)
    state.notices.append(
        NoticeRecord(key="k1", deadline_key="appeal", kind="reminder", role="parent",
                     sent_at=at, transport="outbox")
    )  # fmt: skip
    state.delivery_failures.append(
        DeliveryFailure(key="k2", deadline_key="appeal", kind="reminder", role="parent",
                        failed_at=at, status_code=400, reason="Bounced address")
    )  # fmt: skip
    page = web.get("/cases/RUT-2026-0042").text
    assert "Alex Parent, alex.parent@example.com" in page  # the contacts
    assert "Emails that could not be delivered" in page
    assert "contact them another way" in page and "Bounced address" in page
    row = re.search(r'id="deadline-appeal".*?</tr>', page, re.S)[0]
    assert "HESC Rules r.20" in row and ">1</td>" in row
    assert 'href="/cases/RUT-2026-0042/events/mediation_adviser_contacted"' in page
    assert "/events/appeal_registered" not in page


def test_missing_or_another_councils_case_is_404_and_temporal_down_is_503(fake, web) -> None:
    fake.missing = True
    assert web.get("/cases/RUT-2026-0042").status_code == 404
    assert web.get("/cases/not-a-ref").status_code == 404
    fake.missing, fake.down = False, True
    down = web.get("/cases/RUT-2026-0042")
    assert down.status_code == 503 and "Sorry, the service is unavailable" in down.text


def test_an_event_is_recorded_once_confirmed_with_the_signed_in_person(fake, web) -> None:
    path = "/cases/RUT-2026-0042/events/mediation_adviser_contacted"
    form = {"date-day": "2", "date-month": "10", "date-year": "2026", "notes": "By phone"}
    check = web.post(path, data={**form, "csrftoken": token(web, path), "step": "check"})
    assert "Check your answers before recording" in check.text
    assert not [c for c in fake.calls if c[0] == "record_event"]  # nothing recorded yet
    event_id = re.search(r'name="event_id" value="([^"]+)"', check.text)[1]
    done = web.post(path, data={**form, "csrftoken": token(web, path), "step": "confirm",
                                "event_id": event_id})  # fmt: skip
    assert "Event recorded" in done.text
    (_, caller, case_ref, event, used_id) = fake.calls[-1]
    assert event.recorded_by == "Alex Caseworker (alex@rutland.gov.uk)" == caller.name
    assert (case_ref, event.notes, used_id) == ("RUT-2026-0042", "By phone", event_id)


def test_a_refusal_is_in_the_error_summary(fake, web) -> None:
    fake.refuse = "date 2026-10-02 is before the mediation_declined it follows"
    path = "/cases/RUT-2026-0042/events/mediation_adviser_contacted"
    form = {"date-day": "2", "date-month": "10", "date-year": "2026"}
    answer = web.post(path, data={**form, "csrftoken": token(web, path), "step": "confirm"})
    assert answer.status_code == 409
    summary_box = re.search(r"govuk-error-summary.*?</div>\s*</div>", answer.text, re.S)[0]
    assert "Date 2 October 2026 is before the family declined mediation it follows" in summary_box
    assert 'href="#date-day"' in summary_box


def test_an_event_date_in_the_future_is_said_in_govuk_words(fake, web) -> None:
    path = "/cases/RUT-2026-0042/events/mediation_adviser_contacted"
    form = {"date-day": "2", "date-month": "11", "date-year": "2099"}
    answer = web.post(path, data={**form, "csrftoken": token(web, path), "step": "check"})
    assert answer.status_code == 400
    assert "The date it happened must be today or in the past" in answer.text
    assert "2099-11-02" not in answer.text


def test_a_form_post_without_csrf_records_nothing(fake, web) -> None:
    path = "/cases/RUT-2026-0042/events/mediation_adviser_contacted"
    token(web, path)  # a browser that has the form (and so the cookies), posting another token
    answer = web.post(path, data={"date-day": "2", "date-month": "10", "date-year": "2026",
                                  "step": "confirm", "csrftoken": "forged"})  # fmt: skip
    assert answer.status_code == 403
    assert not [c for c in fake.calls if c[0] == "record_event"]


START = {
    "case_ref": "rut-2026-0100", "decision_type": "refusal_to_assess",
    "decision_date-day": "20", "decision_date-month": "11", "decision_date-year": "2026",
    "parent-name": "Sam Parent", "parent-email": "sam@example.org",
    "caseworker-name": "Alex Caseworker", "caseworker-email": "alex@rutland.gov.uk",
}  # fmt: skip


def test_start_a_case_in_the_signed_in_persons_council(fake, web) -> None:
    started = []

    async def start(caller, case):
        started.append((caller, case))
        if case.case_ref == "RUT-2026-0101":
            raise Conflict("case RUT-2026-0101 already exists", "case-exists")

    fake.start = start
    check = web.post("/cases/new", data={**START, "csrftoken": token(web, "/cases/new"),
                                         "step": "check"})  # fmt: skip
    assert "Check the case before starting it" in check.text and not started
    # a Change button on each row goes back to that answer, focused
    assert 'value="change:parent-name"' in check.text
    assert 'Change<span class="govuk-visually-hidden"> caseworker</span>' in check.text
    change = web.post("/cases/new", data={**START, "csrftoken": token(web, "/cases/new"),
                                          "step": "change:decision_date-day"})  # fmt: skip
    assert re.search(r'id="decision_date-day"[^>]*autofocus', change.text)
    assert 'value="rut-2026-0100"' in change.text and not started
    done = web.post("/cases/new", data={**START, "csrftoken": token(web, "/cases/new"),
                                        "step": "confirm"})  # fmt: skip
    assert "Case started" in done.text
    caller, case = started[-1]
    assert (case.case_ref, case.council, caller.council) == ("RUT-2026-0100", "rutland", "rutland")
    again = web.post("/cases/new", data={**START, "case_ref": "RUT-2026-0101", "step": "confirm",
                                         "csrftoken": token(web, "/cases/new")})  # fmt: skip
    assert again.status_code == 409 and 'href="#case_ref"' in again.text


def test_missing_answers_to_start_a_case_link_to_their_fields(fake, web) -> None:
    answer = web.post("/cases/new", data={"csrftoken": token(web, "/cases/new"), "step": "check",
                                          "parent-email": "not-an-email"})  # fmt: skip
    assert answer.status_code == 400
    for field in ("case_ref", "decision_type", "decision_date-day", "parent-name"):
        assert f'href="#{field}"' in answer.text


def test_start_form_reports_every_error_at_once_in_the_fields_order(fake, web) -> None:
    """GOV.UK: all errors in one go, in the summary (in the page's order) and by each field;
    the case reference's form and the email address used to wait for a second submit."""
    answer = web.post("/cases/new", data={
        **START, "csrftoken": token(web, "/cases/new"), "step": "check", "case_ref": "rut 77",
        "decision_type": "", "decision_date-day": "31", "decision_date-month": "2",
        "parent-name": "", "parent-email": "nope",
    })  # fmt: skip
    assert answer.status_code == 400
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', answer.text, re.S)
    assert summary, answer.text
    linked = re.findall(r'href="#([^"]+)"', summary[1])
    assert linked == ["case_ref", "decision_type", "decision_date-day", "parent-name",
                      "parent-email"]  # fmt: skip
    for field in linked:
        assert f'id="{field}-error"' in answer.text or field == "decision_date-day"
    assert 'id="decision_date-error"' in answer.text
    assert "Value is not a valid email" not in answer.text


def test_start_form_says_a_decision_date_in_the_future_in_words(fake, web) -> None:
    answer = web.post("/cases/new", data={
        **START, "csrftoken": token(web, "/cases/new"), "step": "check",
        "decision_date-year": "2099", "parent-email": "nope",
    })  # fmt: skip
    assert answer.status_code == 400
    assert "The date the decision letter was sent must be today or in the past" in answer.text
    assert "2099-11-20" not in answer.text
    assert 'href="#parent-email"' in answer.text


def test_a_viewer_cannot_start_a_case_or_record(fake, web, monkeypatch) -> None:
    viewer = auth.Staff("v", "Vic Viewer", "vic@rutland.gov.uk", "rutland", "viewer")
    monkeypatch.setattr(auth, "current_staff", lambda request: viewer)
    assert web.get("/cases/new").status_code == 403
    case_page = web.get("/cases/RUT-2026-0042")
    assert case_page.status_code == 200 and "/events/" not in case_page.text
    assert web.get("/cases/RUT-2026-0042/events/mediation_declined").status_code == 403


def test_a_case_of_a_council_not_configured_is_refused_on_the_page(fake, web, monkeypatch) -> None:
    """A sign-in group mapped to a council the service does not run (a typo) starts nothing."""
    csrf = token(web, "/cases/new")  # a valid token of this browser's
    typo = auth.Staff("t", "Tam Typo", "tam@rutland.gov.uk", "rutlnd", "caseworker")
    monkeypatch.setattr(auth, "current_staff", lambda request: typo)
    started = []

    async def start(caller, case):
        started.append(case)

    fake.start = start
    # said before the form, not after it is filled in
    page = web.get("/cases/new")
    assert page.status_code == 403 and 'name="case_ref"' not in page.text
    assert "‘rutlnd’, which is not a council of this service (allowed: rutland)" in page.text
    answer = web.post("/cases/new", data={**START, "csrftoken": csrf, "step": "confirm"})
    assert answer.status_code == 403 and not started
    assert "is not a council of this service (allowed: rutland)" in answer.text
