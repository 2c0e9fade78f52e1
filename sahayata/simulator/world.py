"""The simulated network: its centres, operators, citizens, wallets and services, created
when missing and read once per run."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from sahayata.applications.batch import (
    ServicePlan,
    service_plan,
)
from sahayata.applications.models import Holiday
from sahayata.catalogue.models import Service
from sahayata.core.errors import InvalidInput
from sahayata.people.models import Citizen, Role, User
from sahayata.places.models import Block, Centre, District
from sahayata.places.services import block_upsert, centre_upsert
from sahayata.simulator import network
from sahayata.wallet.services import (
    wallets_open_batch,
)

TOPUP_MIN_PAISE = 1_00_000_00  # ₹1 lakh
TOPUP_DAYS = 90  # a top-up covers about this many days of the centre's expected payments
TOPUP_ASKED, TOPUP_APPROVED = dt.time(9, 30), dt.time(10, 15)


class SimulationError(InvalidInput):
    code = "simulation_invalid"


@dataclass
class Network:
    """The participating centres and what the simulator needs to know about them."""

    centre_ids: list[int]
    centres: dict[int, Centre]
    centre_codes: dict[int, str]
    operator_of: dict[int, int]
    requester_of: dict[int, User]
    citizen_of_district: dict[int, list[int]]
    district_of: dict[int, int]
    wallet_of: dict[int, int]
    cum_weights: tuple[float, ...]


def holidays_of(start: dt.date, end: dt.date) -> set[dt.date]:
    listed = set(Holiday.objects.values_list("date", flat=True))
    return network.closures(range(start.year - 1, end.year + 2), listed)


def plans_of_services() -> list[ServicePlan]:
    plans = []
    for service in Service.objects.filter(is_active=True, current_version__gt=0).order_by("pk"):
        plans.append(service_plan(service))
    if not any(plan.paid for plan in plans) or not any(not plan.paid for plan in plans):
        raise SimulationError(
            "The catalogue needs published free and paid services: run manage.py seed_demo."
        )
    return plans


def _ensure_centres(count: int) -> list[Centre]:
    """The first ``count`` active centres, creating the missing ones in every district."""
    existing = list(Centre.objects.filter(is_active=True).order_by("pk")[:count])
    missing = count - len(existing)
    if missing <= 0:
        return existing
    districts = list(District.objects.order_by("code"))
    if not districts:
        raise SimulationError("No districts: run manage.py seed_demo first.")
    blocks = {d.pk: Block.objects.filter(district=d).order_by("pk").first() for d in districts}
    taken = set(Centre.objects.values_list("code", flat=True))
    # One transaction for the lot: a commit per centre was most of a small run's setup.
    with transaction.atomic():
        _create_centres(missing, districts, blocks, taken, existing)
    return existing


def _create_centres(
    missing: int,
    districts: list[District],
    blocks: dict[int, Block | None],
    taken: set[str],
    existing: list[Centre],
) -> None:
    serial = 0
    for i in range(missing):
        district = districts[i % len(districts)]
        block = blocks[district.pk] or block_upsert(
            district=district,
            code=f"{district.code}-SIM",
            name_en=f"{district.name_en} (simulated block)",
            name_bn=f"{district.name_bn} (সিমুলেটেড ব্লক)",
            kind=Block.Kind.BLOCK,
        )
        blocks[district.pk] = block
        while True:
            serial += 1
            code = f"{district.code}S{serial:04d}"
            if code not in taken:
                break
        taken.add(code)
        existing.append(
            centre_upsert(
                code=code,
                name_en=f"BSK {block.name_en} {serial}",
                name_bn=f"বাংলা সহায়তা কেন্দ্র {block.name_bn} {serial}",
                kind=Centre.Kind.BDO_OFFICE if serial % 3 else Centre.Kind.LIBRARY,
                block=block,
            )
        )


def _ensure_people(centres: list[Centre]) -> tuple[dict[int, int], dict[int, User]]:
    """Two operators per centre that has none (no usable password), and the requesters."""
    have = set(
        User.objects.filter(role=Role.OPERATOR, centre__in=centres).values_list(
            "centre_id", flat=True
        )
    )
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"sim-op-{centre.code.lower()}-{n}",
                role=Role.OPERATOR,
                centre=centre,
                password=unusable,
                first_name=f"Operator {n}",
                last_name=centre.code,
            )
            for centre in centres
            if centre.pk not in have
            for n in (1, 2)
        ],
        batch_size=1_000,
        ignore_conflicts=True,
    )
    operator_of: dict[int, int] = {}
    requester_of: dict[int, User] = {}
    for user in User.objects.filter(
        role=Role.OPERATOR, centre__in=centres, is_active=True
    ).order_by("pk"):
        if user.centre_id is None:  # filtered by centre above: cannot happen
            raise SimulationError(details={"operator": user.username})
        operator_of.setdefault(user.centre_id, user.pk)
        requester_of.setdefault(user.centre_id, user)
    return operator_of, requester_of


def finance_officer() -> User:
    user = User.objects.filter(username="sim-finance").first()
    if user is None:
        user = User.objects.create(
            username="sim-finance",
            role=Role.FINANCE,
            password=make_password(None),
            first_name="Simulated finance officer",
        )
    return user


def _ensure_citizens(districts: set[int], per_district: int = 40) -> dict[int, list[int]]:
    names = [
        ("Anima Das", "অণিমা দাস"),
        ("Rahim Sheikh", "রহিম শেখ"),
        ("Tapas Mondal", "তাপস মণ্ডল"),
        ("Sabina Khatun", "সাবিনা খাতুন"),
        ("Bishnu Hansda", "বিষ্ণু হাঁসদা"),
    ]
    pool: dict[int, list[int]] = defaultdict(list)
    for citizen_id, district_id in Citizen.objects.filter(
        district_id__in=districts, name_en__startswith="Simulated "
    ).values_list("pk", "district_id"):
        pool[district_id].append(citizen_id)
    new = []
    for district_id in sorted(districts):
        for n in range(len(pool[district_id]), per_district):
            en, bn = names[n % len(names)]
            new.append(
                Citizen(
                    name_en=f"Simulated {en}",
                    name_bn=bn,
                    mobile=f"9{district_id % 1000:03d}{n:06d}"[:10],
                    district_id=district_id,
                )
            )
    if new:
        for citizen in Citizen.objects.bulk_create(new, batch_size=1_000):
            if citizen.district_id is None:  # created with a district above
                raise SimulationError(details={"citizen": citizen.pk})
            pool[citizen.district_id].append(citizen.pk)
    return pool


def network_prepare(*, centres: int, seed: int) -> Network:
    chosen = _ensure_centres(centres)
    operator_of, requester_of = _ensure_people(chosen)
    district_of = {c.pk: c.district_id for c in chosen}
    wallet_of = wallets_open_batch(centres=chosen)
    return Network(
        centre_ids=[c.pk for c in chosen],
        centres={c.pk: c for c in chosen},
        centre_codes={c.pk: c.code for c in chosen},
        operator_of=operator_of,
        requester_of=requester_of,
        citizen_of_district=_ensure_citizens(set(district_of.values())),
        district_of=district_of,
        wallet_of=wallet_of,
        cum_weights=network.centre_weights(seed, len(chosen)),
    )
