"""Bengali first: pages are in Bengali whatever the browser's Accept-Language says, until
the person switches; the switch is remembered in a cookie for a year. The API keeps
Accept-Language for machine clients."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_english_browser_gets_bengali_until_the_person_switches(client: Client) -> None:
    for accept in ("en-US,en;q=0.9", "en-IN", "en", "hi-IN,en;q=0.8", ""):
        page = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert 'lang="bn"' in page, accept
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert switched.status_code == 302
    cookie = switched.cookies["django_language"]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 300 * 24 * 3600
    assert 'lang="en"' in client.get("/", HTTP_ACCEPT_LANGUAGE="bn").content.decode()
    client.post("/i18n/setlang/", {"language": "bn", "next": "/"})
    assert 'lang="bn"' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_cookie_falls_back_to_bengali(client: Client) -> None:
    client.cookies["django_language"] = "fr"
    assert 'lang="bn"' in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_the_api_still_follows_accept_language(client: Client) -> None:
    english = client.get("/api/v1/no/such/thing", HTTP_ACCEPT_LANGUAGE="en").json()
    bengali = client.get("/api/v1/no/such/thing", HTTP_ACCEPT_LANGUAGE="bn").json()
    assert english["error"]["message"] != bengali["error"]["message"]
