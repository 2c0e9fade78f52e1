"""The Django admin for places, catalogue and people: usable in both languages, and
writing through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from sahayata.catalogue.models import Service, ServiceVersion
from sahayata.people.models import ApiToken, Citizen, User
from tests.factories import (
    CentreFactory,
    CitizenFactory,
    DepartmentFactory,
    UserFactory,
    bill_service,
    valid_aadhaar,
)

pytestmark = pytest.mark.django_db
OUR_APPS = ("places", "catalogue", "people")


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(role="admin", username="root"))
    return client


def _inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.parametrize("language", ["bn", "en"])
def test_every_admin_page_of_our_apps_opens(admin_client: Client, language: str) -> None:
    service = bill_service()
    CitizenFactory()
    UserFactory(role="officer")
    models = [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]
    assert len(models) >= 9
    for model in models:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        admin_client.cookies["django_language"] = language
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "core/fonts.css" in response.content.decode(), url  # Bengali without a system font
        first = model._default_manager.first()
        if first is not None:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert admin_client.get(url).status_code == 200, url
    for url in (reverse("admin:index"), reverse("admin:app_list", args=["catalogue"])):
        assert "core/fonts.css" in admin_client.get(url).content.decode(), url
    admin_client.cookies["django_language"] = "bn"
    page = admin_client.get(
        reverse("admin:catalogue_service_change", args=[service.pk])
    ).content.decode()
    assert "ফি খাত" in page  # the inlines' titles are in Bengali


def test_saving_a_service_in_the_admin_publishes_a_new_version(admin_client: Client) -> None:
    department = DepartmentFactory()
    data = {
        "code": "new_scheme",
        "name_en": "New scheme",
        "name_bn": "নতুন প্রকল্প",
        "department": department.pk,
        "kind": "scheme",
        "time_limit_days": "30",
        "workflow_code": "single_approval",
        "adapter_code": "",
        "is_active": "on",
        **_inline_management("fee_heads"),
        **_inline_management("form_fields", 1),
        "form_fields-0-position": "0",
        "form_fields-0-name": "village",
        "form_fields-0-type": "text",
        "form_fields-0-required": "on",
        "form_fields-0-label_en": "Village",
        "form_fields-0-label_bn": "গ্রাম",
        "form_fields-0-choices": "[]",
        "form_fields-0-max_length": "200",
        "form_fields-0-example": "Champahati",
        **_inline_management("required_documents"),
        **_inline_management("versions"),
    }
    response = admin_client.post(reverse("admin:catalogue_service_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    service = Service.objects.get(code="new_scheme")
    assert service.current_version == 1
    assert ServiceVersion.objects.get(service=service).definition["form_fields"][0]["name"] == (
        "village"
    )
    field = service.form_fields.get()
    data.update(
        {
            "time_limit_days": "21",
            **_inline_management("form_fields", 1, 1),
            "form_fields-0-id": str(field.pk),
            "form_fields-0-service": str(service.pk),
        }
    )
    url = reverse("admin:catalogue_service_change", args=[service.pk])
    assert admin_client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.current_version == 2
    assert admin_client.post(url, data).status_code == 302  # unchanged: no new version
    assert ServiceVersion.objects.filter(service=service).count() == 2


def test_citizen_admin_takes_aadhaar_only_through_the_service(admin_client: Client) -> None:
    number = valid_aadhaar(42)
    data = {"name_en": "Rina Das", "name_bn": "রিনা দাস", "mobile": "+91 98300 12345",
            "gender": "F", "aadhaar": number}  # fmt: skip
    response = admin_client.post(reverse("admin:people_citizen_add"), data)
    assert response.status_code == 302
    citizen = Citizen.objects.get()
    assert citizen.mobile == "9830012345"
    assert citizen.aadhaar_masked == f"XXXX-XXXX-{number[-4:]}"
    page = admin_client.get(reverse("admin:people_citizen_change", args=[citizen.pk]))
    html = page.content.decode()
    assert citizen.aadhaar_masked in html
    assert number not in html and citizen.aadhaar_hmac not in html
    # A second citizen with the same number is refused with a message, and nothing is saved.
    again = admin_client.post(reverse("admin:people_citizen_add"), {**data, "mobile": "9830099999"})
    assert again.status_code == 200
    assert number not in again.content.decode()  # the write-only field is not echoed back
    assert Citizen.objects.count() == 1


def test_user_admin_checks_the_role(admin_client: Client) -> None:
    centre = CentreFactory()
    base = {"username": "newop", "password1": "long-enough-1", "password2": "long-enough-1",
            "usable_password": "true"}  # fmt: skip
    response = admin_client.post(reverse("admin:people_user_add"), {**base, "role": "operator"})
    assert response.status_code == 200
    assert not User.objects.filter(username="newop").exists()
    elsewhere = CentreFactory().district  # another district than the centre's
    response = admin_client.post(
        reverse("admin:people_user_add"),
        {**base, "role": "operator", "centre": centre.pk, "district": elsewhere.pk},
    )
    assert response.status_code == 302  # the district follows the centre
    user = User.objects.get(username="newop")
    assert user.centre == centre and user.district == centre.district
    assert user.check_password("long-enough-1")


def test_api_tokens_are_read_only_and_revocable(admin_client: Client) -> None:
    from sahayata.people.tokens import TokenRevoked, api_token_create, user_for_token

    token = api_token_create(user=UserFactory(role="auditor"))
    record = ApiToken.objects.get()
    assert admin_client.get(reverse("admin:people_apitoken_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:people_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [record.pk]},
    )
    assert response.status_code == 302
    with pytest.raises(TokenRevoked):
        user_for_token(token)


def test_moving_an_operator_to_another_centre_moves_the_district(admin_client: Client) -> None:
    operator = UserFactory(role="operator")
    new_centre = CentreFactory()
    data = {
        "username": operator.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "role": "operator",
        "centre": new_centre.pk,
        "district": operator.district.pk,
        "preferred_language": "bn",
    }
    url = reverse("admin:people_user_change", args=[operator.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    operator.refresh_from_db()
    assert (operator.centre, operator.district) == (new_centre, new_centre.district)
    response = admin_client.post(url, {**data, "role": "finance"})
    assert response.status_code == 200  # a finance officer takes no centre
    operator.refresh_from_db()
    assert operator.role == "operator"


def test_admin_login_page_has_the_bengali_font(client: Client) -> None:
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="bn").content.decode()
    assert "core/fonts.css" in page and "সহায়তা প্রশাসন" in page
