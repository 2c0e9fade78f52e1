"""The home page: bilingual, with the figures and the links to everything public."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import CentreFactory, free_service

pytestmark = pytest.mark.django_db


def test_home_in_bengali_and_english(client: Client) -> None:
    for index in range(12):
        CentreFactory(code=f"KOL{index:04d}")
    free_service()
    bengali = client.get("/", HTTP_ACCEPT_LANGUAGE="bn").content.decode()
    assert "সহায়তা" in bengali and 'lang="bn"' in bengali
    assert "১২" in bengali  # the centre count, in Bengali digits
    client.cookies["django_language"] = "en"  # the person chose English
    english = client.get("/").content.decode()
    assert "<h1" in english and "Sahayata</h1>" in english and 'lang="en"' in english
    assert ">12<" in english
    for link in ("/dashboard/", "/track/", "/verify/", "/accounts/login/", "/admin/",
                 "/api/v1/docs"):  # fmt: skip
        assert f'href="{link}"' in english, link


def test_language_switch(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Track an application" in client.get("/").content.decode()
