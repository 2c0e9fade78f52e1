"""Factories of the transparency tests: a small world of places and services."""

from __future__ import annotations

from typing import Any

from sahayata.catalogue.models import Department, Service
from sahayata.places.models import Block, Centre, District


def rollup_world() -> dict[str, Any]:
    """Two districts with two centres each, one department with a free and a paid service."""
    centres = []
    for d in range(2):
        district = District.objects.create(code=f"TD{d}", name_en=f"District {d}", name_bn="জেলা")
        block = Block.objects.create(
            district=district, code=f"TB{d}", name_en=f"Block {d}", name_bn="ব্লক"
        )
        for c in range(2):
            centres.append(
                Centre.objects.create(
                    code=f"TC{d}{c}",
                    name_en=f"Centre {d}{c}",
                    name_bn="কেন্দ্র",
                    kind=Centre.Kind.BDO_OFFICE,
                    district=district,
                    block=block,
                )
            )
    department = Department.objects.create(code="TDEP", name_en="Land", name_bn="ভূমি")
    free = Service.objects.create(
        code="t-free",
        name_en="Caste certificate",
        name_bn="জাতি শংসাপত্র",
        department=department,
        kind=Service.Kind.CERTIFICATE,
        time_limit_days=30,
        workflow_code="verify_approve",
    )
    paid = Service.objects.create(
        code="t-paid",
        name_en="Mutation",
        name_bn="মিউটেশন",
        department=department,
        kind=Service.Kind.LAND,
        time_limit_days=45,
        workflow_code="land_records",
    )
    return {
        "centres": centres,
        "free_service": free,
        "paid_service": paid,
        "department": department,
    }


def simulation_world() -> dict[str, Any]:
    """Three districts with a block each, and published free, paid and bill services."""
    from tests.factories.catalogue import (
        DepartmentFactory,
        bill_service,
        free_service,
        paid_service,
    )
    from tests.factories.places import BlockFactory, DistrictFactory

    districts = [DistrictFactory(code=f"SD{n}") for n in range(3)]
    for district in districts:
        BlockFactory(district=district)
    welfare = DepartmentFactory(code="SWEL")
    land = DepartmentFactory(code="SLND")
    power = DepartmentFactory(code="SPOW")
    services = [
        free_service(code="sim_scheme", department=welfare, kind=Service.Kind.SCHEME),
        free_service(
            code="sim_certificate",
            department=welfare,
            kind=Service.Kind.CERTIFICATE,
            workflow_code="verify_approve",
            time_limit_days=15,
        ),
        paid_service(code="sim_mutation", department=land, amount_paise=50_000),
        bill_service(code="electricity_bill", department=power),
    ]
    return {"districts": districts, "services": services}
