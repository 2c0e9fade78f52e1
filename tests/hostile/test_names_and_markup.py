"""Names and free text by hand: zero-width characters are dropped from names, a word that
mixes scripts (a Cyrillic "а" in "Rаhul") is refused, and markup or SQL typed into any
text field comes back escaped on every page that shows it, the admin included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sahayata.people.models import Citizen
from tests.hostile.conftest import API, World, error_of, snapshot

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert('x')</script><img src=x onerror=alert(1)>"
SQL = "Robert'); DROP TABLE people_citizen;--"


def _submit(world: World, name: str, *, name_bn: str = "", key: str) -> Any:
    body = {
        "centre_code": world.centre_code,
        "service_code": world.service_code,
        "citizen": {"name": name, "mobile": "9830055555", "name_bn": name_bn},
        "fields": {"plot_no": "1"},
    }
    return world.client.post(
        f"{API}/applications",
        data=json.dumps(body),
        content_type="application/json",
        **world.headers("operator", HTTP_IDEMPOTENCY_KEY=key),
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ri\u200bna\u200b Das", "Rina Das"),
        ("\ufeffRina Das\u200e", "Rina Das"),
        ("\u202eRina Das", "Rina Das"),
    ],
)
def test_zero_width_characters_are_dropped_from_names(
    world: World, typed: str, stored: str
) -> None:
    response = _submit(world, typed, key=f"zw-{typed!a}")
    assert response.status_code == 201, response.content[:300]
    assert Citizen.objects.filter(mobile__endswith="9830055555").get().name_en == stored
    # The same person typed again, invisible characters and all, is found, not doubled.
    assert _submit(world, stored, key=f"zw2-{typed!a}").status_code == 201
    assert Citizen.objects.filter(mobile__endswith="9830055555").count() == 1


@pytest.mark.parametrize(
    ("name", "name_bn"),
    [("R\u0430hul Das", ""), ("Rin\u03b1 Das", ""), ("Rina Das", "রিনা D\u0430s")],
)
def test_a_word_mixing_scripts_is_refused(world: World, name: str, name_bn: str) -> None:
    before = snapshot(world)
    response = _submit(world, name, name_bn=name_bn, key=f"mix-{name + name_bn!a}")
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["details"].get("problem")) == ("invalid_name", "mixed_script")
    assert snapshot(world) == before


def test_only_invisible_characters_are_no_name(world: World) -> None:
    response = _submit(world, "\u200b\u200c\u200d\ufeff", key="invisible")
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_name"


@pytest.mark.parametrize("text", [MARKUP, SQL])
def test_markup_and_sql_in_text_fields_are_escaped_on_every_page(world: World, text: str) -> None:
    response = _submit(world, f"Rina {text}", key=f"markup-{text}")
    assert response.status_code == 201, response.content[:300]
    number = response.json()["application_no"]
    comment = world.client.post(
        f"{API}/applications/{number}/actions",
        data=json.dumps({"action": "reject", "comment": text}),
        content_type="application/json",
        **world.headers("officer", HTTP_IDEMPOTENCY_KEY=f"markup-act-{text}"),
    )
    assert comment.status_code == 200, comment.content[:300]
    citizen = Citizen.objects.get(name_en=f"Rina {text}")  # stored as typed, the table intact

    from sahayata.people.models import User

    pages = {
        "operator": [f"/applications/{number}/", f"/applications/{number}/acknowledgement/"],
        "officer": [f"/applications/{number}/", "/inbox/?q=Rina"],
        "admin": [
            "/admin/people/citizen/",
            f"/admin/people/citizen/{citizen.pk}/change/",
            f"/admin/people/citizen/?q={text}",
            "/admin/applications/application/",
        ],
    }
    tokens = {"operator": "operator", "officer": "officer", "admin": "admin"}
    for who, urls in pages.items():
        client = Client()
        user = User.objects.get(pk=_user_id(world, tokens[who]))
        client.force_login(user)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, (who, url, page.status_code)
            html = page.content.decode()
            assert "<script>alert(" not in html, (who, url)
            assert "<img src=x" not in html, (who, url)
            if text == SQL and url.startswith("/applications/"):
                assert "Robert&#x27;); DROP TABLE" in html, (who, url)


def _user_id(world: World, who: str) -> int:
    from sahayata.people.models import ApiToken
    from sahayata.people.tokens import hash_token

    return ApiToken.objects.get(key_hash=hash_token(world.tokens[who])).user_id
