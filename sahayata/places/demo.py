"""Demo places: the 23 districts with their units, and centres spread over all of them.

Every district gets a centre in the District Magistrate's office and two more (BDO or
municipality office, public library, health sub-centre, SDO office); Kolkata gets more.
Codes are the district code and a number (KOL0001). Idempotent: keyed by code.
"""

from __future__ import annotations

import datetime
from typing import Any

from sahayata.places.data import DISTRICTS, DistrictData, Unit, places_load, unit_code
from sahayata.places.models import Block, Centre
from sahayata.places.services import centre_upsert

EXTRA_CENTRES = {"KOL": 3, "HWH": 1, "N24": 1, "S24": 1}
LAUNCH = datetime.date(2020, 10, 1)  # BSK began in October 2020

_KIND_NAMES: dict[str, tuple[str, str]] = {
    Centre.Kind.DM_OFFICE: ("District Magistrate's Office", "জেলাশাসকের কার্যালয়"),
    Centre.Kind.SDO_OFFICE: ("SDO Office", "মহকুমা শাসকের কার্যালয়"),
    Centre.Kind.BDO_OFFICE: ("BDO Office", "বিডিও অফিস"),
    Centre.Kind.MUNICIPALITY: ("Office", "কার্যালয়"),
    Centre.Kind.LIBRARY: ("Public Library", "সাধারণ গ্রন্থাগার"),
    Centre.Kind.HEALTH_SUB_CENTRE: ("Health Sub-centre", "স্বাস্থ্য উপকেন্দ্র"),
}
_ROTATION = [Centre.Kind.LIBRARY, Centre.Kind.HEALTH_SUB_CENTRE, Centre.Kind.SDO_OFFICE]


def _kind_for(unit: Unit, number: int, offset: int) -> str:
    if number % 2 == 0:
        return Centre.Kind.BDO_OFFICE if unit.kind == "block" else Centre.Kind.MUNICIPALITY
    return _ROTATION[(number + offset) % len(_ROTATION)]


def _centres_of(data: DistrictData, offset: int) -> list[tuple[str, str, int]]:
    """(code, kind, unit index) of the demo centres of one district."""
    plan: list[tuple[str, str, int]] = [(f"{data.code}0001", Centre.Kind.DM_OFFICE, 0)]
    for number in range(2, 4 + EXTRA_CENTRES.get(data.code, 0)):
        index = (number - 1) % len(data.units)
        plan.append(
            (f"{data.code}{number:04d}", _kind_for(data.units[index], number, offset), index)
        )
    return plan


def seed_demo(*, stdout: Any, quiet: bool = False) -> None:
    units = places_load()
    blocks = {block.code: block for block in Block.objects.all()}
    count = 0
    for district_number, data in enumerate(DISTRICTS):
        for code, kind, index in _centres_of(data, district_number):
            unit = data.units[index]
            if kind == Centre.Kind.DM_OFFICE:
                name_en = f"{data.name_en} {_KIND_NAMES[kind][0]}"
                name_bn = f"{data.name_bn} {_KIND_NAMES[kind][1]}"
            else:
                name_en = f"{unit.name_en} {_KIND_NAMES[kind][0]}"
                name_bn = f"{unit.name_bn} {_KIND_NAMES[kind][1]}"
            centre_upsert(
                code=code,
                name_en=f"BSK {name_en}",
                name_bn=f"বাংলা সহায়তা কেন্দ্র, {name_bn}",
                kind=kind,
                block=blocks[unit_code(data.code, index)],
                address=f"{name_en}, {unit.name_en}, {data.name_en} {data.pin_code}",
                pin_code=data.pin_code,
                opened_on=LAUNCH + datetime.timedelta(days=district_number),
            )
            count += 1
    if not quiet:
        stdout.write(f"Places: {len(DISTRICTS)} districts, {units} blocks/ULBs, {count} centres")
