"""The demo staff: who exists, with which role, and that seeding twice adds nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from sahayata.catalogue import demo as catalogue_demo
from sahayata.catalogue.models import Department
from sahayata.people import demo
from sahayata.people.models import Role, User
from sahayata.places import demo as places_demo
from sahayata.places.models import Centre


@pytest.mark.django_db
def test_demo_people() -> None:
    out = io.StringIO()
    places_demo.seed_demo(stdout=out, quiet=True)
    catalogue_demo.seed_demo(stdout=out, quiet=True)
    demo.seed_demo(stdout=out)
    count = User.objects.count()
    demo.seed_demo(stdout=io.StringIO())
    assert User.objects.count() == count
    for centre in Centre.objects.all():
        assert User.objects.filter(role=Role.OPERATOR, centre=centre).count() == 2
    assert User.objects.filter(role=Role.SUPERVISOR).count() >= 3
    for department in Department.objects.all():
        assert User.objects.filter(role=Role.OFFICER, department=department).exists()
    assert User.objects.filter(role=Role.DISTRICT).exists()
    assert User.objects.filter(role=Role.FINANCE).count() == 2
    assert User.objects.get(username="auditor").role == Role.AUDITOR
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.role == Role.ADMIN
    assert authenticate(
        RequestFactory().post("/"), username="finance2", password=demo.DEMO_PASSWORD
    )
    printed = out.getvalue()
    for username in ("admin", "finance", "finance2", "auditor", "officer-llr", "op-kol0001-1"):
        assert username in printed
    assert "sahayata-demo" in printed


@pytest.mark.django_db
def test_demo_finance_and_admin_share_the_printed_demo_totp_key_once() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    out = io.StringIO()
    places_demo.seed_demo(stdout=out, quiet=True)
    catalogue_demo.seed_demo(stdout=out, quiet=True)
    demo.seed_demo(stdout=out)
    demo.seed_demo(stdout=io.StringIO())
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    assert sorted(d.user.username for d in devices) == ["admin", "finance", "finance2"]
    assert {d.key for d in devices} == {demo.DEMO_TOTP_KEY.hex()}
    assert demo.DEMO_TOTP_SECRET in out.getvalue() and "demo_otp_code" in out.getvalue()
