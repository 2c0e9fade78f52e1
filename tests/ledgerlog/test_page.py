"""The public log page: the latest head and the chain in both languages, the receipt check
through the server (no JavaScript) and in the browser (JavaScript), and the receipt's QR."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import pytest
from django.test import Client

from sahayata.ledgerlog.models import LogHead
from sahayata.ledgerlog.services import log_publish
from tests.browser_helpers import wait_until
from tests.ledgerlog.conftest import History
from tests.ledgerlog.verifier import verify_log

PAGE = "/dashboard/log/"


def page_in(client: Client, lang: str, **post: str) -> str:
    client.cookies["django_language"] = lang
    response = client.post(PAGE, post) if post else client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_page_shows_the_latest_head_and_the_chain_in_both_languages(
    client: Client, history: History
) -> None:
    history.approved(2)
    log_publish()
    history.approved(1)
    log_publish()
    latest = LogHead.objects.order_by("-tree_size").first()
    assert latest is not None
    bengali, english = page_in(client, "bn"), page_in(client, "en")
    assert "Transparency log of the e-wallet" in english
    assert "Transparency log of the e-wallet" not in bengali
    assert latest.root_hash in bengali and latest.root_hash in english
    assert english.count("<tr><td>") == 2  # the chain of two heads
    assert "৪" in bengali  # sizes in Bengali digits (4 leaves: the funding and 3 payments)


@pytest.mark.django_db
def test_the_server_checks_a_receipt_without_javascript(client: Client, history: History) -> None:
    (application,) = history.approved(1)
    log_publish()
    good = page_in(client, "en", application_no=application.number, salt=application.log_salt)
    assert "Verified by the server" in good
    wrong = page_in(client, "en", application_no=application.number, salt="0" * 32)
    unknown = page_in(client, "en", application_no="BSK-X-2526-000001", salt="0" * 32)
    message = "No application with this number and log code."
    assert message in wrong and message in unknown
    bengali = page_in(client, "bn", application_no=application.number, salt=application.log_salt)
    assert "Verified by the server" not in bengali and "verdict good" in bengali


@pytest.mark.django_db
def test_the_acknowledgement_qr_leads_to_a_proof_the_verifier_accepts(
    client: Client, history: History
) -> None:
    (application,) = history.approved(1)
    log_publish()
    client.force_login(history.at.operator)
    response = client.get(f"/applications/{application.number}/acknowledgement/?format=receipt")
    html = response.content.decode()
    assert application.log_salt in html
    found = re.search(r'data-testid="log-salt">([0-9a-f]+)<', html)
    assert found is not None and found.group(1) == application.log_salt
    url = f"http://testserver/dashboard/log/#application_no={application.number}&salt="
    fragment = urllib.parse.urlsplit(url + application.log_salt).fragment
    fields = urllib.parse.parse_qs(fragment)
    proof = client.get(
        "/api/v1/transparency/log/proof",
        {"application_no": fields["application_no"][0], "salt": fields["salt"][0]},
    ).json()
    keys = verify_log.public_keys(client.get("/api/v1/transparency/log/public-keys").json())
    assert verify_log.verify_inclusion(proof, application.log_salt, keys) == [1]


@pytest.mark.django_db
def test_the_verifier_can_be_downloaded(client: Client) -> None:
    response = client.get("/dashboard/log/verify_log.py")
    assert response.status_code == 200
    assert b"RFC 9162" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_checks_a_receipt_itself(live_server: Any, page: Any, log_key: Any) -> None:
    from sahayata.applications.services import application_act
    from tests.factories.applications import counter, officer_of, submitted
    from tests.factories.catalogue import paid_service

    at, service = counter(), paid_service(amount_paise=4_000)
    application = submitted(at=at, service=service)
    application_act(application=application, action="approve", actor=officer_of(service))
    log_publish()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method + " " + request.url))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    query = urllib.parse.urlencode(
        {"application_no": application.number, "salt": application.log_salt}
    )
    page.goto(f"{live_server.url}{PAGE}#{query}")
    wait_until(page, "document.getElementById('log-check-result').dataset.verified")
    text = page.inner_text("[data-testid=check-result]")
    assert "Verified in your browser" in text, text
    assert not any(r.startswith("POST") for r in requests)  # checked locally, not posted
    page.fill("#id_salt", "0" * 32)
    page.click("#log-check button[type=submit]")
    page.wait_for_selector("text=No application with this number and log code.")
