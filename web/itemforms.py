"""Lists inside an event (a mediation's agreed actions, a tribunal's recommendations) and a
contact's details, as GOV.UK form questions that work without JavaScript.

A list is the "add another" pattern with the items on one page: each item is a fieldset
("Agreed action 2") of its own questions, with a Remove button; "Add another agreed action"
posts the form back with one more empty fieldset, keeping what was typed. Every button is an
ordinary submit button (name `step`), so a keyboard or a browser without scripts does it all.

Field names: `<list>-<n>-<field>` (n from 1), a date's parts `<list>-<n>-<field>-day` and so
on, the number of fieldsets shown in `<list>-count`. A contact's: `contact-<field>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ehcp.case_state import ALLOWED_ORDERS
from ehcp.dates_text import format_long_date
from ehcp.orders import MAX_RECOMMENDATIONS
from ehcp.vocabulary import DecisionType
from web.forms import FormErrors, read_date

#: a mediation agreement's actions (ehcp.models.MediationHeld allows 30)
MAX_AGREED_ACTIONS = 30
NO_ORDER = "none"


@dataclass
class ItemField:
    """One question of each item."""

    name: str
    component: str  # input, email, radios, date
    label: str
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    #: how a missing answer is named in "Enter ..." / "Select ..."
    missing: str = ""
    #: the answer's name on check your answers
    short: str = ""


@dataclass
class ItemList:
    """A list of items of one event field, and the words for one item."""

    name: str
    noun: str  # "agreed action"
    fields: list[ItemField]
    max_items: int

    def field_id(self, n: int, item_field: ItemField) -> str:
        """The id of item n's field (a date: its day box), as the error summary links."""
        base = f"{self.name}-{n}-{item_field.name}"
        return f"{base}-day" if item_field.component == "date" else base


def _words(value: str) -> str:
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def item_list(name: str, decision_type: DecisionType) -> ItemList:
    """The list `name` of an event ("agreed_actions" or "recommendations")."""
    if name == "agreed_actions":
        orders = [(NO_ORDER, "No")] + [
            (o.value, _words(o.value)) for o in sorted(ALLOWED_ORDERS[decision_type])
        ]
        return ItemList(
            name,
            "agreed action",
            [
                ItemField("summary", "input", "What was agreed?", True, missing="what was agreed"),
                ItemField(
                    "by",
                    "radios",
                    "Who must do it?",
                    True,
                    [("council", "The council"), ("health", "The health commissioners (ICB)")],
                    missing="who must do it",
                    short="Who must do it",
                ),
                ItemField(
                    "order",
                    "radios",
                    "Is it about a matter the family could appeal? If so, which?",
                    False,
                    orders,
                    short="Appealable matter",
                ),
                ItemField(
                    "agreed_due",
                    "date",
                    "By when, if the parties agreed a date in writing (optional)",
                    False,
                    short="Date agreed in writing",
                ),
            ],
            MAX_AGREED_ACTIONS,
        )
    if name == "recommendations":
        return ItemList(
            name,
            "recommendation",
            [
                ItemField(
                    "addressed_to",
                    "radios",
                    "Who is it addressed to?",
                    True,
                    [("health", "Health"), ("social_care", "Social care")],
                    missing="who it is addressed to",
                    short="Addressed to",
                ),
                ItemField(
                    "summary",
                    "input",
                    "What did the tribunal recommend?",
                    True,
                    missing="what the tribunal recommended",
                ),
                ItemField("contact-name", "input", "Who must answer it: name (optional)", False),
                ItemField(
                    "contact-email", "email", "Who must answer it: email address (optional)", False
                ),
            ],
            MAX_RECOMMENDATIONS,
        )
    raise KeyError(name)


def item_count(form: Mapping[str, Any], items: ItemList) -> int:
    """How many fieldsets the form shows (0 to the list's maximum)."""
    text = str(form.get(f"{items.name}-count", "0"))
    return min(int(text), items.max_items) if text.isdigit() else 0


def read_items(
    items: ItemList, form: Mapping[str, Any], errors: FormErrors
) -> list[dict[str, Any]]:
    """The items' JSON-like data; each missing or wrong answer goes in `errors` by its id."""
    out = []
    for n in range(1, item_count(form, items) + 1):
        item: dict[str, Any] = {}
        where = f"{items.noun} {n}"
        for f in items.fields:
            fid = items.field_id(n, f)
            if f.component == "date":
                label = f"the date agreed for {where}"
                value = read_date(form, fid.removesuffix("-day"), label, errors, f.required)
                if value is not None:
                    item[f.name] = value.isoformat()
                continue
            value = str(form.get(fid, "")).strip()
            if f.component == "radios" and value and value not in dict(f.options):
                value = ""
            if not value:
                if f.required:
                    verb = "Select" if f.component == "radios" else "Enter"
                    errors.add(fid, f"{verb} {f.missing} for {where}")
                continue
            if value != NO_ORDER:
                item[f.name] = value
        contact = {k: item.pop(f"contact-{k}") for k in ("name", "email") if f"contact-{k}" in item}
        if len(contact) == 1:
            missing = "email address" if "name" in contact else "name"
            target = "email" if "name" in contact else "name"
            errors.add(
                f"{items.name}-{n}-contact-{target}",
                f"Enter the {missing} of who must answer {where}, or neither",
            )
        elif contact:
            item["contact"] = contact
        out.append(item)
    return out


def item_rows(items: ItemList, data: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Check-your-answers rows, one an item: (key, lines of the value, field id to change)."""
    rows = []
    for n, item in enumerate(data, start=1):
        lines = [item.get("summary", "")]
        for f in items.fields:
            value = item.get(f.name)
            if f.name == "summary" or value is None:
                continue
            if f.component == "date":
                value = format_long_date(date.fromisoformat(value))
            lines.append(f"{f.short or f.label}: {dict(f.options).get(value, value)}")
        if "contact" in item:
            lines.append(
                f"Who must answer it: {item['contact']['name']}, {item['contact']['email']}"
            )
        if "order" not in item and items.name == "agreed_actions":
            lines.append("Not about a matter the family could appeal")
        rows.append(
            (f"{items.noun.capitalize()} {n}", "\n".join(lines), f"{items.name}-{n}-summary")
        )
    if not data:
        rows.append((f"{items.noun.capitalize()}s", "None", f"{items.name}-add"))
    return rows


def renumbered(pairs: list[tuple[str, str]], items: ItemList, action: str) -> list[tuple[str, str]]:
    """The form's fields after "add" (one more fieldset) or "remove:<n>" (item n gone, later
    items moved up); other fields as they were."""
    count = item_count(dict(pairs), items)
    prefix = f"{items.name}-"
    kept = [(k, v) for k, v in pairs if not k.startswith(prefix)]
    mine = [(k, v) for k, v in pairs if k.startswith(prefix) and k != f"{prefix}count"]
    if action == "add":
        return [*kept, *mine, (f"{prefix}count", str(min(count + 1, items.max_items)))]
    gone = int(action.removeprefix("remove:")) if action.removeprefix("remove:").isdigit() else 0
    moved = []
    for key, value in mine:
        number, _, rest = key.removeprefix(prefix).partition("-")
        if not number.isdigit() or int(number) == gone:
            continue
        n = int(number) - 1 if gone and int(number) > gone else int(number)
        moved.append((f"{prefix}{n}-{rest}", value))
    return [*kept, *moved, (f"{prefix}count", str(max(count - (1 if gone else 0), 0)))]
