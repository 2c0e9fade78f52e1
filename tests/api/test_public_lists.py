"""GET /api/v1/services and GET /api/v1/centres, as API.md describes them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sahayata.applications.rules import field_spec, fields_clean
from tests.factories import (
    BlockFactory,
    CentreFactory,
    DistrictFactory,
    FeeHeadFactory,
    ServiceFactory,
    bill_service,
    free_service,
    paid_service,
)

pytestmark = pytest.mark.django_db

SERVICE_KEYS = {"code", "name_en", "name_bn", "department_code", "fee_paise", "fee_heads",
                "time_limit_days", "version", "issues_certificate", "form_fields"}  # fmt: skip
FIELD_KEYS = {"name", "type", "required", "label_en", "label_bn", "example"}
CENTRE_KEYS = {"code", "name_en", "name_bn", "kind", "district_code", "district_name_en",
               "district_name_bn", "block"}  # fmt: skip


def test_services_list_matches_the_contract(client: Client) -> None:
    free = free_service(code="a_free", name_bn="বিনামূল্যের পরিষেবা")
    paid = paid_service(code="b_paid", amount_paise=5_000)
    FeeHeadFactory(service=paid, code="second", amount_paise=2_500, payee="department")
    bill = bill_service(code="c_bill")
    ServiceFactory(code="d_unpublished")  # never published: not offered
    ServiceFactory(code="e_inactive", is_active=False)

    body = client.get("/api/v1/services").json()
    assert body["count"] == 3
    items = {item["code"]: item for item in body["items"]}
    assert list(items) == ["a_free", "b_paid", "c_bill"]
    for item in items.values():
        assert set(item) >= SERVICE_KEYS
        assert isinstance(item["issues_certificate"], bool)
        for field in item["form_fields"]:
            assert set(field) >= FIELD_KEYS
    assert items["a_free"]["fee_paise"] == 0 and items["a_free"]["fee_heads"] == []
    assert items["a_free"]["name_bn"] == "বিনামূল্যের পরিষেবা"
    assert items["a_free"]["department_code"] == free.department.code
    assert items["a_free"]["version"] == 1
    assert items["b_paid"]["fee_paise"] == 7_500
    assert [h["amount_paise"] for h in items["b_paid"]["fee_heads"]] == [5_000, 2_500]
    bill_heads = items["c_bill"]["fee_heads"]
    assert bill_heads[0]["amount_from_field"] == "bill_amount_paise"
    assert items["c_bill"]["fee_paise"] == 0
    assert bill.code == "c_bill"
    # Each example passes validation, so a kiosk can submit the examples as they are.
    for item in items.values():
        specs = [field_spec(field) for field in item["form_fields"]]
        examples = {field["name"]: field["example"] for field in item["form_fields"]}
        assert fields_clean(specs, examples)[1] == []  # as JSON, the way the API takes them
    example = bill_heads and items["c_bill"]["form_fields"][1]
    assert example["name"] == "bill_amount_paise" and example["example"] == 165000


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=0", 422),
        ("limit=501", 422),
        ("limit=-1", 422),
        ("offset=-1", 422),
        ("limit=abc", 422),
        ("limit=500", 200),
        ("limit=1&offset=100000", 200),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/centres"])
def test_pagination_bounds(client: Client, path: str, query: str, status: int) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == status
    if status == 422:
        assert response.json()["error"]["code"] == "invalid_input"


def test_pagination_pages_through_everything(client: Client) -> None:
    for index in range(5):
        free_service(code=f"svc_{index}")
    first = client.get("/api/v1/services?limit=2").json()
    rest = client.get("/api/v1/services?limit=2&offset=2").json()
    last = client.get("/api/v1/services?limit=2&offset=4").json()
    assert first["count"] == rest["count"] == last["count"] == 5
    codes = [i["code"] for page in (first, rest, last) for i in page["items"]]
    assert codes == [f"svc_{index}" for index in range(5)]


def test_centres_list_and_district_filter(client: Client) -> None:
    kolkata = DistrictFactory(code="KOL", name_en="Kolkata", name_bn="কলকাতা")
    howrah = DistrictFactory(code="HWH", name_en="Howrah", name_bn="হাওড়া")
    borough = BlockFactory(district=kolkata, name_en="KMC Borough X", name_bn="বরো ১০",
                           kind="corporation")  # fmt: skip
    CentreFactory(code="KOL0012", block=borough, kind="library")
    CentreFactory(code="KOL0001", block=borough)
    CentreFactory(code="HWH0001", block=BlockFactory(district=howrah))
    CentreFactory(code="HWH0002", block=BlockFactory(district=howrah), is_active=False)

    body = client.get("/api/v1/centres").json()
    assert body["count"] == 3
    assert [c["code"] for c in body["items"]] == ["HWH0001", "KOL0001", "KOL0012"]
    kol = client.get("/api/v1/centres?district=KOL").json()
    assert kol["count"] == 2
    centre = kol["items"][1]
    assert set(centre) >= CENTRE_KEYS
    assert centre["code"] == "KOL0012" and centre["kind"] == "library"
    assert (centre["district_code"], centre["district_name_en"], centre["district_name_bn"]) == (
        "KOL", "Kolkata", "কলকাতা")  # fmt: skip
    assert centre["block"] == "KMC Borough X"
    empty = client.get("/api/v1/centres?district=XYZ").json()
    assert empty == {"items": [], "count": 0}


def test_lists_take_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for index in range(6):
        bill_service(code=f"bill_{index}")
        CentreFactory(code=f"KOL{index:04d}")
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/services").json()["count"] == 6
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/centres").json()["count"] == 6


def test_a_district_with_a_control_character_is_bad_input(client: Client) -> None:
    # PostgreSQL refuses NUL in text: the filter must never reach the database with it.
    CentreFactory(code="KOL0001")
    for value in ("K%00OL", "KOL%0A"):
        response = client.get(f"/api/v1/centres?district={value}")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_input"
