"""Publishing service versions, the current version and search in both languages."""

from __future__ import annotations

import pytest

from sahayata.catalogue.models import ServiceVersion
from sahayata.catalogue.selectors import service_current_version, service_search
from sahayata.catalogue.services import service_publish
from sahayata.core.errors import Conflict, InvalidInput, PermissionDenied
from tests.factories import (
    FeeHeadFactory,
    FormFieldFactory,
    RequiredDocumentFactory,
    ServiceFactory,
    UserFactory,
    bill_service,
    published,
)

pytestmark = pytest.mark.django_db


def test_publish_snapshots_the_whole_definition() -> None:
    service = ServiceFactory(workflow_code="treasury_challan", adapter_code="treasury_challan")
    FormFieldFactory(service=service, name="deed_no", example="I-1234")
    FormFieldFactory(service=service, name="stamp_duty_paise", type="paise", example="500000")
    FeeHeadFactory(
        service=service, code="duty", amount_paise=0, amount_from_field="stamp_duty_paise"
    )
    FeeHeadFactory(service=service, code="fee", amount_paise=2_000, payee="department")
    RequiredDocumentFactory(service=service, code="deed")
    version = service_publish(service=service)
    assert version.version == 1
    service.refresh_from_db()
    assert service.current_version == 1
    definition = version.definition
    assert definition["workflow_code"] == "treasury_challan"
    assert definition["adapter_code"] == "treasury_challan"
    assert definition["time_limit_days"] == service.time_limit_days
    assert [h["code"] for h in definition["fee_heads"]] == ["duty", "fee"]
    assert definition["fee_heads"][0]["amount_from_field"] == "stamp_duty_paise"
    assert [f["name"] for f in definition["form_fields"]] == ["deed_no", "stamp_duty_paise"]
    assert [d["code"] for d in definition["documents"]] == ["deed"]
    assert service_current_version(service) == version


def test_version_bumps_only_when_the_definition_changes() -> None:
    service = published(ServiceFactory())
    assert service_publish(service=service).version == 1
    assert ServiceVersion.objects.filter(service=service).count() == 1
    FeeHeadFactory(service=service, amount_paise=1_000)
    second = service_publish(service=service)
    assert second.version == 2
    service.refresh_from_db()
    assert service.current_version == 2
    # The first version is untouched: an application submitted under it keeps its rules.
    first = ServiceVersion.objects.get(service=service, version=1)
    assert first.definition["fee_heads"] == []
    assert service_current_version(service) == second


def test_unpublished_service_has_no_current_version() -> None:
    with pytest.raises(Conflict) as caught:
        service_current_version(ServiceFactory())
    assert caught.value.code == "service_not_published"


def test_publish_refuses_unknown_workflow_and_dangling_amount_field() -> None:
    with pytest.raises(InvalidInput):
        service_publish(service=ServiceFactory(workflow_code="magic"))
    service = ServiceFactory()
    FeeHeadFactory(service=service, amount_paise=0, amount_from_field="missing_paise")
    with pytest.raises(InvalidInput):
        service_publish(service=service)
    assert not ServiceVersion.objects.exists()


def test_only_admins_publish_as_a_person() -> None:
    service = ServiceFactory()
    with pytest.raises(PermissionDenied):
        service_publish(service=service, actor=UserFactory(role="officer"))
    admin = UserFactory(role="admin", username="state-admin")
    assert service_publish(service=service, actor=admin).published_by == "state-admin"


def test_search_in_both_languages() -> None:
    electricity = bill_service(name_en="Electricity bill (WBSEDCL)", name_bn="বিদ্যুৎ বিল")
    published(ServiceFactory(name_en="Kanyashree", name_bn="কন্যাশ্রী"))
    assert list(service_search("electricity", "en")) == [electricity]
    assert list(service_search("বিদ্যুৎ", "bn")) == [electricity]
    assert len(service_search("", "en")) == 2


def test_control_characters_in_a_query_or_code_find_nothing() -> None:
    from sahayata.catalogue.selectors import service_get
    from sahayata.core.errors import NotFound

    published(ServiceFactory(code="kanyashree_k1"))
    assert list(service_search("kanya\x00shree", "en")) == []
    with pytest.raises(NotFound):
        service_get(code="kanyashree\x00_k1")
