"""Factories for staff users (role-aware) and citizens, and valid Aadhaar numbers."""

from __future__ import annotations

import functools
import time
from typing import Any

import factory
from django.contrib.auth.hashers import make_password

from sahayata.people.models import CENTRE_ROLES, Citizen, Role, User
from sahayata.people.rules import verhoeff_check_digit
from tests.factories.catalogue import DepartmentFactory
from tests.factories.places import CentreFactory, DistrictFactory

TEST_PASSWORD = "sahayata-test"


@functools.cache
def _password_hash() -> str:
    # Hash once: PBKDF2 per user would make every test that builds users slow.
    return make_password(TEST_PASSWORD)


def valid_aadhaar(n: int) -> str:
    """A 12-digit number that passes the Aadhaar rules (first digit 2-9, Verhoeff)."""
    body = f"{2 + n % 8}{n % 10**10:010d}"
    return body + verhoeff_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(role="operator")`` gets a centre, ``role="officer"`` a department,
    ``role="district"`` a district; ``role="admin"`` is a superuser."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OPERATOR
    password = factory.LazyFunction(_password_hash)
    centre = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in CENTRE_ROLES),
        yes_declaration=factory.SubFactory(CentreFactory),
        no_declaration=None,
    )
    department = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.OFFICER),
        yes_declaration=factory.SubFactory(DepartmentFactory),
        no_declaration=None,
    )
    district = factory.LazyAttribute(
        lambda o: (
            o.centre.district
            if o.centre is not None
            else (DistrictFactory() if o.role == Role.DISTRICT else None)
        )
    )
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)


class CitizenFactory(factory.django.DjangoModelFactory):
    """A citizen without Aadhaar; register through ``citizen_register`` to test Aadhaar."""

    class Meta:
        model = Citizen

    name_en = factory.Sequence(lambda n: f"Citizen {n}")
    name_bn = factory.Sequence(lambda n: f"নাগরিক {n}")
    mobile = factory.Sequence(lambda n: f"9{n % 10**9:09d}")
    gender = Citizen.Gender.FEMALE


def totp_code(device: Any, at: float | None = None) -> str:
    """The six digits an authenticator app shows now (or at ``at``) for ``device``."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"
