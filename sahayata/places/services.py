"""Writes to places: districts, blocks and municipalities, and centres.

Each is keyed by its code, so loading the same data twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sahayata.core.errors import InvalidInput
from sahayata.places.models import Block, Centre, District


class InvalidCentreKind(InvalidInput):
    code = "invalid_centre_kind"
    default_message = _("Unknown kind of centre.")


def district_upsert(*, code: str, name_en: str, name_bn: str) -> District:
    with transaction.atomic():
        district, _created = District.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_bn": name_bn}
        )
        return district


def block_upsert(
    *, code: str, district: District, name_en: str, name_bn: str, kind: str = Block.Kind.BLOCK
) -> Block:
    if kind not in Block.Kind.values:
        raise InvalidInput(details={"field": "kind", "value": kind})
    with transaction.atomic():
        block, _created = Block.objects.update_or_create(
            code=code,
            defaults={"district": district, "name_en": name_en, "name_bn": name_bn, "kind": kind},
        )
        return block


def centre_upsert(
    *,
    code: str,
    name_en: str,
    name_bn: str,
    kind: str,
    block: Block,
    address: str = "",
    pin_code: str = "",
    opened_on: datetime.date | None = None,
    is_active: bool = True,
) -> Centre:
    """Create or update the centre with this code; its district is its block's."""
    if kind not in Centre.Kind.values:
        raise InvalidCentreKind(details={"kind": kind})
    if pin_code and not (len(pin_code) == 6 and pin_code.isdigit()):
        raise InvalidInput(details={"field": "pin_code"})
    with transaction.atomic():
        centre, _created = Centre.objects.update_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_bn": name_bn,
                "kind": kind,
                "district_id": block.district_id,
                "block": block,
                "address": address,
                "pin_code": pin_code,
                "opened_on": opened_on,
                "is_active": is_active,
            },
        )
        return centre
