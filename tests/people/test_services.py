"""Citizens (mobile, Aadhaar masking and de-duplication) and staff users with roles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sahayata.core.errors import Conflict, InvalidInput, PermissionDenied
from sahayata.people.models import Citizen, Role, User
from sahayata.people.roles import require_role, staff_user
from sahayata.people.rules import (
    normalise_aadhaar,
    normalise_mobile,
    verhoeff_check_digit,
    verhoeff_valid,
)
from sahayata.people.selectors import citizen_search
from sahayata.people.services import citizen_register, user_create
from tests.factories import (
    CentreFactory,
    CitizenFactory,
    DepartmentFactory,
    DistrictFactory,
    UserFactory,
    valid_aadhaar,
)

# A published example of a Verhoeff-valid number (used by UIDAI's own documentation).
KNOWN_VALID = "234123412346"


def test_verhoeff_known_number() -> None:
    assert verhoeff_valid(KNOWN_VALID)
    assert verhoeff_check_digit(KNOWN_VALID[:-1]) == KNOWN_VALID[-1]
    assert not verhoeff_valid("234123412345")


@given(st.integers(min_value=0, max_value=10**11))
def test_any_single_digit_change_breaks_the_checksum(n: int) -> None:
    number = valid_aadhaar(n)
    assert normalise_aadhaar(number) == number
    for position in range(12):
        digit = int(number[position])
        changed = number[:position] + str((digit + 1) % 10) + number[position + 1 :]
        assert not verhoeff_valid(changed)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9876543210", "9876543210"),
        ("+91 98765 43210", "9876543210"),
        ("09876543210", "9876543210"),
        ("919876543210", "9876543210"),
        ("৯৮৭৬৫৪৩২১০", "9876543210"),
        ("5876543210", None),
        ("987654321", None),
        ("98765432100", None),
        ("", None),
    ],
)
def test_mobile_numbers(raw: str, expected: str | None) -> None:
    assert normalise_mobile(raw) == expected


@pytest.mark.django_db
def test_citizen_register_keeps_only_the_mask_and_a_keyed_hash() -> None:
    number = valid_aadhaar(7)
    citizen = citizen_register(
        name_en="Rina Das", name_bn="রিনা দাস", mobile="98300 12345", aadhaar=number
    )
    assert citizen.mobile == "9830012345"
    assert citizen.aadhaar_masked == f"XXXX-XXXX-{number[-4:]}"
    assert len(citizen.aadhaar_hmac) == 64
    assert number not in citizen.aadhaar_hmac


@pytest.mark.django_db
def test_duplicate_aadhaar_is_a_conflict_naming_no_one() -> None:
    number = valid_aadhaar(11)
    first = citizen_register(name_en="Rina Das", mobile="9830012345", aadhaar=number)
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    with pytest.raises(Conflict) as caught:
        citizen_register(name_en="Someone Else", mobile="9830099999", aadhaar=spaced)
    assert caught.value.code == "duplicate_citizen"
    # The error names no one (no id to open): the exact-match search finds the holder.
    assert caught.value.details == {}
    assert first.pk not in caught.value.details.values()
    assert Citizen.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"mobile": "12345"}, "invalid_mobile"),
        ({"aadhaar": "234123412345"}, "invalid_aadhaar"),  # checksum wrong
        ({"aadhaar": "123412341234"}, "invalid_aadhaar"),  # starts with 1
        ({"aadhaar": "23412341234"}, "invalid_aadhaar"),  # 11 digits
        ({"name_en": ""}, "invalid_name"),
        ({"gender": "X"}, "invalid_input"),
    ],
)
def test_bad_citizen_input_is_refused_and_writes_nothing(kwargs: dict, code: str) -> None:
    arguments = {"name_en": "Rina Das", "mobile": "9830012345", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        citizen_register(**arguments)
    assert caught.value.code == code
    assert Citizen.objects.count() == 0


@pytest.mark.django_db
def test_citizen_search_by_mobile_and_both_names() -> None:
    operator = UserFactory(role="operator")
    rina = citizen_register(
        name_en="Rina Das",
        name_bn="রিনা দাস",
        mobile="9830012345",
        registered_centre=operator.centre,
    )
    CitizenFactory(name_en="Amit Roy", name_bn="অমিত রায়", mobile="9000000001")

    def found(query: str) -> list[Citizen]:
        return citizen_search(user=operator, query=query).citizens

    assert found("+91 98300 12345") == [rina]
    assert found("2345") == [rina]
    assert found("রিনা") == [rina]
    assert found("rina") == [rina]
    assert found("") == []


@pytest.mark.django_db
def test_user_create_checks_role_and_place() -> None:
    centre = CentreFactory()
    department = DepartmentFactory()
    district = DistrictFactory()
    operator = user_create(username="op1", role="operator", password="sahayata-demo", centre=centre)
    assert operator.district == centre.district
    assert operator.check_password("sahayata-demo")
    assert not operator.is_staff
    officer = user_create(
        username="off1", role="officer", password="sahayata-demo", department=department
    )
    assert officer.department == department
    nodal = user_create(
        username="dn1", role="district", password="sahayata-demo", district=district
    )
    assert nodal.district == district
    admin = user_create(username="adm", role="admin", password="sahayata-demo")
    assert admin.is_superuser and admin.is_staff

    cases = [
        ({"role": "operator"}, "role_needs_centre"),
        ({"role": "supervisor"}, "role_needs_centre"),
        ({"role": "officer"}, "role_needs_department"),
        ({"role": "district"}, "role_needs_district"),
        ({"role": "finance", "centre": centre}, "role_mismatch"),
        ({"role": "officer", "department": department, "centre": centre}, "role_mismatch"),
        ({"role": "wizard"}, "invalid_role"),
        ({"role": "operator", "centre": centre, "district": district}, "role_mismatch"),
        ({"role": "finance", "password": "short"}, "weak_password"),
    ]
    for index, (kwargs, code) in enumerate(cases):
        arguments = {"username": f"bad{index}", "password": "sahayata-demo", **kwargs}
        with pytest.raises(InvalidInput) as caught:
            user_create(**arguments)
        assert caught.value.code == code, kwargs
    with pytest.raises(Conflict) as duplicate:
        user_create(username="OP1", role="finance", password="sahayata-demo")
    assert duplicate.value.code == "duplicate_username"
    assert User.objects.count() == 4


@pytest.mark.django_db
def test_only_an_admin_may_create_users_when_an_actor_is_given() -> None:
    finance = UserFactory(role="finance")
    with pytest.raises(PermissionDenied):
        user_create(username="x", role="auditor", password="sahayata-demo", actor=finance)
    admin = UserFactory(role="admin")
    assert user_create(username="x", role="auditor", password="sahayata-demo", actor=admin)


@pytest.mark.django_db
def test_role_helpers() -> None:
    operator = UserFactory(role="operator")

    assert require_role(operator, Role.OPERATOR, Role.SUPERVISOR) is operator
    with pytest.raises(PermissionDenied):
        require_role(operator, Role.FINANCE)
    with pytest.raises(PermissionDenied):
        require_role(None, Role.OPERATOR)
    operator.is_active = False
    with pytest.raises(PermissionDenied):
        require_role(operator, Role.OPERATOR)
    assert staff_user(operator) is operator
    with pytest.raises(PermissionDenied):
        staff_user(None)


@pytest.mark.django_db
def test_user_factory_is_role_aware() -> None:
    assert UserFactory(role="operator").centre is not None
    assert UserFactory(role="supervisor").centre is not None
    assert UserFactory(role="officer").department is not None
    assert UserFactory(role="district").district is not None
    finance = UserFactory(role="finance")
    assert finance.centre is None and finance.department is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_aadhaar_make_one_citizen() -> None:
    import threading

    from django.db import connection

    number = valid_aadhaar(99)
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def register(index: int) -> None:
        try:
            barrier.wait()
            outcomes.append(
                citizen_register(name_en=f"Person {index}", mobile="9830012345", aadhaar=number)
            )
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Citizen.objects.count() == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["duplicate_citizen"] * 3


@pytest.mark.django_db
def test_control_characters_never_reach_the_database() -> None:
    with pytest.raises(InvalidInput) as caught:
        citizen_register(name_en="Nul\x00Name", mobile="9830012345")
    assert caught.value.code == "invalid_name"
    with pytest.raises(InvalidInput):
        citizen_register(name_en="Rina", name_bn="রিনা\x1b", mobile="9830012345")
    assert not Citizen.objects.exists()
    assert citizen_search(user=UserFactory(role="operator"), query="Ri\x00na").citizens == []
    with pytest.raises(InvalidInput):
        user_create(username="bad\x00name", role="auditor", password="sahayata-demo")
