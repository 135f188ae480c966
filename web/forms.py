"""Reading GOV.UK form fields (date inputs, radios, checkboxes) and their error messages.

Error texts follow the GOV.UK Design System's patterns ("Enter the decision date",
"Decision date must include a month", "Decision date must be a real date"); each error
carries the id of the field it is about, so the error summary links to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

PARTS = ("day", "month", "year")


@dataclass
class FormErrors:
    """Errors of one form, in the order of its fields: field id -> message."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, field_id: str, message: str) -> None:
        self.by_field.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def ordered(self, field_ids: list[str]) -> FormErrors:
        """The same errors in the order of the page's fields (`field_ids`; others last), for
        errors found in more than one pass (the form's own checks, then the case's rules)."""
        rank = {f: i for i, f in enumerate(field_ids)}
        fields = sorted(self.by_field, key=lambda f: rank.get(f, len(rank)))
        return FormErrors({f: self.by_field[f] for f in fields})

    def summary(self) -> list[dict[str, str]]:
        """The error summary's list: each message linking to its field."""
        return [{"text": m, "href": f"#{f}"} for f, m in self.by_field.items()]

    def message(self, field_id: str) -> dict[str, str] | None:
        """A component's `errorMessage` parameter, or None."""
        text = self.by_field.get(field_id)
        return {"text": text} if text else None


def date_parts(form: Mapping[str, Any], name: str) -> dict[str, str]:
    """What was typed in a date input's day, month and year boxes."""
    return {part: str(form.get(f"{name}-{part}", "")).strip() for part in PARTS}


def read_date(
    form: Mapping[str, Any], name: str, label: str, errors: FormErrors, required: bool = True
) -> date | None:
    """A GOV.UK date input (`name-day`, `name-month`, `name-year`); errors point at the first
    part that is wrong. `label` is how the question names the date ("the decision date")."""
    parts = date_parts(form, name)
    given = [p for p in PARTS if parts[p]]
    if not given:
        if required:
            errors.add(f"{name}-day", f"Enter {label}")
        return None
    bare = label.removeprefix("the ")
    sentence = bare[:1].upper() + bare[1:]
    missing = [p for p in PARTS if not parts[p]]
    if missing:
        errors.add(f"{name}-{missing[0]}", f"{sentence} must include a {' and '.join(missing)}")
        return None
    if not all(parts[p].isdigit() for p in PARTS) or len(parts["year"]) != 4:
        bad = next((p for p in PARTS if not parts[p].isdigit()), "year")
        errors.add(f"{name}-{bad}", f"{sentence} must be a real date")
        return None
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors.add(f"{name}-day", f"{sentence} must be a real date")
        return None


def date_items(form: Mapping[str, Any], name: str, errors: FormErrors) -> list[dict[str, Any]]:
    """The `items` of a govukDateInput, keeping what was typed and marking errors."""
    parts = date_parts(form, name)
    wrong = any(key.startswith(f"{name}-") for key in errors.by_field)
    return [
        {
            "name": part,
            "label": part.capitalize(),
            "value": parts[part],
            "classes": ("govuk-input--width-4" if part == "year" else "govuk-input--width-2")
            + (" govuk-input--error" if wrong else ""),
        }
        for part in PARTS
    ]
