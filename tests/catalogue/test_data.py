"""The starting catalogue: real departments and services, each well formed and published."""

from __future__ import annotations

import io
import re

import pytest

from sahayata.applications.rules import field_spec, fields_clean
from sahayata.applications.workflows import workflow_get
from sahayata.catalogue import demo
from sahayata.catalogue.data import DEPARTMENTS, SERVICES
from sahayata.catalogue.models import Service, ServiceVersion
from sahayata.catalogue.services import ADAPTER_CODES

BENGALI = re.compile(r"[\u0980-\u09FF]")
PAID = {
    "electricity_bill": ("bill_payment", "electricity_biller"),
    "stamp_duty": ("treasury_challan", "treasury_challan"),
    "land_mutation": ("single_approval", "land_records"),
    "land_record_copy": ("land_records", "land_records"),
    "property_tax": ("bill_payment", "municipal_biller"),
    "bus_ticket": ("bill_payment", "transport_biller"),
    "traffic_fine": ("bill_payment", "police_echallan"),
}


def test_enough_real_departments_and_services() -> None:
    assert len(DEPARTMENTS) >= 22
    assert len(SERVICES) >= 65
    codes = [s["code"] for s in SERVICES]
    assert len(codes) == len(set(codes))
    kinds = {s["kind"] for s in SERVICES}
    assert {
        "scheme",
        "certificate",
        "scholarship",
        "pension",
        "health",
        "housing",
        "land",
        "payment",
    } <= kinds
    for name in (
        "kanyashree_k1",
        "lakshmir_bhandar",
        "swasthya_sathi",
        "krishak_bandhu",
        "khadya_sathi_new",
        "rupashree",
        "taruner_swapna",
        "oasis_post_matric",
        "aikyashree_post_matric",
        "svmcm",
        "old_age_pension",
        "widow_pension",
        "caste_sc",
        "caste_st",
        "caste_obc",
        "domicile_certificate",
        "birth_certificate",
        "death_certificate",
        "income_certificate",
    ):
        assert name in codes


def test_paid_services_have_the_agreed_workflows_and_adapters() -> None:
    by_code = {s["code"]: s for s in SERVICES}
    for code, (workflow, adapter) in PAID.items():
        service = by_code[code]
        assert (service["workflow_code"], service["adapter_code"]) == (workflow, adapter)
        assert service["fee_heads"], code
        assert "illustrative" in service["description_en"]
    for code in ("electricity_bill", "stamp_duty", "property_tax", "bus_ticket", "traffic_fine"):
        heads = by_code[code]["fee_heads"]
        assert all(head["amount_from_field"] for head in heads), code


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s["code"])
def test_each_service_is_well_formed(service: dict) -> None:
    assert BENGALI.search(service["name_bn"]) and not BENGALI.search(service["name_en"])
    assert service["time_limit_days"] >= 1
    workflow_get(service["workflow_code"])  # the applications app knows this workflow
    assert service["adapter_code"] in ("", *ADAPTER_CODES)
    assert service["issues_certificate"] == (service["workflow_code"] == "verify_approve")
    assert service["form_fields"]
    assert service["documents"]
    if service["kind"] in ("payment", "land"):
        assert service["fee_heads"], "money paid in needs fee heads"
    elif service["kind"] != "certificate":
        assert not service["fee_heads"], "schemes, pensions, scholarships … are free"
    paise_fields = {f["name"] for f in service["form_fields"] if f["type"] == "paise"}
    for head in service["fee_heads"]:
        assert head["payee"] in ("treasury", "department", "biller")
        if head["amount_from_field"]:
            assert head["amount_from_field"] in paise_fields
        else:
            assert head["amount_paise"] > 0
    # Every example passes the same validation that a submitted application goes through.
    specs = [field_spec(field) for field in service["form_fields"]]
    examples = {field["name"]: field["example"] for field in service["form_fields"]}
    _clean, problems = fields_clean(specs, examples, from_form=True)
    assert problems == []


@pytest.mark.django_db
def test_seed_demo_publishes_version_1_once() -> None:
    out = io.StringIO()
    demo.seed_demo(stdout=out)
    demo.seed_demo(stdout=out)
    assert Service.objects.count() == len(SERVICES)
    assert set(Service.objects.values_list("current_version", flat=True)) == {1}
    assert ServiceVersion.objects.count() == len(SERVICES)
    electricity = ServiceVersion.objects.get(service__code="electricity_bill").definition
    assert electricity["fee_heads"][0]["amount_from_field"] == "bill_amount_paise"
    assert electricity["adapter_code"] == "electricity_biller"
