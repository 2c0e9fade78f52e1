"""In real Chromium: the home page renders its Bengali heading in the project's own font,
and the language button switches it to English."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOADED_BENGALI_FACES = """
async () => {
  await document.fonts.ready;
  return [...document.fonts]
    .filter(face => face.family.replaceAll('"', '') === 'Noto Sans Bengali')
    .filter(face => face.status === 'loaded')
    .map(face => face.unicodeRange);
}
"""


def test_home_heading_in_bengali_then_english(
    live_server: Any, page: Any, page_checks: Any
) -> None:
    page.goto(f"{live_server.url}/")
    heading = page.locator("#site-heading")
    assert heading.inner_text() == "সহায়তা"
    assert page.evaluate("document.documentElement.lang") == "bn"
    faces = page.evaluate(LOADED_BENGALI_FACES)
    assert any("U+980-9FE" in ranges.upper() or "U+0980-09FE" in ranges.upper()
               for ranges in faces), faces  # fmt: skip
    assert page.evaluate("document.fonts.check('16px \"Noto Sans Bengali\"', 'সহায়তা')")
    family = heading.evaluate("element => getComputedStyle(element).fontFamily")
    assert family.startswith('"Noto Sans Bengali"')
    page_checks.check(page, "bengali")

    page.locator("button[name=language][value=en]").click()
    wait_until(page, "document.querySelector('#site-heading').innerText.trim() === 'Sahayata'")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("a[href='/track/']").inner_text() == "Track an application"
    page_checks.check(page, "english")
