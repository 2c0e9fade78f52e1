"""Pure rules of applications (no ORM): numbers, RTPS due dates, form fields and fees.

The transparency simulator's batch path imports these, so they stay free of the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sahayata.core.money import MAX_AMOUNT_PAISE, AmountError, parse_rupees

MOBILE_RE = re.compile(r"^[6-9][0-9]{9}$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- Numbers (DIGIT idgen style) -------------------------------------------------------


def financial_year(day: dt.date) -> int:
    """The starting calendar year of the April–March financial year of ``day``."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_code(day: dt.date) -> str:
    """``2526`` for FY 2025-26."""
    start = financial_year(day)
    return f"{start % 100:02d}{(start + 1) % 100:02d}"


def application_number_format(*, centre_code: str, fy_code: str, sequence: int) -> str:
    """``BSK-KOL0012-2526-000123``; the sequence widens past a million instead of wrapping."""
    return f"BSK-{centre_code}-{fy_code}-{sequence:06d}"


# --- RTPS due dates --------------------------------------------------------------------


def is_working_day(day: dt.date, holidays: set[dt.date]) -> bool:
    """A working day is not a Sunday and not a listed public holiday.

    The Act counts working days. Sundays are never counted; Saturdays are (BSKs are open),
    and every other closure (second Saturdays if a year's notification says so, state
    public holidays) is listed in the ``Holiday`` calendar.
    """
    return day.weekday() != 6 and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: set[dt.date]) -> dt.date:
    """The date that is ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def due_date(submitted_on: dt.date, time_limit_days: int, holidays: set[dt.date]) -> dt.date:
    return add_working_days(submitted_on, time_limit_days, holidays)


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and today > due


# --- Form fields -----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool = True
    label_en: str = ""
    label_bn: str = ""
    choices: tuple[str, ...] = ()
    pattern: str = ""
    max_length: int = 200


@dataclass(frozen=True)
class FieldProblem:
    field: str
    problem: str  # stable code: required, too_long, pattern, not_a_number, …


def _choice_values(choices: Iterable[Any]) -> tuple[str, ...]:
    values = []
    for choice in choices:
        if isinstance(choice, (list, tuple)) and choice:
            values.append(str(choice[0]))
        elif isinstance(choice, dict):
            values.append(str(choice.get("value", choice.get("code", ""))))
        else:
            values.append(str(choice))
    return tuple(values)


def field_spec(data: Mapping[str, Any]) -> FieldSpec:
    return FieldSpec(
        name=str(data["name"]),
        type=str(data.get("type", "text")),
        required=bool(data.get("required", True)),
        label_en=str(data.get("label_en", "")),
        label_bn=str(data.get("label_bn", "")),
        choices=_choice_values(data.get("choices") or ()),
        pattern=str(data.get("pattern") or ""),
        max_length=int(data.get("max_length") or 200),
    )


def _clean_one(spec: FieldSpec, value: Any, *, from_form: bool) -> tuple[Any, str | None]:
    """Return ``(clean value, problem code or None)``."""
    if spec.type == "paise":
        # JSON must carry a real integer of paise; a person types rupees in a form.
        if isinstance(value, (bool, float)):
            return None, "not_an_integer"
        if isinstance(value, str):
            if not from_form:
                return None, "not_an_integer"
            try:
                value = parse_rupees(value)
            except AmountError as error:
                return None, error.code
        if not isinstance(value, int):
            return None, "not_an_integer"
        if not 1 <= value <= MAX_AMOUNT_PAISE:
            return None, "out_of_range"
        return value, None
    if spec.type == "number":
        if isinstance(value, (bool, float)):
            return None, "not_a_number"
        if isinstance(value, str):
            text = value.strip()
            if not text.isascii() or not text.lstrip("-").isdigit():
                return None, "not_a_number"
            value = int(text)
        if not isinstance(value, int):
            return None, "not_a_number"
        return value, None
    if not isinstance(value, str):
        return None, "not_text"
    text = value.strip()
    if len(text) > spec.max_length:
        return None, "too_long"
    if CONTROL_RE.search(text):
        return None, "control_characters"  # a NUL byte cannot even be stored in PostgreSQL
    if spec.type == "date":
        try:
            parsed = dt.date.fromisoformat(text)
        except ValueError:
            return None, "not_a_date"
        return parsed.isoformat(), None
    if spec.type == "mobile":
        if not MOBILE_RE.match(text):
            return None, "not_a_mobile"
        return text, None
    if spec.type == "choice":
        if text not in spec.choices:
            return None, "not_a_choice"
        return text, None
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        return None, "pattern"
    return text, None


def fields_clean(
    specs: Iterable[FieldSpec], data: Mapping[str, Any], *, from_form: bool = False
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Validate submitted values against the service's fields.

    Unknown fields are refused (they would be stored unseen); empty optional fields are
    dropped. Returns the cleaned values and every problem found (empty when valid).
    """
    specs = list(specs)
    known = {spec.name for spec in specs}
    clean: dict[str, Any] = {}
    problems = [FieldProblem(str(name), "unknown_field") for name in data if name not in known]
    for spec in specs:
        value = data.get(spec.name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if spec.required:
                problems.append(FieldProblem(spec.name, "required"))
            continue
        cleaned, problem = _clean_one(spec, value, from_form=from_form)
        if problem:
            problems.append(FieldProblem(spec.name, problem))
        else:
            clean[spec.name] = cleaned
    return clean, problems


# --- Fees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeHeadSpec:
    code: str
    name_en: str
    name_bn: str
    payee: str
    amount_paise: int = 0
    amount_from_field: str = ""


@dataclass(frozen=True)
class FeeLine:
    code: str
    name_en: str
    name_bn: str
    payee: str
    amount_paise: int


def fee_lines(heads: Iterable[FeeHeadSpec], fields: Mapping[str, Any]) -> list[FeeLine]:
    """The fee of one application, head by head. Heads that come to 0 are left out."""
    lines = []
    for head in heads:
        amount = head.amount_paise
        if head.amount_from_field:
            value = fields.get(head.amount_from_field, 0)
            amount = value if isinstance(value, int) and not isinstance(value, bool) else 0
        if amount > 0:
            lines.append(FeeLine(head.code, head.name_en, head.name_bn, head.payee, amount))
    return lines


def fee_total(lines: Iterable[FeeLine]) -> int:
    return sum(line.amount_paise for line in lines)


# Catalogue labels of amount fields still name the unit they were once typed in.
_UNIT_SUFFIXES = (" (paise)", " (পয়সা)")


def amount_label(label: str) -> str:
    """An amount field's label without the "(paise)" the catalogue may still carry."""
    for suffix in _UNIT_SUFFIXES:
        label = label.removesuffix(suffix)
    return label
