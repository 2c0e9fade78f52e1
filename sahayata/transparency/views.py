"""The public transparency dashboard: no login, server-rendered, bilingual.

Every figure comes from ``selectors`` (through ``tables``); the charts are inline SVG,
the filters are a GET form, and every table downloads as CSV or JSON.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import json
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sahayata.core.csp import policy_replace, source_hash
from sahayata.core.dbrouter import replica_read
from sahayata.core.money import format_count, format_inr_words
from sahayata.core.text import csv_cell
from sahayata.transparency import charts, selectors
from sahayata.transparency.forms import FilterForm
from sahayata.transparency.models import Milestone
from sahayata.transparency.selectors import Filters
from sahayata.transparency.tables import TABLES, Table, milestone_amount, show

FONTS = Path(__file__).resolve().parent.parent / "core" / "static" / "fonts"
SHOWN = ("summary", "daily", "monthly", "districts", "departments", "services", "on_time")


def _lang() -> str:
    return "bn" if (get_language() or "bn").startswith("bn") else "en"


def _filters(request: HttpRequest) -> tuple[FilterForm, Filters]:
    form = FilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.filters()
    return form, Filters()


def _charts(tables: dict[str, Table], lang: str) -> dict[str, Any]:
    def rows(table: str, label: str, kind: str, value: str) -> list[tuple[str, int, str]]:
        return [
            (
                show(row[label], kind, lang),
                int(row[value] or 0),
                format_inr_words(int(row[value]), lang=lang)
                if value == "paise"
                else format_count(int(row[value] or 0), lang),
            )
            for row in tables[table].rows
        ]

    on_time = [
        (
            row["name"],
            round((row["on_time_percent"] or 0) * 10),
            show(row["on_time_percent"], "percent", lang),
        )
        for row in tables["on_time"].rows
    ]
    return {
        "daily": charts.column_chart(
            _time_slots(tables["daily"], "date", "day", lang),
            title=str(tables["daily"].title),
            gap_label=_("no data"),
        ),
        "monthly": charts.column_chart(
            _time_slots(tables["monthly"], "month", "month", lang),
            title=str(tables["monthly"].title),
            gap_label=_("no data"),
        ),
        "districts": charts.bar_chart(
            rows("districts", "name", "text", "paise"), title=str(tables["districts"].title)
        ),
        "departments": charts.bar_chart(
            rows("departments", "name", "text", "services_delivered"),
            title=str(tables["departments"].title),
        ),
        "services": charts.bar_chart(
            rows("services", "name", "text", "services_delivered"),
            title=str(tables["services"].title),
        ),
        "on_time": charts.bar_chart(on_time, title=str(tables["on_time"].title)),
    }


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _next_day(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1)


MAX_SLOTS = 400  # beyond this, each run of empty periods is drawn as one gap


def _time_slots(table: Table, key: str, kind: str, lang: str) -> list[charts.Slot]:
    """One slot per calendar period (day or month) from the first to the last with data:
    a period without any is a gap (``None``), so March 2025 is never drawn next to
    December 2026 as if they followed each other."""
    monthly = kind == "month"
    found = {
        (row[key].replace(day=1) if monthly else row[key]): int(row["paise"] or 0)
        for row in table.rows
    }
    if not found:
        return []
    advance = _next_month if monthly else _next_day
    periods, period = [], min(found)
    while period <= max(found):
        periods.append(period)
        period = advance(period)
    empty = _("no data")
    slots: list[charts.Slot] = []
    run: list[dt.date] = []
    for period in [*periods, None]:
        value = found.get(period) if period is not None else 0
        if value is None and period is not None:
            run.append(period)
            if len(periods) <= MAX_SLOTS:
                slots.append((show(period, kind, lang), None, empty))
            continue
        if run and len(periods) > MAX_SLOTS:
            label = show(run[0], kind, lang)
            if len(run) > 1:
                label = f"{label} – {show(run[-1], kind, lang)}"
            slots.append((label, None, empty))
        run = []
        if period is not None:
            slots.append((show(period, kind, lang), value, format_inr_words(value or 0, lang=lang)))
    return slots


def _page_parts(filters: Filters, lang: str, query: str) -> dict[str, Any]:
    """Everything of the page that depends only on the figures and the language: shared
    between requests until the rollups change, like the reads themselves."""
    version = selectors.rollups_version()
    key = (
        "transparency:page:"
        + hashlib.sha256(repr((lang, filters, query, version)).encode()).hexdigest()
    )
    parts = cache.get(key)
    if parts is not None:
        return parts
    reads = selectors.dashboard_reads(filters)
    tables = {name: TABLES[name](reads) for name in SHOWN}
    latest = reads.latest_milestone
    sections = [
        {
            "table": {
                "key": tables[name].key,
                "title": str(tables[name].title),
                "columns": [
                    {"label": str(col.label), "numeric": col.numeric}
                    for col in tables[name].columns
                ],
            },
            "rows": tables[name].display_rows(lang),
            "chart": chart,
        }
        for name, chart in _charts(tables, lang).items()
    ]
    # The tables and charts are rendered once here: they are most of the page's work.
    sections_html = render_to_string(
        "transparency/_sections.html",
        {
            "sections": sections,
            "query": query,
            "trend_start": show(reads.trend_range.date_from, "date", lang),
            "trend_end": show(reads.trend_range.date_to, "date", lang),
            "trend_is_default": not filters.has_dates,
            "trend_range": reads.trend_range,
        },
    )
    parts = {
        "summary": tables["summary"].rows[0],
        "sections_html": mark_safe(sections_html),  # noqa: S308 (rendered by our template)
        "simulated": reads.simulated,
        "latest": latest,
        "latest_amount": milestone_amount(latest, lang) if latest else "",
        "trend_range": reads.trend_range,
    }
    cache.set(key, parts, selectors.READS_CACHE_SECONDS)
    return parts


@require_GET
@replica_read  # the public dashboard: the replica serves it when there is one
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    query = request.GET.urlencode() if form.is_valid() else ""
    context = {
        "form": form,
        "filters": filters,
        "query": query,
        **_page_parts(filters, _lang(), query),
    }
    return render(request, "transparency/dashboard.html", context)


@require_GET
@replica_read  # the public dashboard: the replica serves it when there is one
def table_download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404
    form, filters = _filters(request)
    if form.is_bound and not form.is_valid():
        return JsonResponse(
            {"error": {"code": "invalid_input", "message": "", "details": form.errors}},
            status=422,
        )
    reads = selectors.dashboard_reads(filters)
    data = TABLES[table](reads)
    keys = [col.key for col in data.columns]
    if data.rows and "name_en" in data.rows[0]:
        keys += ["name_en", "name_bn"]
    rows = [{key: row.get(key) for key in keys} for row in data.rows]
    simulated = reads.simulated
    if fmt == "json":
        body = {
            "table": table,
            "filters": {
                "district_id": filters.district_id,
                "department_id": filters.department_id,
                "date_from": filters.date_from,
                "date_to": filters.date_to,
            },
            "simulated": simulated,
            "as_of": selectors.as_of(),
            "rows": rows,
        }
        response = HttpResponse(
            json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.DictWriter(response, fieldnames=keys)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _csv_value(value) for key, value in row.items()})
    response["Content-Disposition"] = f'attachment; filename="sahayata-{table}.{fmt}"'
    return response


def _csv_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else csv_cell(value)


def _milestone_or_404(milestone_id: int) -> Milestone:
    milestone = selectors.milestone_get(milestone_id=milestone_id)
    if milestone is None:
        raise Http404
    return milestone


@require_GET
@replica_read  # the public dashboard: the replica serves it when there is one
def milestone_detail(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _milestone_or_404(milestone_id)
    lang = _lang()
    context = {
        "milestone": milestone,
        "amount": milestone_amount(milestone, lang),
        "crossed_at": show(milestone.crossed_at, "datetime", lang),
        "lang": lang,
        **selectors.milestone_context(milestone),
    }
    return render(request, "transparency/milestone.html", context)


@memoize
def _font_face(weight: int) -> str:
    faces = []
    for subset in ("bengali", "latin"):
        data = (FONTS / f"noto-sans-bengali-{subset}-{weight}-normal.woff2").read_bytes()
        encoded = base64.b64encode(data).decode("ascii")
        faces.append(
            f"@font-face{{font-family:'Noto Sans Bengali';font-weight:{weight};"
            f"src:url(data:font/woff2;base64,{encoded}) format('woff2')}}"
        )
    return "".join(faces)


@memoize
def _card_style() -> str:
    """The card's one ``<style>``: the embedded bold font and the text's family."""
    return _font_face(700) + " text{font-family:'Noto Sans Bengali',sans-serif;font-weight:700}"


@require_GET
@replica_read  # the public dashboard: the replica serves it when there is one
def milestone_card(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """The shareable card, 1200 × 630 SVG, with the project font embedded so it renders alone."""
    milestone = _milestone_or_404(milestone_id)
    lang = request.GET.get("lang", _lang())
    lang = "en" if lang == "en" else "bn"
    with override(lang):
        svg = render_to_string(
            "transparency/card.svg",
            {
                "milestone": milestone,
                "amount": milestone_amount(milestone, lang),
                "crossed_at": show(milestone.crossed_at, "datetime", lang),
                "card_style": _card_style(),
                "texts": {
                    "network": _("Bangla Sahayata Kendra"),
                    "crossed": _("E-wallet payments crossed")
                    if milestone.metric == Milestone.Metric.PAISE
                    else _("Services delivered crossed"),
                    "simulated": _("SIMULATED DATA"),
                    "footer": _("Sahayata · public dashboard"),
                },
                **selectors.milestone_context(milestone),
            },
        )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    # Opened alone, the card is its own document: its one inline style (and the font it
    # embeds) is allowed by hash, nothing else beyond the site's policy.
    policy_replace(response, {"style-src": [source_hash(_card_style())], "font-src": ["data:"]})
    return response
