"""The network simulator: a seeded history written through the real services.

``simulation_run`` walks the days. For each day, in one transaction: top-ups for wallets
that need them (``topup_request`` by the centre's operator, ``topup_approve`` by a
finance officer: maker-checker), the day's submissions (``applications.batch``: numbers,
due dates, fee lines, holds in the wallet's batch path), the wallet's sweeper
(``holds_expire``) and the day's decisions (workflow steps, posts and voids), then the
rollup consumer. The simulation's ``simulated_until`` moves in the same transaction, so an
interrupted run resumes at the first incomplete day with the same result.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import override_settings

from sahayata.applications.batch import (
    EXPIRE,
    Decision,
    NewApplication,
    ServicePlan,
    Submitted,
    applications_decide_batch,
    applications_submit_batch,
    service_plan,
)
from sahayata.applications.models import Application, ApplicationFee, Holiday
from sahayata.applications.rules import FeeLine, add_working_days
from sahayata.catalogue.models import Service
from sahayata.core.errors import InvalidInput
from sahayata.people.models import Citizen, Role, User
from sahayata.places.models import Block, Centre, District
from sahayata.places.services import block_upsert, centre_upsert
from sahayata.simulator import network
from sahayata.simulator.models import Simulation
from sahayata.transparency import services as transparency
from sahayata.transparency.services import RollupEventSpec
from sahayata.wallet.selectors import wallets_available
from sahayata.wallet.services import (
    TopUpRequestSpec,
    holds_expire,
    topups_approve_batch,
    topups_request_batch,
    wallets_open_batch,
)

IST = ZoneInfo("Asia/Kolkata")
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


@dataclass
class Progress:
    """The progress bar. Its share and ETA count the work expected for each day (the
    network grows over the years, so late days weigh far more than early ones)."""

    work: dict[dt.date, float]
    out: TextIO | None = sys.stderr
    started: float = field(default_factory=time.monotonic)
    days: int = 0
    done_work: float = 0.0
    applications: int = 0
    payments: int = 0
    paise: int = 0

    def step(self, day: dt.date) -> None:
        self.days += 1
        self.done_work += self.work.get(day, 0.0)
        if self.out is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        total = sum(self.work.values())
        share = self.done_work / total if total else self.days / max(len(self.work), 1)
        bar = "#" * int(share * 30)
        rate = self.payments / elapsed
        eta = elapsed / share - elapsed if share else 0
        self.out.write(
            f"\r[{bar:<30}] {share:6.1%} {day:%Y-%m-%d} | applications {self.applications:,}"
            f" | payments {self.payments:,} ({rate:,.0f}/s) | ₹{self.paise / 1e9:,.2f} crore"
            f" | {elapsed:,.0f}s, ETA {eta:,.0f}s "
        )
        self.out.flush()

    def done(self) -> None:
        if self.out is not None:
            self.out.write("\n")
            self.out.flush()


def _holidays(start: dt.date, end: dt.date) -> set[dt.date]:
    listed = set(Holiday.objects.values_list("date", flat=True))
    return network.closures(range(start.year - 1, end.year + 2), listed)


def _plans() -> list[ServicePlan]:
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
    return existing


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
        assert user.centre_id is not None
        operator_of.setdefault(user.centre_id, user.pk)
        requester_of.setdefault(user.centre_id, user)
    return operator_of, requester_of


def _finance_officer() -> User:
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
            assert citizen.district_id is not None
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


class Simulator:
    """One run over a range of days; keeps the pending decisions between days."""

    def __init__(self, simulation: Simulation, net: Network, plans: list[ServicePlan]) -> None:
        self.simulation = simulation
        self.net = net
        self.plans = {plan.service_id: plan for plan in plans}
        self.mix = network.service_mix(
            [
                (p.service_id, p.code, p.kind, p.paid, p.fixed_paise, bool(p.amount_field))
                for p in plans
            ]
        )
        end = simulation.simulated_until + dt.timedelta(days=3_000)
        self.holidays = _holidays(simulation.start, end)
        self.volume = network.calibrated_volume(self.holidays)
        self.pending: dict[tuple[dt.date, int], list[Decision]] = defaultdict(list)
        self.finance = _finance_officer()
        self._fates: dict[str, network.Fate] = {}
        self._after: dict[tuple[dt.date, int], dt.date] = {}

    def expected_work(self, first: dt.date, days: int) -> dict[dt.date, float]:
        """Expected rows to write on each day: payments, and the sampled free services (a
        free application costs about half a payment), plus a fixed cost per day."""
        count = len(self.net.centre_ids)
        factor = self.simulation.free_sample_factor
        work = {}
        for offset in range(days):
            day = first + dt.timedelta(days=offset)
            paid = self.volume.payments(day, self.holidays, count)
            free = self.volume.free(day, self.holidays, count) / factor
            work[day] = paid + free / 2 + 500
        return work

    # --- generation ---------------------------------------------------------------------

    def _new_items(self, day: dt.date) -> list[tuple[int, NewApplication]]:
        """Today's submissions as (slot, item), from the seed and the day alone."""
        rng = random.Random(f"{self.simulation.seed}:day:{day.isoformat()}")
        count = len(self.net.centre_ids)
        paid = network.draw_count(rng, self.volume.payments(day, self.holidays, count))
        free = network.draw_count(
            rng,
            self.volume.free(day, self.holidays, count) / self.simulation.free_sample_factor,
        )
        centres = rng.choices(self.net.centre_ids, cum_weights=self.net.cum_weights, k=paid + free)
        services = rng.choices(self.mix.paid_ids, cum_weights=self.mix.paid_cum, k=paid)
        services += rng.choices(self.mix.free_ids, cum_weights=self.mix.free_cum, k=free)
        items = []
        for index, (centre_id, service_id) in enumerate(zip(centres, services, strict=True)):
            plan = self.plans[service_id]
            citizens = self.net.citizen_of_district[self.net.district_of[centre_id]]
            amount = network.draw_amount(rng, self.mix, service_id) if plan.amount_field else 0
            weight = 1 if index < paid else self.simulation.free_sample_factor
            items.append(
                (
                    rng.randrange(len(network.SUBMIT_SLOTS)),
                    NewApplication(
                        plan=plan,
                        centre_id=centre_id,
                        centre_code=self.net.centre_codes[centre_id],
                        operator_id=self.net.operator_of[centre_id],
                        citizen_id=citizens[rng.randrange(len(citizens))],
                        amount_paise=amount,
                        weight=weight,
                    ),
                )
            )
        return items

    def _draw_fate(self, number: str, plan: ServicePlan) -> network.Fate:
        return network.fate(self.simulation.seed, number, plan.workflow.code, plan.time_limit_days)

    def _fate(self, sub: Submitted) -> network.Fate:
        # Drawn once at submission (for the hold's timeout), used here at scheduling.
        return self._fates.pop(sub.number, None) or self._draw_fate(sub.number, sub.plan)

    def _working_days_after(self, day: dt.date, days: int) -> dt.date:
        key = (day, days)
        if key not in self._after:
            self._after[key] = add_working_days(day, days, self.holidays)
        return self._after[key]

    def _schedule(self, sub: Submitted, submit_slot: int) -> None:
        fate = self._fate(sub)
        if fate.outcome == EXPIRE:
            decided_on = sub.submitted_on + dt.timedelta(days=fate.working_days)
            slot = len(network.DECIDE_SLOTS) - 1
        else:
            decided_on = self._working_days_after(sub.submitted_on, fate.working_days)
            slot = min(int(fate.late_slot), len(network.DECIDE_SLOTS) - 1)
            if decided_on == sub.submitted_on:
                slot = max(slot, submit_slot)
        self.pending[(decided_on, slot)].append(Decision(sub, fate.outcome))

    # --- writing ------------------------------------------------------------------------

    def _topups(self, day: dt.date, items: list[tuple[int, NewApplication]]) -> int:
        """Top up the wallets that cannot hold today's fees, through maker-checker."""
        need: dict[int, int] = defaultdict(int)
        for _, item in items:
            if item.plan.paid:
                need[item.centre_id] += item.plan.fee_for(item.amount_paise)
        if not need:
            return 0
        spendable = wallets_available(account_ids=[self.net.wallet_of[c] for c in need])
        wallets = {c: spendable.get(self.net.wallet_of[c], 0) for c in need}
        count = len(self.net.centre_ids)
        expected = (
            self.volume.payments(day, set(), count) / max(count, 1) * network.MEAN_PAYMENT_PAISE
        )
        requests = []
        for centre_id in sorted(need):
            available = wallets.get(centre_id, 0)
            if available >= need[centre_id]:
                continue
            amount = max(need[centre_id] - available, int(expected * TOPUP_DAYS), TOPUP_MIN_PAISE)
            amount = -(-amount // 10_000_00) * 10_000_00  # whole ₹10,000s
            requests.append(
                TopUpRequestSpec(
                    centre=self.net.centres[centre_id],
                    amount_paise=amount,
                    bank_reference=(
                        f"SIM{self.simulation.pk}-{self.net.centre_codes[centre_id]}-{day:%Y%m%d}"
                    ),
                    requested_by=self.net.requester_of[centre_id],
                )
            )
        # Maker-checker in two batches: the centres' operators ask in the morning, the
        # finance officer approves before the counters open.
        asked = topups_request_batch(requests=requests, now=self._at(day, TOPUP_ASKED))
        topups_approve_batch(
            topup_ids=[topup.pk for topup in asked],
            approved_by=self.finance,
            now=self._at(day, TOPUP_APPROVED),
        )
        return len(asked)

    def _token(self, number: str, item: NewApplication) -> str:
        # "sim:<simulation>:<number>" (the weight has its own column, sample_weight).
        return f"sim:{self.simulation.pk}:{number}"

    def _hold_timeout(self, number: str, plan: ServicePlan) -> int | None:
        # Only the holds whose back end will never answer carry a timeout, so the wallet's
        # sweeper (run every simulated slot) expires exactly those.
        fate = self._fates[number] = self._draw_fate(number, plan)
        outcome = fate.outcome
        return network.HOLD_TIMEOUT_SECONDS if plan.paid and outcome == EXPIRE else None

    def _at(self, day: dt.date, slot: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, slot, tzinfo=IST)

    def run_day(self, day: dt.date, progress: Progress) -> None:
        items = self._new_items(day)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Do not wait for the WAL flush of each simulated day: after a crash the
                # database may lack the last days, with the simulated_until they moved,
                # and --resume writes them again. Real transactions are unaffected.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            topups = self._topups(day, items)
            by_slot: dict[int, list[NewApplication]] = defaultdict(list)
            for slot, item in items:
                by_slot[slot].append(item)
            payments = paise = 0
            events: list[RollupEventSpec] = []  # folded once, at the end of the day
            for slot_index, submit_at in enumerate(network.SUBMIT_SLOTS):
                batch = by_slot.get(slot_index, [])
                submitted = applications_submit_batch(
                    items=batch,
                    now=self._at(day, submit_at),
                    holidays=self.holidays,
                    wallet_of=self.net.wallet_of,
                    token_for=self._token,
                    hold_timeout_for=self._hold_timeout,
                    rollup_sink=events,
                )
                for sub in submitted:
                    self._schedule(sub, slot_index)
            for slot_index, decide_at in enumerate(network.DECIDE_SLOTS):
                now = self._at(day, decide_at)
                holds_expire(now=now, limit=100_000)
                decisions = self.pending.pop((day, slot_index), [])
                applications_decide_batch(decisions=decisions, now=now, rollup_sink=events)
                for decision in decisions:
                    if decision.outcome == "approve" and decision.application.lines:
                        payments += 1
                        paise += decision.application.fee_paise
            # One fold per day: each call rewrites every cell its events feed.
            transparency.rollups_fold_batch(events=events)
            Simulation.objects.filter(pk=self.simulation.pk).update(
                simulated_until=day + dt.timedelta(days=1),
                applications=F("applications") + len(items),
                payments=F("payments") + payments,
                paise=F("paise") + paise,
                topups=F("topups") + topups,
            )
        progress.applications += len(items)
        progress.payments += payments
        progress.paise += paise

    def reload_pending(self) -> None:
        """After a restart: schedule again the open applications of this simulation."""
        prefix = f":{self.simulation.pk}:"
        open_apps = Application.objects.filter(
            is_open=True,
            client_token__startswith="sim",  # noqa: S106 (a token prefix, not a password)
            client_token__contains=prefix,
        ).values_list(
            "pk", "number", "service_id", "centre_id", "submitted_on", "due_date", "sample_weight"
        )
        rows = list(open_apps)
        lines: dict[int, list[FeeLine]] = defaultdict(list)
        for fee in ApplicationFee.objects.filter(
            application_id__in=[row[0] for row in rows]
        ).order_by("application_id", "position"):
            lines[fee.application_id].append(
                FeeLine(fee.code, fee.name_en, fee.name_bn, fee.payee, fee.amount_paise)
            )
        for pk, number, service_id, centre_id, submitted_on, due, weight in rows:
            sub = Submitted(
                pk, number, self.plans[service_id], centre_id, submitted_on, due, lines[pk], weight
            )
            fate = self._fate(sub)
            if fate.outcome == EXPIRE:
                decided_on = submitted_on + dt.timedelta(days=fate.working_days)
                slot = len(network.DECIDE_SLOTS) - 1
            else:
                decided_on = add_working_days(submitted_on, fate.working_days, self.holidays)
                slot = min(int(fate.late_slot), len(network.DECIDE_SLOTS) - 1)
            key = (max(decided_on, self.simulation.simulated_until), slot)
            self.pending[key].append(Decision(sub, fate.outcome))


def simulation_run(
    *,
    centres: int = network.NETWORK_CENTRES,
    days: int = network.DEFAULT_DAYS,
    seed: int = 1,
    start: dt.date | None = None,
    resume: bool = False,
    label: str = "",
    progress_out: TextIO | None = sys.stderr,
    on_day: Callable[[dt.date], Any] | None = None,
    free_sample_factor: int = network.FREE_SAMPLE_FACTOR,
) -> Simulation:
    """Simulate ``days`` days of ``centres`` centres (or continue the latest simulation).

    Free-service applications are written 1 in ``free_sample_factor``, each carrying that
    weight into the rollups (a resumed simulation keeps its own factor)."""
    # With DEBUG on, Django keeps the SQL of every query it runs: a third of a simulated
    # history's time went into formatting millions of statements nobody reads.
    with override_settings(DEBUG=False):
        return _simulation_run(
            centres=centres,
            days=days,
            seed=seed,
            start=start,
            resume=resume,
            label=label,
            progress_out=progress_out,
            on_day=on_day,
            free_sample_factor=free_sample_factor,
        )


def _simulation_run(
    *,
    centres: int,
    days: int,
    seed: int,
    start: dt.date | None,
    resume: bool,
    label: str,
    progress_out: TextIO | None,
    on_day: Callable[[dt.date], Any] | None,
    free_sample_factor: int,
) -> Simulation:
    if centres < 1 or days < 0 or not 1 <= free_sample_factor <= 1_000:
        raise SimulationError(
            details={"centres": centres, "days": days, "free_sample_factor": free_sample_factor}
        )
    if resume:
        simulation = Simulation.objects.filter(label=label).order_by("-pk").first()
        if simulation is None:
            raise SimulationError("No simulation to resume.", details={"label": label})
    else:
        begin = start or network.DEFAULT_START
        simulation = Simulation.objects.create(
            label=label,
            seed=seed,
            centres=centres,
            start=begin,
            simulated_until=begin,
            free_sample_factor=free_sample_factor,
        )
    started = time.monotonic()
    if connection.vendor == "sqlite":
        # This connection writes millions of index entries at random places (transfer ids,
        # application numbers): give it a page cache of 1 GiB instead of 64 MiB.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-1048576")
    net = network_prepare(centres=simulation.centres, seed=simulation.seed)
    simulator = Simulator(simulation, net, _plans())
    if resume:
        simulator.reload_pending()
    progress = Progress(
        work=simulator.expected_work(simulation.simulated_until, days), out=progress_out
    )
    day = simulation.simulated_until
    try:
        for _ in range(days):
            simulator.run_day(day, progress)
            progress.step(day)
            if on_day is not None:
                on_day(day)
            day += dt.timedelta(days=1)
    finally:
        # Also when interrupted: the days done stay done (each committed on its own), and
        # their time counts.
        progress.done()
        Simulation.objects.filter(pk=simulation.pk).update(
            elapsed_seconds=F("elapsed_seconds") + (time.monotonic() - started)
        )
    simulation.refresh_from_db()
    return simulation
