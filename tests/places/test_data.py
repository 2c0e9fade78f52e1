"""The gazetteer of West Bengal and the demo places."""

from __future__ import annotations

import io
import re

import pytest

from sahayata.places import demo
from sahayata.places.data import DISTRICTS
from sahayata.places.models import Block, Centre, District

BENGALI = re.compile(r"[\u0980-\u09FF]")


def test_the_23_districts_of_west_bengal() -> None:
    names = {d.name_en for d in DISTRICTS}
    assert len(DISTRICTS) == 23 == len(names) == len({d.code for d in DISTRICTS})
    for expected in (
        "Kolkata",
        "Alipurduar",
        "Kalimpong",
        "Jhargram",
        "Paschim Bardhaman",
        "Purba Bardhaman",
        "North 24 Parganas",
        "South 24 Parganas",
        "Malda",
    ):
        assert expected in names
    for district in DISTRICTS:
        assert re.fullmatch(r"[A-Z0-9]{3}", district.code)
        assert BENGALI.search(district.name_bn), district
        assert re.fullmatch(r"7[0-9]{5}", district.pin_code)  # West Bengal PINs start with 7
        assert len(district.units) >= 3
        for unit in district.units:
            assert unit.kind in Block.Kind.values
            assert BENGALI.search(unit.name_bn) and not BENGALI.search(unit.name_en)


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_covers_every_district() -> None:
    out = io.StringIO()
    demo.seed_demo(stdout=out)
    demo.seed_demo(stdout=out, quiet=True)
    assert District.objects.count() == 23
    assert Block.objects.count() == sum(len(d.units) for d in DISTRICTS)
    centres = Centre.objects.all()
    assert centres.count() >= 60
    assert set(centres.values_list("district__code", flat=True)) == {d.code for d in DISTRICTS}
    assert len(set(centres.values_list("kind", flat=True))) >= 5
    for centre in centres.select_related("block"):
        assert centre.block.district_id == centre.district_id
        assert re.fullmatch(r"[A-Z0-9]{3}[0-9]{4}", centre.code)
    assert "23 districts" in out.getvalue()
