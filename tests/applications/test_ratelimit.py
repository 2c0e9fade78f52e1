"""Tracking's limits: a mistyped lookup is told apart from enumeration, and a busy kiosk
doing correct lookups is never locked out."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from sahayata.applications.models import Application
from tests.factories.applications import counter, submitted
from tests.factories.catalogue import paid_service
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db

KIOSK = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fresh_limits(settings: Any) -> None:
    cache.clear()
    settings.SAHAYATA_LOOKUP_LIMITS = {
        "track": {"misses_per_number": 5, "misses_per_ip": 40, "window_seconds": 900}
    }


def _track(client: Client, application_no: str, mobile: str, ip: str = KIOSK) -> Any:
    return client.post(
        "/track/", {"application_no": application_no, "mobile": mobile}, REMOTE_ADDR=ip
    )


def _applications(n: int) -> list[Application]:
    at = counter(amount_paise=1_000_000)
    service = paid_service(amount_paise=1_000)
    return [submitted(at=at, service=service, citizen=CitizenFactory()) for _ in range(n)]


def test_a_kiosk_doing_correct_lookups_is_never_blocked(client: Client) -> None:
    applications = _applications(3)
    # Far more correct lookups than any ceiling, from one IP: successes do not count.
    for _ in range(30):
        for application in applications:
            assert _track(client, application.number, application.citizen.mobile).status_code == 200


def test_mistyped_mobile_blocks_that_number_only_with_a_bilingual_wait(client: Client) -> None:
    first, second = _applications(2)
    for _ in range(5):
        assert _track(client, first.number, "9000000000").status_code == 404
    blocked = _track(client, first.number, first.citizen.mobile)
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 900
    text = blocked.content.decode()
    assert "মিনিট পরে আবার চেষ্টা করুন" in text  # Bengali by default, with the wait
    english = client.post(
        "/track/",
        {"application_no": first.number, "mobile": first.citizen.mobile},
        REMOTE_ADDR=KIOSK,
        HTTP_COOKIE="django_language=en",
    )
    assert english.status_code == 429 and "try again in" in english.content.decode()
    # Another citizen at the same kiosk is served; the same citizen from another IP too.
    assert _track(client, second.number, second.citizen.mobile).status_code == 200
    assert _track(client, first.number, first.citizen.mobile, ip="198.51.100.2").status_code == 200


def test_enumeration_from_one_ip_hits_the_ceiling(client: Client) -> None:
    (application,) = _applications(1)
    statuses = [
        _track(client, f"BSK-KOL0001-2526-{n:06d}", "9830012345").status_code for n in range(45)
    ]
    assert statuses[:40] == [404] * 40 and set(statuses[40:]) == {429}
    limited = _track(client, application.number, application.citizen.mobile)
    assert limited.status_code == 429
    assert "এই সংযোগ থেকে" in limited.content.decode()
    assert (
        _track(
            client, application.number, application.citizen.mobile, ip="198.51.100.2"
        ).status_code
        == 200
    )


def test_a_kiosk_with_typos_among_many_good_lookups_keeps_working(client: Client) -> None:
    applications = _applications(12)
    # Each citizen mistypes twice, then gets it right: 24 misses and 36 lookups from the
    # kiosk, which the old per-IP limit (20 a minute, misses and successes alike) refused.
    for application in applications:
        for _typo in range(2):
            assert _track(client, application.number, "9000000001").status_code == 404
        assert _track(client, application.number, application.citizen.mobile).status_code == 200
