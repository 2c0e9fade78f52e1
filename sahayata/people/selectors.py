"""Reads about people: the counter's citizen search, scoped by ``people.policy``.

An exact mobile or Aadhaar number finds a citizen anywhere in the state (the citizen is
at the counter and gave it); a name, or the last digits of a mobile, finds only the
citizens of the operator's own reach for ``citizen.find_by_name``: those registered at
its centre or who have applied there. Nobody can list the state's citizens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sahayata.core.money import ascii_digits
from sahayata.core.text import has_control_characters
from sahayata.people import policy
from sahayata.people.models import Citizen
from sahayata.people.rules import normalise_aadhaar, normalise_mobile


@dataclass(frozen=True)
class CitizenSearch:
    citizens: list[Citizen]
    exact: bool  # matched an exact mobile or Aadhaar number, across the state


def _within(scope: Any) -> Q:
    """Citizens of a centre's (or a district's) own: registered or applied there."""
    if scope.everything:
        return Q()
    if scope.centre_id is not None:
        return Q(registered_centre_id=scope.centre_id) | Q(applications__centre_id=scope.centre_id)
    if scope.district_id is not None:
        return Q(registered_centre__district_id=scope.district_id) | Q(
            applications__centre__district_id=scope.district_id
        )
    return Q(pk__in=[])


def citizen_search(*, user: Any, query: str, limit: int = 50) -> CitizenSearch:
    """The citizens ``user`` may find with ``query`` (see the module's docstring)."""
    from sahayata.people.services import aadhaar_hash

    text = (query or "").strip()[:100]
    if not text or has_control_characters(text):
        return CitizenSearch([], exact=False)
    if policy.allows(user, "citizen.find_exact"):
        mobile = normalise_mobile(text)
        aadhaar = normalise_aadhaar(text)
        exact = None
        if mobile is not None:
            exact = Q(mobile=mobile)
        elif aadhaar is not None:
            exact = Q(aadhaar_hmac=aadhaar_hash(aadhaar))
        if exact is not None:
            found = Citizen.objects.filter(exact).order_by("name_en", "pk")[:limit]
            return CitizenSearch(list(found), exact=True)
    if not policy.allows(user, "citizen.find_by_name"):
        return CitizenSearch([], exact=False)
    digits = ascii_digits(text).replace(" ", "").replace("-", "")
    if digits.isdigit():
        # Four digits at least, and never the state's list: only the operator's own.
        condition = Q(mobile__endswith=digits) if len(digits) >= 4 else Q(pk__in=[])
    else:
        condition = Q(name_en__icontains=text) | Q(name_bn__icontains=text)
    scope = policy.scope(user, "citizen.find_by_name")
    pks = Citizen.objects.filter(condition & _within(scope)).values("pk").distinct()
    found = Citizen.objects.filter(pk__in=pks).order_by("name_en", "pk")[:limit]
    return CitizenSearch(list(found), exact=False)


def citizen_open(*, user: Any, public_id: Any) -> Citizen | None:
    """The citizen with this public id, if ``user`` may open citizens at all; else None."""
    if not policy.allows(user, "citizen.open"):
        return None
    return Citizen.objects.filter(public_id=public_id).first()
