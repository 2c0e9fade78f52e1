"""The public dashboard: both languages, filters, downloads, milestones and page weight."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from sahayata.core.clock import IST
from sahayata.core.money import CRORE_PAISE
from sahayata.transparency.models import Milestone
from sahayata.transparency.services import rollup_event_record, rollups_apply

STATIC = Path(__file__).resolve().parents[2] / "sahayata" / "core" / "static"


@pytest.fixture
def history(world: dict[str, Any]) -> dict[str, Any]:
    """₹1,000 crore and a bit, over two days and two districts; one delivery was late."""
    start = dt.datetime(2025, 7, 14, 11, 0, tzinfo=IST)
    centres, paid, free = world["centres"], world["paid_service"], world["free_service"]
    for i in range(4):
        rollup_event_record(
            kind="payment_posted",
            occurred_at=start + dt.timedelta(days=i // 2, hours=i),
            centre_id=centres[i].pk,
            service_id=paid.pk,
            amount_paise=250 * CRORE_PAISE + i,
            application_id=1000 + i,
            transfer_id=f"tr-{i}",
            simulated=True,
        )
        rollup_event_record(
            kind="service_delivered",
            occurred_at=start + dt.timedelta(days=i // 2, hours=i),
            centre_id=centres[i].pk,
            service_id=free.pk,
            weight=10,
            on_time=i != 3,
            simulated=True,
        )
    rollups_apply()
    return world


def client_in(lang: str) -> Client:
    client = Client()
    client.cookies["django_language"] = lang
    return client


def test_dashboard_in_bengali_uses_bengali_digits_and_crore(history: dict[str, Any]) -> None:
    response = client_in("bn").get(reverse("transparency:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "₹১,০০০ কোটি" in html  # 4 × ₹250 crore and 6 paise, truncated in words
    assert "৪০" in html  # 40 services delivered (4 sampled × weight 10)
    assert 'data-testid="simulated"' in html
    assert 'data-testid="milestone-banner"' in html
    assert "<svg" in html


def test_dashboard_in_english(history: dict[str, Any]) -> None:
    html = client_in("en").get(reverse("transparency:dashboard")).content.decode()
    assert "₹1,000 crore" in html
    assert "Public dashboard" in html
    assert not re.search("[০-৯]", html.split("<main>")[1].split("</main>")[0])


def test_no_simulated_label_for_real_history(world: dict[str, Any]) -> None:
    rollup_event_record(
        kind="payment_posted",
        occurred_at=dt.datetime(2025, 7, 14, 11, 0, tzinfo=IST),
        centre_id=world["centres"][0].pk,
        service_id=world["paid_service"].pk,
        amount_paise=10_000,
        application_id=1,
    )
    rollups_apply()
    html = client_in("en").get(reverse("transparency:dashboard")).content.decode()
    assert 'data-testid="simulated"' not in html


def test_filters_narrow_every_figure(history: dict[str, Any]) -> None:
    district = history["centres"][0].district
    url = reverse("transparency:dashboard")
    html = client_in("en").get(url, {"district": district.code}).content.decode()
    # Centres 0 and 1 are in the first district: ₹500 crore and 1 paisa.
    assert "₹500 crore" in html
    one_day = {"date_from": "2025-07-15", "date_to": "2025-07-15"}
    html = client_in("en").get(url, one_day).content.decode()
    assert "₹500 crore" in html  # payments 2 and 3 fell on the 15th


def test_bad_filters_give_a_message_in_the_visitor_language(history: dict[str, Any]) -> None:
    url = reverse("transparency:dashboard")
    bad = {"date_from": "2025-07-15", "date_to": "2025-07-01"}
    response = client_in("en").get(url, bad)
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()
    response = client_in("bn").get(url, {"district": "NOPE"})
    assert 'role="alert"' in response.content.decode()


def test_csv_and_json_downloads_carry_exact_figures(history: dict[str, Any]) -> None:
    client = client_in("en")
    body = client.get(reverse("transparency:download", args=["districts", "json"])).json()
    assert body["simulated"] is True
    assert sum(row["paise"] for row in body["rows"]) == 1_000 * CRORE_PAISE + 6
    response = client.get(reverse("transparency:download", args=["daily", "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["date"] for row in rows] == ["2025-07-14", "2025-07-15"]
    assert sum(int(row["services_delivered"]) for row in rows) == 40
    for table in ("summary", "monthly", "departments", "services", "on_time", "milestones"):
        for fmt in ("csv", "json"):
            response = client.get(reverse("transparency:download", args=[table, fmt]))
            assert response.status_code == 200, (table, fmt)
    on_time = client.get(reverse("transparency:download", args=["on_time", "json"])).json()
    assert on_time["rows"][0]["on_time_percent"] == 75.0
    assert client.get("/dashboard/data/ledger.csv").status_code == 404
    bad = client.get(
        reverse("transparency:download", args=["daily", "json"]), {"date_from": "never"}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_input"


def test_milestone_page_and_card(history: dict[str, Any]) -> None:
    crore_1000 = Milestone.objects.get(metric="paise", threshold=1_000 * CRORE_PAISE)
    assert crore_1000.application_id == 1003
    html = client_in("bn").get(reverse("transparency:milestone", args=[crore_1000.pk]))
    text = html.content.decode()
    assert 'property="og:image"' in text and "card.svg" in text
    assert "₹১,০০০ কোটি" in text
    card = client_in("en").get(
        reverse("transparency:milestone_card", args=[crore_1000.pk]), {"lang": "bn"}
    )
    assert card["Content-Type"].startswith("image/svg+xml")
    svg = card.content.decode()
    assert "₹১,০০০ কোটি" in svg and "font/woff2;base64," in svg
    assert client_in("en").get("/dashboard/milestones/999999/").status_code == 404


def test_first_load_is_well_under_300_kb(history: dict[str, Any]) -> None:
    html = client_in("bn").get(reverse("transparency:dashboard")).content
    linked = re.findall(r'href="/static/([^"]+\.(?:css|woff2))"', html.decode())
    assert linked, "the page links its stylesheet and font"
    css = [Path(str(finders.find(path))) for path in linked]  # any app's static files
    fonts_css = (STATIC / "core" / "fonts.css").read_text()
    fonts = {STATIC / "fonts" / name for name in re.findall(r"fonts/([\w.-]+\.woff2)", fonts_css)}
    total = len(html) + sum(p.stat().st_size for p in {*css, *fonts})
    assert total < 300 * 1024, total
    assert "https://" not in html.decode().split("<main>")[0]  # no outside CDN in the head


def test_public_summary_api(history: dict[str, Any]) -> None:
    body = Client().get("/api/v1/transparency/summary").json()
    assert body["total_paise"] == 1_000 * CRORE_PAISE + 6
    assert body["wallet_transactions"] == 4
    assert body["services_delivered"] == 40
    assert body["centres"] == 4
    assert [m["threshold_paise"] for m in body["milestones"]] == [
        n * CRORE_PAISE for n in (1, 10, 100, 500, 1_000)
    ]
    assert set(body) == {
        "total_paise",
        "wallet_transactions",
        "services_delivered",
        "centres",
        "milestones",
        "as_of",
    }


def test_shared_reads_show_a_new_payment_on_the_next_request(history: dict[str, Any]) -> None:
    client = client_in("en")
    assert "₹1,000 crore" in client.get(reverse("transparency:dashboard")).content.decode()
    rollup_event_record(
        kind="payment_posted",
        occurred_at=dt.datetime(2025, 7, 16, 12, 0, tzinfo=IST),
        centre_id=history["centres"][0].pk,
        service_id=history["paid_service"].pk,
        amount_paise=500 * CRORE_PAISE,
        application_id=99,
    )
    rollups_apply()
    assert "₹1,500 crore" in client.get(reverse("transparency:dashboard")).content.decode()


def test_daily_trend_spans_quiet_stretches(history: dict[str, Any]) -> None:
    # Today's real work far after the simulated July 2025 history: both stay in the trend.
    rollup_event_record(
        kind="application_submitted",
        occurred_at=dt.datetime(2026, 11, 2, 12, 0, tzinfo=IST),
        centre_id=history["centres"][0].pk,
        service_id=history["free_service"].pk,
    )
    rollups_apply()
    body = client_in("en").get(reverse("transparency:download", args=["daily", "json"])).json()
    assert [row["date"] for row in body["rows"]] == ["2025-07-14", "2025-07-15", "2026-11-02"]
    html = client_in("bn").get(reverse("transparency:dashboard")).content.decode()
    assert "কাজ হওয়া শেষ ৯০ দিন, ১৪ জুল. ২০২৫ থেকে ২ নভে. ২০২৬।" in html
