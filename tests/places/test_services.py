"""Writes to places: upserts keyed by code, and refusals of bad input."""

from __future__ import annotations

import pytest

from sahayata.core.errors import InvalidInput
from sahayata.places.models import Centre
from sahayata.places.services import block_upsert, centre_upsert, district_upsert
from tests.factories import BlockFactory

pytestmark = pytest.mark.django_db


def test_upserts_are_keyed_by_code() -> None:
    district = district_upsert(code="HWH", name_en="Howrah", name_bn="হাওড়া")
    assert district_upsert(code="HWH", name_en="Howrah", name_bn="হাওড়া").pk == district.pk
    block = block_upsert(code="HWH-01", district=district, name_en="Domjur", name_bn="ডোমজুড়")
    centre = centre_upsert(code="HWH0001", name_en="BSK Domjur", name_bn="বাংলা সহায়তা কেন্দ্র",
                           kind="bdo_office", block=block, pin_code="711405")  # fmt: skip
    assert centre.district == district
    moved = centre_upsert(code="HWH0001", name_en="BSK Domjur", name_bn="বাংলা সহায়তা কেন্দ্র",
                          kind="library", block=BlockFactory())  # fmt: skip
    assert moved.pk == centre.pk and moved.kind == "library"
    assert moved.district == moved.block.district != district  # the district follows the block
    assert Centre.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"kind": "castle"}, "invalid_centre_kind"), ({"pin_code": "7114"}, "invalid_input")],
)
def test_bad_centre_input_is_refused(kwargs: dict, code: str) -> None:
    arguments = {"code": "X0001", "name_en": "X", "name_bn": "এক্স", "kind": "library",
                 "block": BlockFactory(), **kwargs}  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        centre_upsert(**arguments)
    assert caught.value.code == code
    assert not Centre.objects.exists()


def test_bad_block_kind_is_refused() -> None:
    district = district_upsert(code="KOL", name_en="Kolkata", name_bn="কলকাতা")
    with pytest.raises(InvalidInput):
        block_upsert(code="KOL-99", district=district, name_en="X", name_bn="এক্স", kind="fort")


def test_centre_list_with_a_control_character_finds_nothing() -> None:
    from sahayata.places.selectors import centre_list

    centre = centre_upsert(code="KOL0001", name_en="X", name_bn="এক্স", kind="library",
                           block=BlockFactory())  # fmt: skip
    assert list(centre_list(district_code=f"{centre.district.code}\x00")) == []
