"""Record an event: the kind's form, a check-your-answers step, then the case operation.

Nothing is recorded before the person confirms. The confirmation carries an event id made at
the check step (the Temporal update id), so pressing the button twice records one event.
A refusal by the case comes back as the form's error summary.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ehcp.dates_text import format_day_month_year
from ehcp.models import EVENT_KINDS
from service.callers import Permission
from service.errors import BadInput, Conflict
from service.inputs import check_event
from web import deps
from web.cases import CaseRef, StaffDep
from web.eventforms import TITLES, answer_text, component_params, field_id, questions, read_answers
from web.forms import FormErrors
from web.itemforms import item_count, item_rows, renumbered
from web.offer import accepted_kinds
from web.templating import render

router = APIRouter()
#: the roles of `contact_updated` (ehcp.models.ContactUpdated)
CONTACT_ROLES = ("parent", "second_contact", "caseworker", "health_contact", "send_manager")
#: form fields that are not answers
CONTROL = {"csrftoken", "step", "event_id"}
REFUSED_PREFIX = "event refused: "


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_KIND = re.compile(r"\b(" + "|".join(sorted(EVENT_KINDS, key=len, reverse=True)) + r")\b")


def humanise(message: str) -> str:
    """A refusal in the page's words: dates in full, event kinds by their titles."""

    def long_date(m: re.Match[str]) -> str:
        try:
            return format_day_month_year(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    text = _KIND.sub(lambda m: TITLES[m[1]].lower(), _ISO_DATE.sub(long_date, message))
    return text[:1].upper() + text[1:]


def pointer_field(pointer: str, qs: list) -> str:
    """The form field of a JSON pointer: `/agreed_actions/0/summary` is the first agreed
    action's summary, `/contact/email` the contact's email; else the question's own field."""
    by_name = {q.name: field_id(q) for q in qs}
    parts = pointer.lstrip("/").split("/")
    if parts[0] == "contact" and f"contact-{parts[1:2] and parts[1]}" in by_name:
        return by_name[f"contact-{parts[1]}"]
    lists = {q.name: q.items for q in qs if q.component == "items"}
    if parts[0] in lists and len(parts) > 2 and parts[1].isdigit():
        rest = "-".join(parts[2:4])
        known = {f.name: f for f in lists[parts[0]].fields}
        if rest in known:
            return lists[parts[0]].field_id(int(parts[1]) + 1, known[rest])
        return f"{parts[0]}-{int(parts[1]) + 1}-summary"
    return by_name.get(parts[0], field_id(qs[0]))


_LIST_RULE = re.compile(r"^(agreed_actions|recommendations)(?: (\d+))?(?:: (\w+))?")


def _whole_event_error(message: str, qs: list) -> tuple[str, str] | None:
    """A rule of the whole event about one of its lists ("agreed_actions 2: agreed_due is
    before the day of the mediation (date)"): the item's field, and the message in words."""
    m = _LIST_RULE.match(message)
    names = {q.name for q in qs}
    if not m or m[1] not in names:
        return None
    pointer = f"/{m[1]}/{int(m[2] or 1) - 1}/{m[3] or 'summary'}"
    words = message.replace(m[1], m[1].replace("_", " ")).replace("_", " ")
    return pointer_field(pointer, qs), words


def bad_input_errors(error: BadInput, qs: list, errors: FormErrors) -> None:
    """Field errors of the operations layer (JSON pointers) against the form's fields."""
    first = field_id(qs[0])
    for item in error.errors or []:
        target = pointer_field(item.pointer, qs)
        message = item.message
        if not item.pointer.strip("/") and (listed := _whole_event_error(message, qs)):
            target, message = listed
        errors.add(target, humanise(message))
    if not error.errors:
        errors.add(first, humanise(error.message))


async def _case(request: Request, staff, case_ref: str):
    ops, who = await deps.cases(request), deps.caller(staff)
    status, timeline = await asyncio.gather(ops.status(who, case_ref), ops.timeline(who, case_ref))
    return ops, who, status, timeline


def _autofocus(fields: list, focus: str) -> None:
    """Focus the field a Change or Add button went back to (the page loads there, no script)."""
    for q, params in fields:
        if q.component == "items":
            for item in params["items"]:
                _autofocus(item["fields"], focus)
            continue
        mark = {"autofocus": "autofocus"}
        grouped = q.component in ("date", "radios", "checkboxes", "checkbox")
        if grouped and focus == field_id(q) and params.get("items"):
            params["items"][0]["attributes"] = mark  # a date's day box, a group's first option
        elif focus == q.name:
            params["attributes"] = mark


def _form_page(
    request: Request,
    status,
    kind: str,
    form: Any,
    getlist: Any,
    errors: FormErrors,
    code: int,
    focus: str | None = None,
) -> Response:
    qs = questions(kind, status)
    fields = [(q, component_params(q, form, getlist, errors)) for q in qs]
    if focus:
        _autofocus(fields, focus)
    return render(
        request,
        "event_form.html",
        {
            "title": TITLES[kind],
            "active": "cases",
            "status": status,
            "kind": kind,
            "errors": errors,
            "fields": fields,
            "action": f"/cases/{status.case_ref}/events/{kind}",
        },
        status=code,
    )


def _rows(qs: list, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Check-your-answers rows: (question, answer, the field its Change button goes to)."""
    rows = []
    for q in qs:
        if q.component == "items" and q.items is not None:
            rows += item_rows(q.items, data.get(q.name, []))
        else:
            rows.append((q.label, answer_text(q, data), field_id(q)))
    return rows


def _changed_list(form: Any, qs: list, step: str) -> tuple[Any, str] | None:
    """The form after "add:<list>" or "remove:<list>:<n>" and the field to focus, or None for
    other steps."""
    verb, _, rest = step.partition(":")
    name, _, number = rest.partition(":")
    lists = {q.name: q.items for q in qs if q.component == "items"}
    if verb not in ("add", "remove") or name not in lists:
        return None
    action = "add" if verb == "add" else f"remove:{number}"
    pairs = [(k, str(v)) for k, v in form.multi_items() if k not in CONTROL]
    changed = FormData(renumbered(pairs, lists[name], action))
    count = item_count(changed, lists[name])
    first = lists[name].fields[0]
    focus = lists[name].field_id(count, first) if verb == "add" and count else f"{name}-add"
    return changed, focus


@router.get("/cases/{case_ref}/events/{kind}", name="event_form", include_in_schema=False)
async def event_form(request: Request, staff: StaffDep, case_ref: CaseRef, kind: str) -> Response:
    """The kind's form, if the case accepts that kind now."""
    if kind not in EVENT_KINDS:
        return render(request, "error.html", {"title": "Page not found", "body": ""}, 404)
    _, who, status, timeline = await _case(request, staff, case_ref)
    who.require(Permission.record_event)
    if kind not in accepted_kinds(status, timeline, deps.today()):
        return render(
            request,
            "event_not_now.html",
            {"title": f"{TITLES[kind]} cannot be recorded now", "status": status},
            status=409,
        )
    # a link may choose whose details change (the case page's "Change" by each contact)
    role = request.query_params.get("role", "")
    start = {"role": role} if kind == "contact_updated" and role in CONTACT_ROLES else {}
    return _form_page(request, status, kind, start, lambda _n: [], FormErrors(), 200)


@router.post("/cases/{case_ref}/events/{kind}", include_in_schema=False)
async def event_post(request: Request, staff: StaffDep, case_ref: CaseRef, kind: str) -> Response:
    """step=check: the answers to confirm; step=change: the form again; step=confirm:
    record the event through the operations layer."""
    if kind not in EVENT_KINDS:
        return render(request, "error.html", {"title": "Page not found", "body": ""}, 404)
    ops, who, status, _ = await _case(request, staff, case_ref)
    who.require(Permission.record_event)
    form = await request.form()
    step = str(form.get("step") or "check")
    qs = questions(kind, status)
    errors = FormErrors()
    if step.startswith("change"):
        focus = step.partition(":")[2]
        return _form_page(request, status, kind, form, form.getlist, errors, 200, focus)
    if (changed := _changed_list(form, qs, step)) is not None:
        new, focus = changed
        return _form_page(request, status, kind, new, new.getlist, errors, 200, focus)
    data = read_answers(qs, form, form.getlist, errors)
    if data.get("date", "") > deps.today().isoformat():
        # GOV.UK's words for a date that must be in the past (the service's own message quotes
        # ISO dates, as the API and the CLI are given them)
        errors.add("date-day", "The date it happened must be today or in the past")
    event = None
    if not errors:
        try:
            event = check_event({**data, "kind": kind}, deps.today(), recorded_by=who.name)
        except BadInput as error:
            bad_input_errors(error, qs, errors)
    if errors or event is None:
        return _form_page(request, status, kind, form, form.getlist, errors, 400)
    answers = [(k, v) for k, v in form.multi_items() if k not in CONTROL]
    if step != "confirm":
        return render(
            request,
            "event_check.html",
            {
                "title": "Check your answers before recording",
                "active": "cases",
                "status": status,
                "kind": kind,
                "kind_title": TITLES[kind],
                "rows": _rows(qs, data),
                "action": f"/cases/{case_ref}/events/{kind}",
                "answers": answers,
                "event_id": f"web:{uuid.uuid4()}",
                "recorded_by": who.name,
            },
        )
    event_id = str(form.get("event_id") or "") or None
    try:
        receipt = await ops.record_event(who, case_ref, event, event_id)
    except Conflict as refusal:
        errors.add(field_id(qs[0]), humanise(refusal.message.removeprefix(REFUSED_PREFIX)))
        return _form_page(request, status, kind, form, form.getlist, errors, 409)
    return render(
        request,
        "event_done.html",
        {
            "title": f"{TITLES[kind]}: recorded",
            "active": "cases",
            "case_ref": case_ref,
            "receipt": receipt,
            "kind_title": TITLES[kind],
        },
    )
