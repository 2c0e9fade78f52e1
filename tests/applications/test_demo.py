"""The demo applications load through the services, across states, and only once."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management.base import OutputWrapper

from sahayata.applications.models import Application
from sahayata.certificates.models import Certificate

pytestmark = pytest.mark.django_db


def _seed() -> None:
    # Only what the demo applications need (the full seed_demo also runs the wallet's
    # and the transparency's demos, which take a minute).
    from sahayata.applications import demo as applications_demo
    from sahayata.catalogue import demo as catalogue_demo
    from sahayata.people import demo as people_demo
    from sahayata.places import demo as places_demo

    out = OutputWrapper(io.StringIO())
    for module in (places_demo, catalogue_demo, people_demo, applications_demo):
        module.seed_demo(stdout=out, quiet=True)


def test_seed_demo_is_idempotent_and_covers_the_states() -> None:
    _seed()
    statuses = Counter(Application.objects.values_list("status", flat=True))
    count = sum(statuses.values())
    assert count >= 30
    for status in (
        "pending_approval",
        "pending_verification",
        "approved",
        "rejected",
        "returned",
        "delivered",
    ):
        assert statuses[status] > 0, status
    assert Certificate.objects.count() > 0
    _seed()
    assert Application.objects.count() == count
