"""Two-factor login (django-otp) for finance officers and administrators: enrolment, the
code before any page (the admin's too), recovery codes that work once, throttled wrong
codes, an audited reset; other roles and the bearer-token API are not asked. Every login
here goes through the forms (``force_login`` gives the second factor: tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sahayata.audit.models import AuditEvent
from sahayata.people.models import Role
from sahayata.people.tokens import api_token_create
from sahayata.people.twofactor import otp_devices_reset, recovery_code_digest
from tests.factories import TEST_PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db
ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/"


def _password(client: Client, user, url: str = "/accounts/login/", next_url: str = ""):
    data = {"username": user.username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:300]
    return response


def _enrolled(client: Client, user) -> list[str]:
    """Log in with the password and enrol; the recovery codes shown."""
    _password(client, user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(ENROL, {"code": totp_code(device), "next": "/start/"}).content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_without_a_device_every_page_goes_to_enrolment_and_the_api_is_not_asked(role) -> None:
    user = UserFactory(role=role)
    client = Client()
    _password(client, user)
    for page in ("/start/", "/wallet/topups/", "/dashboard/", "/admin/", "/audit/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(ENROL + "?next="), page
    # A POST too: nothing is done before the code.
    assert client.post("/wallet/topups/", {}).status_code in (302, 403)
    # The API authenticates by bearer token, never by this session.
    token = api_token_create(user=user)
    answer = client.get("/api/v1/topups", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.OFFICER, Role.AUDITOR, Role.DISTRICT])
def test_other_roles_are_not_asked(role) -> None:
    user = UserFactory(role=role)
    client = Client()
    response = client.get(_password(client, user)["Location"], follow=True)
    assert response.status_code == 200
    assert ENROL not in response.redirect_chain[-1][0] and VERIFY not in str(
        response.redirect_chain
    )


def test_enrolment_shows_the_key_as_qr_and_text_and_confirms_with_a_code() -> None:
    user = UserFactory(role=Role.FINANCE)
    client = Client()
    _password(client, user)
    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    secret = re.search(r'<code id="otp-secret" lang="en">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    assert "<svg" in page and "দুই ধাপের লগইন" in page  # the QR code; Bengali first
    from base64 import b32encode

    assert secret.group(1).replace(" ", "") == b32encode(device.bin_key).decode()
    # Reloading keeps the same key (an app that scanned it stays right).
    client.get(ENROL)
    assert TOTPDevice.objects.get(user=user).key == device.key
    # A wrong code confirms nothing.
    wrong = client.post(ENROL, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "কোডটি ঠিক নয়" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/wallet/topups/").status_code == 302
    # The right one (after django-otp's wait for the wrong one) confirms and verifies.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    page = client.post(ENROL, {"code": totp_code(device), "next": "/start/"}).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == len(set(codes)) == 10
    # Only keyed digests are stored: no shown code is in the database.
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert stored == {recovery_code_digest(user.pk, code) for code in codes}
    assert not stored & set(codes)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/wallet/topups/").status_code == 200
    event = AuditEvent.objects.get(action="user.otp_enrol")
    assert event.actor_user_id == user.pk
    assert device.key not in str(event.after) and codes[0] not in str(event.after)


def test_a_login_asks_the_code_and_a_used_code_does_not_work_twice() -> None:
    user = UserFactory(role=Role.ADMIN)
    _enrolled(Client(), user)
    device = TOTPDevice.objects.get(user=user)
    client = Client()
    response = _password(client, user, url="/admin/login/", next_url="/admin/")
    assert client.get(response["Location"])["Location"].startswith(VERIFY + "?next=")
    code = totp_code(device)
    # The enrolment used the current code: a replay of it is refused (django-otp's last_t).
    assert client.post(VERIFY, {"code": code, "next": "/admin/"}).status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    answer = client.post(VERIFY, {"code": code, "next": "/admin/"})
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # The next login with the same code is refused: a code works once.
    again = Client()
    _password(again, user)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert again.post(VERIFY, {"code": code}).status_code == 400
    assert again.get("/admin/").status_code == 302


def test_a_recovery_code_logs_in_once() -> None:
    user = UserFactory(role=Role.FINANCE)
    codes = _enrolled(Client(), user)
    client = Client()
    _password(client, user)
    answer = client.post(VERIFY, {"code": codes[3].upper(), "next": "/wallet/topups/"})
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("people:otp_recovery_codes"))
    left = client.get(answer["Location"]).content.decode()
    assert "৯টি" in left or "৯" in left  # nine left, in Bengali digits
    assert client.get("/wallet/topups/").status_code == 200
    assert AuditEvent.objects.filter(action="user.otp_recovery_code_use").count() == 1
    second = Client()
    _password(second, user)
    assert second.post(VERIFY, {"code": codes[3]}).status_code == 400
    assert second.get("/wallet/topups/").status_code == 302
    # New codes replace the old ones.
    page = client.post(reverse("people:otp_recovery_codes"), {"next": "/start/"})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(codes)
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_wrong_codes_are_throttled_by_django_otp() -> None:
    user = UserFactory(role=Role.FINANCE)
    _enrolled(Client(), user)
    device = TOTPDevice.objects.get(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    client = Client()
    client.cookies["django_language"] = "en"
    _password(client, user)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _attempt in range(3):
        client.post(VERIFY, {"code": wrong})
    refused = client.post(VERIFY, {"code": right})
    assert refused.status_code == 429
    assert "Too many wrong codes: try again in" in refused.content.decode()
    assert client.get("/wallet/topups/").status_code == 302
    # After the wait, the right code works.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert client.post(VERIFY, {"code": right}).status_code == 302
    assert client.get("/wallet/topups/").status_code == 200


def test_an_administrator_resets_a_lost_device_audited_and_not_their_own() -> None:
    finance = UserFactory(role=Role.FINANCE)
    admin = UserFactory(role=Role.ADMIN)
    lost = Client()
    _enrolled(lost, finance)
    assert lost.get("/wallet/topups/").status_code == 200
    admins = Client()
    admins.force_login(admin)
    response = admins.post(
        reverse("admin:people_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [finance.pk, admin.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=finance).exists()
    assert not StaticToken.objects.filter(device__user=finance).exists()
    assert TOTPDevice.objects.filter(user=admin).exists()  # not one's own
    event = AuditEvent.objects.get(action="user.otp_reset")
    assert (event.actor_user_id, event.object_id) == (admin.pk, str(finance.pk))
    assert (event.before["authenticators"], event.before["recovery_codes"]) == (1, 10), event.before
    # The session verified by the deleted device is asked again: enrol anew.
    assert lost.get("/wallet/topups/")["Location"].startswith(ENROL)
    from sahayata.core.errors import DomainError

    with pytest.raises(DomainError):
        otp_devices_reset(user=admin, actor=admin)


def test_a_new_session_key_at_the_password_and_at_the_code() -> None:
    from django.contrib.sessions.backends.db import SessionStore

    user = UserFactory(role=Role.FINANCE)
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["before_login"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    anonymous_key = session.session_key
    _password(client, user)
    password_key = client.cookies["sessionid"].value
    assert password_key != anonymous_key and not SessionStore().exists(anonymous_key)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    client.post(ENROL, {"code": totp_code(device)})
    verified_key = client.cookies["sessionid"].value
    assert verified_key != password_key and not SessionStore().exists(password_key)
    assert client.get("/wallet/topups/").status_code == 200


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("bn", "৩০ মিনিট কোনো কাজ না হওয়ায়"),
        ("en", "You were logged out after 30 minutes without activity"),
    ],
)
def test_an_idle_session_ends_and_the_login_page_says_why(language: str, words: str) -> None:
    from sahayata.people.middleware import LAST_SEEN_KEY

    user = UserFactory(role=Role.OPERATOR)
    client = Client()
    client.cookies["django_language"] = language
    _password(client, user)
    assert client.get("/counter/").status_code == 200
    # 29 minutes idle: still in.
    session = client.session
    session[LAST_SEEN_KEY] -= 29 * 60
    session.save()
    assert client.get("/counter/").status_code == 200
    # 31 minutes idle: out, to the login page with the reason.
    session = client.session
    session[LAST_SEEN_KEY] -= 31 * 60
    session.save()
    response = client.get("/counter/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=%2Fcounter%2F&idle=1")
    assert "_auth_user_id" not in client.session
    assert words in client.get(response["Location"]).content.decode()


def test_the_idle_limit_is_a_setting(settings) -> None:
    from sahayata.people.middleware import LAST_SEEN_KEY

    settings.SAHAYATA_SESSION_IDLE_SECONDS = 300
    user = UserFactory(role=Role.OPERATOR)
    client = Client()
    _password(client, user)
    assert client.get("/counter/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] -= 301
    session.save()
    assert client.get("/counter/").status_code == 302


def test_demo_otp_code_prints_a_code_that_logs_in() -> None:
    user = UserFactory(role=Role.FINANCE, username="finance")
    device = TOTPDevice.objects.create(user=user, confirmed=True)
    out = StringIO()
    before = time.time()
    call_command("demo_otp_code", "finance", stdout=out)
    after = time.time()
    code = out.getvalue().split()[0]
    client = Client()
    _password(client, user)
    # The code of the 30-second step the command ran in (it may have crossed into the next).
    assert code in {totp_code(device, at=before), totp_code(device, at=after)}
    assert client.post(VERIFY, {"code": code}).status_code == 302


def test_a_stored_digest_typed_as_a_code_does_not_log_in() -> None:
    """A copy of the database gives no recovery code: what is stored is refused."""
    user = UserFactory(role=Role.ADMIN)
    _enrolled(Client(), user)
    stolen = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)[0]
    client = Client()
    _password(client, user)
    assert client.post(VERIFY, {"code": stolen}).status_code == 400
    assert client.get("/admin/").status_code == 302


def test_the_digest_depends_on_the_user_and_the_key(settings) -> None:
    assert recovery_code_digest(1, "abcd2345") != recovery_code_digest(2, "abcd2345")
    assert recovery_code_digest(1, "ABCD-2345") == recovery_code_digest(1, "abcd2345")
    before = recovery_code_digest(1, "abcd2345")
    settings.SECRET_KEY = "another key for this test only, long enough to be a key " * 2
    assert recovery_code_digest(1, "abcd2345") != before


def test_the_migration_digests_the_plain_codes_stored_before_it() -> None:
    """people/0004 turns the plain codes django-otp stored into digests, with the same
    function the login uses (frozen in the migration: the two must agree)."""
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice

    migration = importlib.import_module("sahayata.people.migrations.0004_recovery_code_digests")
    user = UserFactory(role=Role.FINANCE)
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    for code in ("abcd2345", "ABCD-2345", " x y "):
        assert migration.digest(user.pk, code) == recovery_code_digest(user.pk, code)
    migration.digest_existing(apps, None)
    assert StaticToken.objects.get(device=device).token == recovery_code_digest(user.pk, "abcd2345")
    client = Client()
    _password(client, user)
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    assert client.post(VERIFY, {"code": "abcd-2345", "next": "/start/"}).status_code == 302
