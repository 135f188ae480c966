"""One form per event kind, built from the event's pydantic model (ehcp.models): which
question each field asks, which GOV.UK component answers it, and how the answer is read back.

The model stays the one definition of every event: a field added there shows up here as a
question. Nested lists (a mediation's agreed actions, a tribunal's recommendations) and a
contact's details are asked as web/itemforms.py says.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from ehcp.case_state import ALLOWED_ORDERS, EXCEPTION_KEYS, OBLIGATION_KEYS
from ehcp.models import EVENT_ADAPTER
from ehcp.payloads import CaseStatus
from ehcp.vocabulary import OrderType
from web.forms import FormErrors, date_items, read_date
from web.itemforms import ItemList, item_count, item_list, read_items
from web.offer import open_deadline_keys

#: fields a person never types: the kind is the form, recorded_by is who is signed in
SKIPPED = {"kind", "recorded_by"}
#: a contact's details (`contact_updated`): field -> (question, component, required)
CONTACT_FIELDS = {
    "name": ("Their full name", "input", True),
    "email": ("Their email address", "email", True),
    "mobile": ("Their UK mobile number (optional)", "input", False),
    "contact_preference": ("How should reminders reach them?", "radios", True),
}
CONTACT_PREFERENCES = [
    ("email", "By email"),
    ("text", "By text message (needs a mobile number)"),
    ("both", "By email and text message (needs a mobile number)"),
]

QUESTIONS: dict[str, str] = {
    "date": "When did it happen?",
    "meeting_date": "When is the meeting?",
    "hearing_date": "When is the hearing?",
    "response_due": "When must the council respond, if the tribunal's letter says?",
    "outcome": "What was the outcome?",
    "certificate_kind": "What kind of certificate was issued?",
    "tribunal_ref": "Tribunal reference",
    "placement_only": "Is the appeal only about the school or placement (section I)?",
    "health_included": "Does it include health?",
    "social_care_included": "Does it include social care?",
    "concessions": "What did the council concede?",
    "orders": "What did the tribunal order?",
    "recommendation": "Which recommendation is the response to?",
    "followed": "Will the recommendation be followed?",
    "reasons": "Reasons for not following it",
    "deadline_key": "Which deadline?",
    "reason": "Why?",
    "notes": "Notes (optional)",
    "mediation_date": "When is the mediation?",
    "council_party": "Was the council a party to the mediation?",
    "by": "Who applied?",
    "role": "Whose contact details changed?",
    "agreed_actions": "Agreed actions",
    "recommendations": "Health and social care recommendations",
}

TITLES: dict[str, str] = {
    "way_forward_meeting_requested": "Way forward meeting requested",
    "way_forward_meeting_scheduled": "Way forward meeting scheduled",
    "way_forward_meeting_held": "Way forward meeting held",
    "mediation_adviser_contacted": "Family contacted the mediation adviser",
    "mediation_declined": "Family declined mediation",
    "mediation_requested": "Mediation requested",
    "mediation_held": "Mediation held",
    "mediation_withdrawn": "Mediation withdrawn",
    "mediation_certificate_issued": "Mediation certificate issued",
    "disagreement_resolution_started": "Disagreement resolution started",
    "disagreement_resolution_concluded": "Disagreement resolution concluded",
    "appeal_registered": "Appeal registered by the tribunal",
    "appeal_unopposed": "Council not opposing the appeal",
    "hearing_listed": "Hearing listed",
    "appeal_withdrawn": "Appeal withdrawn",
    "tribunal_decision": "Tribunal decision",
    "recommendation_response_sent": "Response to a recommendation sent",
    "obligation_met": "Duty met",
    "exception_recorded": "Exception recorded (reg 44(3))",
    "mediation_scheduled": "Mediation date and place set",
    "consent_order_made": "Consent order made (HESC Rules r.29)",
    "written_reasons_sent": "Tribunal sent written reasons",
    "set_aside_applied": "Application to set the decision aside",
    "set_aside_refused": "Set-aside application refused",
    "decision_set_aside": "Tribunal decision set aside",
    "permission_to_appeal_requested": "Permission to appeal to the Upper Tribunal asked for",
    "permission_to_appeal_decided": "Permission to appeal decided",
    "decision_suspended": "Tribunal decision suspended",
    "contact_updated": "Contact details corrected",
    "case_closed": "Case closed",
}


@dataclass
class Question:
    """One field of an event as a form question."""

    name: str
    component: str  # date, radios, checkbox, checkboxes, input, textarea
    label: str
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, text)
    items: ItemList | None = None  # component "items": the list's item questions


def event_class(kind: str) -> type:
    """The pydantic model of an event kind (KeyError for an unknown kind)."""
    for member in typing.get_args(typing.get_args(EVENT_ADAPTER._type)[0]):  # type: ignore[attr-defined]
        if member.model_fields["kind"].default == kind:
            return member
    raise KeyError(kind)


def _words(value: str) -> str:
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def _base(annotation: Any) -> tuple[Any, bool]:
    """(the type without None, whether None is allowed)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


def questions(kind: str, status: CaseStatus) -> list[Question]:
    """The questions of `kind`'s form, for this case (its open deadlines, allowed orders)."""
    out = []
    cls = event_class(kind)
    for name, info in cls.model_fields.items():
        if name in SKIPPED:
            continue
        base, optional = _base(info.annotation)
        required = info.is_required()
        label = QUESTIONS.get(name, _words(name))
        if typing.get_origin(base) is typing.Annotated:
            base = typing.get_args(base)[0]
        if name in ("agreed_actions", "recommendations"):
            items = item_list(name, status.decision_type)
            out.append(Question(name, "items", label, False, items=items))
        elif name == "contact":
            for part, (text, component, needed) in CONTACT_FIELDS.items():
                options = CONTACT_PREFERENCES if component == "radios" else []
                out.append(Question(f"contact-{part}", component, text, needed, options))
        elif base is date:
            out.append(Question(name, "date", label, required and not optional))
        elif typing.get_origin(base) is Literal:
            values = [str(getattr(v, "value", v)) for v in typing.get_args(base)]
            out.append(Question(name, "radios", label, True, [(v, _words(v)) for v in values]))
        elif base is bool:
            # a yes that is the default (council_party) needs a "No" to choose: radios
            asked = required or info.default is True
            component = "radios" if asked else "checkbox"
            options = [("true", "Yes"), ("false", "No")] if asked else [("true", "Yes")]
            out.append(Question(name, component, label, asked, options))
        elif typing.get_origin(base) is list:
            allowed = ALLOWED_ORDERS[status.decision_type]
            options = [(o.value, _words(o.value)) for o in OrderType if o in allowed]
            out.append(Question(name, "checkboxes", label, info.is_required(), options))
        elif name == "deadline_key":
            prefixes = OBLIGATION_KEYS if kind == "obligation_met" else EXCEPTION_KEYS
            keys = set(open_deadline_keys(status, prefixes))
            options = [(d.key, d.title) for d in status.deadlines if d.key in keys]
            out.append(Question(name, "radios", label, True, options))
        elif name == "recommendation":
            keys = open_deadline_keys(status, ("recommendation_response:",))
            options = [(k.split(":")[1], f"Recommendation {k.split(':')[1]}") for k in keys]
            out.append(Question(name, "radios", label, True, options))
        elif name in ("notes", "reasons"):
            out.append(Question(name, "textarea", label, False))
        else:
            out.append(Question(name, "input", label, required and not optional))
    # the notes last, after what the event itself says
    return sorted(out, key=lambda q: q.name == "notes")


def read_answers(
    qs: list[Question], form: Mapping[str, Any], getlist: Any, errors: FormErrors
) -> dict[str, Any]:
    """The event's JSON-like data from the form; missing answers go in `errors`."""
    data: dict[str, Any] = {}
    for q in qs:
        if q.component == "date":
            value = read_date(form, q.name, _date_label(q.name), errors, q.required)
            if value is not None:
                data[q.name] = value.isoformat()
        elif q.component == "checkboxes":
            chosen = [v for v in getlist(q.name) if v]
            if chosen or q.required:
                data[q.name] = chosen
            if q.required and not chosen:
                errors.add(q.name, f"Select at least one: {q.label.lower().rstrip('?')}")
        elif q.component == "checkbox":
            data[q.name] = form.get(q.name) == "true"
        elif q.component == "items" and q.items is not None:
            if listed := read_items(q.items, form, errors):
                data[q.name] = listed
        elif q.component == "radios":
            value = str(form.get(q.name, ""))
            if value:
                data[q.name] = {"true": True, "false": False}.get(value, value)
            elif q.required:
                errors.add(q.name, f"Select an answer: {q.label.rstrip('?').lower()}")
        else:
            value = str(form.get(q.name, "")).strip()
            if value:
                data[q.name] = value
            elif q.required:
                errors.add(q.name, f"Enter the {q.label.lower()}")
    contact = {
        k.removeprefix("contact-"): data.pop(k) for k in list(data) if k.startswith("contact-")
    }
    if contact:
        data["contact"] = contact
    return data


def _date_label(name: str) -> str:
    return {
        "date": "the date it happened",
        "meeting_date": "the date of the meeting",
        "hearing_date": "the date of the hearing",
        "mediation_date": "the date of the mediation",
        "response_due": "the response date",
    }.get(name, "the date")


def field_id(q: Question) -> str:
    """The id the error summary links to: a date's day box, a group's first option, a list's
    "add" button."""
    if q.component == "items":
        return f"{q.name}-add"
    return f"{q.name}-day" if q.component == "date" else q.name


def answer_text(q: Question, data: Mapping[str, Any]) -> str:
    """How an answer reads on the check-your-answers page."""
    value = data.get(q.name)
    if value is None or value == []:
        return "Not given"
    options = dict(q.options)
    if q.component == "date":
        from ehcp.dates_text import format_long_date

        return format_long_date(date.fromisoformat(value))
    if q.name.startswith("contact-"):
        value = data.get("contact", {}).get(q.name.removeprefix("contact-"))
        if value is None:
            return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(options.get(v, v) for v in value)
    return options.get(str(value), str(value))


def component_params(
    q: Question, form: Mapping[str, Any], getlist: Any, errors: FormErrors
) -> dict[str, Any]:
    """The GOV.UK macro's parameters for a question, keeping what was typed."""
    if q.component == "items" and q.items is not None:
        return item_params(q.items, form, getlist, errors)
    error = errors.message(field_id(q))
    if q.component == "date":
        if error is None:
            for part in ("month", "year"):
                error = error or errors.message(f"{q.name}-{part}")
        return {
            "id": q.name,
            "namePrefix": q.name,
            "fieldset": {"legend": {"text": q.label, "classes": "govuk-fieldset__legend--s"}},
            "hint": {"text": "For example, 27 3 2026"},
            "items": date_items(form, q.name, errors),
            "errorMessage": error,
        }
    if q.component in ("radios", "checkboxes", "checkbox"):
        chosen = set(getlist(q.name)) if q.component == "checkboxes" else {form.get(q.name)}
        return {
            "idPrefix": q.name,
            "name": q.name,
            "fieldset": {"legend": {"text": q.label, "classes": "govuk-fieldset__legend--s"}},
            "items": [{"value": v, "text": t, "checked": v in chosen} for v, t in q.options],
            "classes": "govuk-radios--inline" if q.options and q.options[0][0] == "true" else "",
            "errorMessage": error,
        }
    return {
        "id": q.name,
        "name": q.name,
        "label": {"text": q.label, "classes": "govuk-label--s"},
        "value": form.get(q.name, ""),
        "classes": "govuk-input--width-20" if q.component == "input" else "",
        "errorMessage": error,
        **({"type": "email", "spellcheck": False} if q.component == "email" else {}),
    }


def item_params(
    items: ItemList, form: Mapping[str, Any], getlist: Any, errors: FormErrors
) -> dict[str, Any]:
    """A list's fieldsets: for each item its number and its questions' macro parameters."""
    shown = []
    for n in range(1, item_count(form, items) + 1):
        qs = []
        for f in items.fields:
            q = Question(f"{items.name}-{n}-{f.name}", f.component, f.label, f.required, f.options)
            params = component_params(q, form, getlist, errors)
            if f.component == "radios" and f.name == "by" and not form.get(q.name):
                params["items"][0]["checked"] = True  # the council, as the model's default
            qs.append((q, params))
        shown.append({"number": n, "fields": qs})
    return {
        "noun": items.noun,
        "count": len(shown),
        "items": shown,
        "full": len(shown) >= items.max_items,
        "error": errors.message(f"{items.name}-add"),
    }
