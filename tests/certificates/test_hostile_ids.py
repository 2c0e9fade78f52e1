"""Whatever is typed or linked as a certificate ID, /verify/ answers with its own "no
certificate has this ID" page (404) in the page's language, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

HOSTILE_IDS = [
    "ab/cd",
    "/",
    "//",
    "../../etc/passwd",
    "a\\b",
    "a?b=c",
    "a#b",
    "%2F",
    "a%00b",
    "a\x00b",
    "\x00",
    "a\nb",
    "a\rb",
    "\u200bABCD",
    "কখগঘ",
    "ＡＢＣＤ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 5000,
    "public-key",
    "-",
    "- -",
    "\U0001f4b8",
]


@pytest.mark.parametrize("certificate_id", HOSTILE_IDS, ids=repr)
@pytest.mark.parametrize("language", ["bn", "en"])
def test_any_typed_id_gets_the_not_found_page(
    client: Client, certificate_id: str, language: str
) -> None:
    client.cookies["django_language"] = language
    response = client.get("/verify/", {"id": certificate_id}, follow=True)
    assert response.status_code == 404, (response.status_code, response.redirect_chain)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    with translation.override(language):
        assert translation.gettext("No certificate has this ID.") in page
    assert "<script>alert(1)</script>" not in page


def test_an_id_with_dashes_and_lower_case_still_reaches_its_page(client: Client) -> None:
    # Printed in groups of four, typed in lower case: normalised, then the ID's own page.
    response = client.get("/verify/", {"id": "abcd-efgh-jkmn-pqrs"})
    assert response.status_code == 302
    assert response["Location"] == "/verify/ABCDEFGHJKMNPQRS"
