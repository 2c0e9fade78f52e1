"""The dashboard's tables: one definition feeds the HTML, the charts, CSV and JSON.

A table has typed columns and rows of raw values (paise as integers, ISO dates), so the
downloads carry exact figures; the HTML formats them in the visitor's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from sahayata.core.clock import IST
from sahayata.core.money import bengali_digits, format_count, format_inr, format_inr_words
from sahayata.transparency.models import Milestone
from sahayata.transparency.selectors import DashboardReads, Figures


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str = "text"  # text, count, paise, percent, date, month, datetime

    @property
    def numeric(self) -> bool:
        return self.kind in {"count", "paise", "percent"}


@dataclass
class Table:
    key: str
    title: Any
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def display_rows(self, lang: str) -> list[list[tuple[str, bool]]]:
        return [
            [(show(row.get(col.key), col.kind, lang), col.numeric) for col in self.columns]
            for row in self.rows
        ]


def _digits(text: str, lang: str) -> str:
    return bengali_digits(text) if lang.startswith("bn") else text


def show(value: Any, kind: str, lang: str) -> str:
    """A raw table value as the visitor reads it."""
    if value is None or value == "":
        return "—"
    if kind == "count":
        return format_count(int(value), lang)
    if kind == "paise":
        return format_inr(int(value), lang=lang)
    if kind == "paise_words":
        return format_inr_words(int(value), lang=lang)
    if kind == "percent":
        return _digits(f"{value:.1f}%", lang)
    if kind == "date":
        return _digits(formats.date_format(value, "j M Y"), lang)
    if kind == "day":
        return _digits(formats.date_format(value, "j M"), lang)
    if kind == "month":
        return _digits(formats.date_format(value, "M Y"), lang)
    if kind == "datetime":
        return _digits(formats.date_format(value.astimezone(IST), "j M Y, H:i"), lang)
    return str(value)


def count_words(n: int, lang: str) -> str:
    """1,00,000 as "1 lakh" and 1,00,00,000 as "1 crore" (in Bengali: "১ লক্ষ")."""
    return format_inr_words(n * 100, lang=lang).lstrip("₹")


def milestone_amount(milestone: Milestone, lang: str) -> str:
    if milestone.metric == Milestone.Metric.PAISE:
        return format_inr_words(milestone.threshold, lang=lang)
    return count_words(milestone.threshold, lang)


ACTIVITY = [
    Column("applications", _("Applications"), "count"),
    Column("services_delivered", _("Services delivered"), "count"),
    Column("wallet_transactions", _("Wallet payments"), "count"),
    Column("paise", _("Money moved"), "paise"),
]


def _activity(figures: Figures) -> dict[str, Any]:
    return {c.key: getattr(figures, c.key) for c in ACTIVITY}


def summary_table(reads: DashboardReads) -> Table:
    figures = reads.summary
    network = reads.network
    return Table(
        "summary",
        _("Headline figures"),
        [
            *ACTIVITY,
            Column("centres", _("Active centres"), "count"),
            Column("operators", _("Operators"), "count"),
            Column("on_time_percent", _("Delivered on time"), "percent"),
        ],
        [_activity(figures) | network | {"on_time_percent": figures.on_time_percent}],
    )


def daily_table(reads: DashboardReads) -> Table:
    return Table(
        "daily",
        _("Daily trend"),
        [Column("date", _("Day"), "date"), *ACTIVITY],
        [{"date": day} | _activity(f) for day, f in reads.daily],
    )


def monthly_table(reads: DashboardReads) -> Table:
    return Table(
        "monthly",
        _("Monthly trend"),
        [Column("month", _("Month"), "month"), *ACTIVITY],
        [{"month": month} | _activity(f) for month, f in reads.monthly],
    )


def _named(code: str, obj: Any) -> dict[str, Any]:
    return {"code": code, "name": obj.name, "name_en": obj.name_en, "name_bn": obj.name_bn}


NAME = [Column("code", _("Code")), Column("name", _("Name"))]


def districts_table(reads: DashboardReads) -> Table:
    return Table(
        "districts",
        _("By district"),
        [*NAME, *ACTIVITY],
        [_named(d.code, d) | _activity(f) for d, f in reads.districts],
    )


def departments_table(reads: DashboardReads) -> Table:
    return Table(
        "departments",
        _("By department"),
        [*NAME, *ACTIVITY],
        [_named(d.code, d) | _activity(f) for d, f in reads.departments],
    )


def services_table(reads: DashboardReads) -> Table:
    return Table(
        "services",
        _("Top services"),
        [*NAME, Column("department", _("Department")), *ACTIVITY],
        [
            _named(s.code, s) | {"department": s.department.name} | _activity(f)
            for s, f in reads.services
        ],
    )


def on_time_table(reads: DashboardReads) -> Table:
    return Table(
        "on_time",
        _("RTPS on-time delivery by department"),
        [
            *NAME,
            Column("delivered_timed", _("Decided with a time limit"), "count"),
            Column("delivered_on_time", _("Within the time limit"), "count"),
            Column("on_time_percent", _("On time"), "percent"),
        ],
        [
            _named(d.code, d)
            | {
                "delivered_timed": f.delivered_timed,
                "delivered_on_time": f.delivered_on_time,
                "on_time_percent": f.on_time_percent,
            }
            for d, f in reads.departments
            if f.delivered_timed
        ],
    )


def milestones_table(reads: DashboardReads) -> Table:
    return Table(
        "milestones",
        _("Milestones"),
        [
            Column("metric", _("Figure")),
            Column("threshold", _("Threshold"), "count"),
            Column("crossed_at", _("Crossed at"), "datetime"),
            Column("application_id", _("Application")),
            Column("transfer_id", _("Transfer")),
        ],
        [
            {
                "metric": m.metric,
                "threshold": m.threshold,
                "crossed_at": m.crossed_at,
                "application_id": m.application_id,
                "transfer_id": m.transfer_id,
            }
            for m in reads.milestones
        ],
    )


TABLES: dict[str, Callable[[DashboardReads], Table]] = {
    "summary": summary_table,
    "daily": daily_table,
    "monthly": monthly_table,
    "districts": districts_table,
    "departments": departments_table,
    "services": services_table,
    "on_time": on_time_table,
    "milestones": milestones_table,
}
