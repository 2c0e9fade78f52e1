"""The counter's citizen search is scoped (review finding 7): an operator in Howrah cannot
browse the state's citizens. An exact mobile or Aadhaar number finds a citizen anywhere;
a name or the last digits of a mobile only the citizens of the operator's own centre; the
mobile is masked in the results; citizens' URLs carry a random id, not a counter; and a
duplicate-Aadhaar registration names no one but shows the holder as the exact search does.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from sahayata.people.models import Citizen, Role
from sahayata.people.selectors import citizen_search
from sahayata.people.services import citizen_register
from tests.factories import CitizenFactory, UserFactory, valid_aadhaar
from tests.factories.places import CentreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_centres() -> dict[str, object]:
    howrah, kolkata = CentreFactory(), CentreFactory()
    aadhaar = valid_aadhaar(4242)
    ours = citizen_register(
        name_en="Anita Pal", mobile="9830011111", registered_centre=howrah, aadhaar=None
    )
    theirs = citizen_register(
        name_en="Anil Basu", mobile="9830022222", registered_centre=kolkata, aadhaar=aadhaar
    )
    return {
        "operator": UserFactory(role=Role.OPERATOR, centre=howrah),
        "ours": ours,
        "theirs": theirs,
        "aadhaar": aadhaar,
    }


def _logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies["django_language"] = "en"
    return client


def test_a_name_finds_only_the_centres_own_citizens(two_centres: dict) -> None:
    operator = two_centres["operator"]
    # "a" matches both names; only the Howrah citizen is Howrah's.
    assert citizen_search(user=operator, query="a").citizens == [two_centres["ours"]]
    assert citizen_search(user=operator, query="Anil").citizens == []
    assert citizen_search(user=operator, query="2222").citizens == []  # last digits: own only
    page = _logged_in(operator).post("/counter/", {"q": "a"}).content.decode()
    assert "Anita Pal" in page and "Anil Basu" not in page


def test_an_exact_mobile_or_aadhaar_finds_a_citizen_anywhere(two_centres: dict) -> None:
    operator, theirs = two_centres["operator"], two_centres["theirs"]
    by_mobile = citizen_search(user=operator, query="+91 98300 22222")
    assert by_mobile.citizens == [theirs] and by_mobile.exact
    aadhaar = two_centres["aadhaar"]
    spaced = f"{aadhaar[:4]} {aadhaar[4:8]} {aadhaar[8:]}"
    assert citizen_search(user=operator, query=spaced).citizens == [theirs]


def test_other_roles_find_no_citizen(two_centres: dict) -> None:
    for role in (Role.OFFICER, Role.DISTRICT, Role.FINANCE, Role.AUDITOR, Role.ADMIN):
        user = UserFactory(role=role)
        assert citizen_search(user=user, query="9830022222").citizens == []
        assert citizen_search(user=user, query="a").citizens == []


def test_results_show_the_mobile_masked_and_link_by_a_random_id(two_centres: dict) -> None:
    client = _logged_in(two_centres["operator"])
    page = client.post("/counter/", {"q": "9830022222"}).content.decode()
    theirs = two_centres["theirs"]
    assert "******2222" in page
    assert "9830022222" not in page  # neither in the list nor written back into the box
    links = re.findall(r"/counter/citizens/([0-9a-f-]{8,})/", page)
    assert links == [str(theirs.public_id)]
    uuid.UUID(links[0])
    # The sequential id opens nothing, nor does a random id that is nobody's.
    assert client.get(f"/counter/citizens/{theirs.pk}/").status_code == 404
    assert client.get(f"/counter/citizens/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/counter/citizens/{theirs.public_id}/").status_code == 200


def test_public_ids_are_random_not_sequential() -> None:
    first, second = CitizenFactory(), CitizenFactory()
    assert first.public_id != second.public_id
    assert first.public_id.version == 4


def test_duplicate_aadhaar_registration_shows_the_holder_only_as_the_exact_search(
    two_centres: dict,
) -> None:
    client = _logged_in(two_centres["operator"])
    response = client.post(
        "/counter/citizens/new",
        {"name_en": "Someone", "mobile": "9830033333", "aadhaar": two_centres["aadhaar"]},
    )
    assert response.status_code == 409  # not a redirect to the holder's page
    page = response.content.decode()
    assert "already registered" in page
    theirs = two_centres["theirs"]
    assert f"/counter/citizens/{theirs.public_id}/" in page
    assert two_centres["aadhaar"] not in page
    assert Citizen.objects.count() == 2


def test_the_search_form_posts_so_numbers_stay_out_of_urls(two_centres: dict) -> None:
    page = _logged_in(two_centres["operator"]).get("/counter/").content.decode()
    form = re.search(r'<form method="(\w+)"[^>]*role="search"', page)
    assert form is not None and form.group(1) == "post"
    assert 'name="csrfmiddlewaretoken"' in page
