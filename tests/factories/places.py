"""Factories for districts, blocks and centres."""

from __future__ import annotations

import factory

from sahayata.places.models import Block, Centre, District


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    name_bn = factory.Sequence(lambda n: f"জেলা {n}")


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"B{n:05d}")
    name_en = factory.Sequence(lambda n: f"Block {n}")
    name_bn = factory.Sequence(lambda n: f"ব্লক {n}")
    kind = Block.Kind.BLOCK


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TST{n:05d}")
    name_en = factory.Sequence(lambda n: f"Centre {n}")
    name_bn = factory.Sequence(lambda n: f"কেন্দ্র {n}")
    kind = Centre.Kind.BDO_OFFICE
    block = factory.SubFactory(BlockFactory)
    district = factory.SelfAttribute("block.district")
    address = "Block office campus"
    pin_code = "700001"
