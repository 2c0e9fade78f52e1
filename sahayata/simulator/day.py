"""One simulated day: its top-ups, submissions, sweeper and decisions, in one transaction."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import F

from sahayata.applications.batch import (
    EXPIRE,
    Decision,
    NewApplication,
    ServicePlan,
    Submitted,
    applications_decide_batch,
    applications_submit_batch,
)
from sahayata.applications.models import Application, ApplicationFee
from sahayata.applications.rules import FeeLine, add_working_days
from sahayata.core import dialect
from sahayata.core.clock import IST
from sahayata.simulator import network
from sahayata.simulator.models import Simulation
from sahayata.simulator.progress import Progress
from sahayata.simulator.world import (
    TOPUP_APPROVED,
    TOPUP_ASKED,
    TOPUP_DAYS,
    TOPUP_MIN_PAISE,
    Network,
    finance_officer,
    holidays_of,
)
from sahayata.transparency import services as transparency
from sahayata.transparency.services import RollupEventSpec
from sahayata.wallet.selectors import wallets_available
from sahayata.wallet.services import (
    TopUpRequestSpec,
    holds_expire,
    topups_approve_batch,
    topups_request_batch,
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
        self.holidays = holidays_of(simulation.start, end)
        self.volume = network.calibrated_volume(self.holidays)
        self.pending: dict[tuple[dt.date, int], list[Decision]] = defaultdict(list)
        self.finance = finance_officer()
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
            # Do not wait for the WAL flush of each simulated day: after a crash the
            # database may lack the last days, with the simulated_until they moved,
            # and --resume writes them again. Real transactions are unaffected.
            dialect.commit_without_flush()
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
