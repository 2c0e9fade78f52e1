"""The simulated network's behaviour, as pure, seeded functions (no ORM).

Everything random comes from ``random.Random`` seeded with text (SHA-512 based, stable
across processes and Python versions), keyed by the seed and the day or the application
number, so a run, and a resumed run, always produce the same history.

The shape follows the public figures in the brief; where the brief gives no figure the
value is an assumption, marked as such:

- e-wallet payments start in November 2021 and grow; the network-wide monthly money
  follows ``MONEY_ANCHORS`` (₹ crore/month, interpolated), scaled so that with the
  default start and 3,561 centres the cumulative total crosses ₹1,000 crore in July 2025;
- March (financial-year end) is the peak month (×1.5 for payments); February ×1.15;
- centres are closed on Sundays and public holidays; Saturdays run at 70 %, Mondays 115 %;
- Duare Sarkar camp rounds (``CAMP_ROUNDS``, approximate dates) triple free-service
  applications and add 20 % to payments;
- free-service applications are about 6 per payment, simulated 1 in ``FREE_SAMPLE_FACTOR``
  with that weight in the rollups;
- the average e-wallet payment is about ₹1,650, spread by service (bills small, stamp
  duty and mutation large) on a log-normal curve;
- outcomes: most approved or confirmed, some rejected, adapter failures (the hold is
  voided) and holds that expire when the back end never answers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sahayata.core.money import CRORE_PAISE

NETWORK_CENTRES = 3_561
WALLET_START = dt.date(2021, 11, 1)
DEFAULT_START = dt.date(2021, 11, 1)
DEFAULT_DAYS = 1_370  # to the end of July 2025
MILESTONE_TARGET_DAY = dt.date(2025, 7, 15)  # where the expected total reaches ₹1,000 crore
FREE_SAMPLE_FACTOR = 25
FREE_PER_PAYMENT = 6
MEAN_PAYMENT_PAISE = 1_650_00
HOLD_TIMEOUT_SECONDS = 2 * 24 * 3600  # only on holds whose back end will never answer

# (year, month) → network-wide e-wallet money that month, ₹ crore (assumption, smoothed).
MONEY_ANCHORS: tuple[tuple[tuple[int, int], float], ...] = (
    ((2021, 11), 1.5),
    ((2022, 6), 5.0),
    ((2022, 12), 9.0),
    ((2023, 6), 12.5),
    ((2023, 12), 16.0),
    ((2024, 6), 23.0),
    ((2024, 12), 30.0),
    ((2025, 6), 44.0),
    ((2026, 3), 60.0),
    ((2027, 3), 75.0),
)

# Duare Sarkar rounds, approximate dates (assumption from public reports).
CAMP_ROUNDS: tuple[tuple[dt.date, dt.date], ...] = (
    (dt.date(2021, 8, 16), dt.date(2021, 9, 15)),
    (dt.date(2022, 11, 1), dt.date(2022, 11, 30)),
    (dt.date(2023, 9, 1), dt.date(2023, 9, 30)),
    (dt.date(2024, 1, 10), dt.date(2024, 2, 5)),
    (dt.date(2025, 1, 24), dt.date(2025, 2, 14)),
    (dt.date(2025, 8, 2), dt.date(2025, 8, 31)),
)

# Durga Puja closures for years the holiday calendar does not list (approximate).
PUJA_CLOSURES: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2021, 10, 11), 5),
    (dt.date(2022, 10, 1), 5),
    (dt.date(2023, 10, 20), 5),
    (dt.date(2024, 10, 9), 5),
)
NATIONAL_DAYS = ((1, 26), (8, 15), (10, 2))

# One submission batch and one decision batch per day: every wallet batch costs one
# update per centre wallet it touches, so fewer, larger batches go much faster.
SUBMIT_SLOTS = (dt.time(11, 0),)
DECIDE_SLOTS = (dt.time(16, 30),)


def closures(years: Iterable[int], listed: set[dt.date]) -> set[dt.date]:
    """Listed holidays plus national days and Puja closures for years not listed."""
    listed_years = {day.year for day in listed}
    days = set(listed)
    for year in years:
        if year in listed_years:
            continue
        days.update(dt.date(year, month, day) for month, day in NATIONAL_DAYS)
        for first, length in PUJA_CLOSURES:
            if first.year == year:
                days.update(first + dt.timedelta(days=i) for i in range(length))
    return days


def is_open(day: dt.date, holidays: set[dt.date]) -> bool:
    return day.weekday() != 6 and day not in holidays


def weekday_factor(day: dt.date) -> float:
    return {0: 1.15, 5: 0.7}.get(day.weekday(), 1.0)


def in_camp(day: dt.date) -> bool:
    return any(first <= day <= last for first, last in CAMP_ROUNDS)


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def monthly_money_crore(day: dt.date) -> float:
    """Network-wide e-wallet money in the month of ``day`` (₹ crore), before the peaks."""
    if day < WALLET_START:
        return 0.0
    at = _month_index(day.year, day.month)
    points = [(_month_index(*ym), value) for ym, value in MONEY_ANCHORS]
    if at <= points[0][0]:
        return points[0][1]
    for (m0, v0), (m1, v1) in itertools.pairwise(points):
        if m0 <= at <= m1:
            return v0 + (v1 - v0) * (at - m0) / (m1 - m0)
    return points[-1][1]


def _payment_factor(day: dt.date) -> float:
    month = {3: 1.5, 2: 1.15}.get(day.month, 1.0)
    return month * (1.2 if in_camp(day) else 1.0) * weekday_factor(day)


def _free_factor(day: dt.date) -> float:
    month = 1.1 if day.month == 3 else 1.0
    return month * (3.0 if in_camp(day) else 1.0) * weekday_factor(day)


WORKING_DAYS_PER_MONTH = 25.5


def _base_payments(day: dt.date) -> float:
    """Expected network-wide payments on an ordinary day of this month, before scaling."""
    money = monthly_money_crore(max(day, WALLET_START)) * CRORE_PAISE
    return money / MEAN_PAYMENT_PAISE / WORKING_DAYS_PER_MONTH


@dataclass(frozen=True)
class Volume:
    scale: float  # calibration so the default run crosses ₹1,000 crore on time

    def payments(self, day: dt.date, holidays: set[dt.date], centres: int) -> float:
        if day < WALLET_START or not is_open(day, holidays):
            return 0.0
        share = centres / NETWORK_CENTRES
        return self.scale * _base_payments(day) * _payment_factor(day) * share

    def free(self, day: dt.date, holidays: set[dt.date], centres: int) -> float:
        """Expected free-service applications (unsampled)."""
        if not is_open(day, holidays):
            return 0.0
        share = centres / NETWORK_CENTRES
        return self.scale * _base_payments(day) * FREE_PER_PAYMENT * _free_factor(day) * share


def calibrated_volume(holidays: set[dt.date]) -> Volume:
    """Scale the anchors so that expected money reaches ₹1,000 crore on the target day."""
    unscaled = Volume(scale=1.0)
    total = 0.0
    day = WALLET_START
    while day <= MILESTONE_TARGET_DAY:
        total += unscaled.payments(day, holidays, NETWORK_CENTRES) * MEAN_PAYMENT_PAISE
        day += dt.timedelta(days=1)
    return Volume(scale=1_000 * CRORE_PAISE / total)


def draw_count(rng: random.Random, mean: float) -> int:
    """A Poisson count (normal approximation above 50)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


# --- Services: popularity and amounts ---------------------------------------------------

PAID_WEIGHT = {"payment": 3.0, "land": 1.0, "certificate": 0.5}
# Relative popularity of known paid services (assumption): bills dominate, stamp duty is
# rare but large.
PAID_WEIGHT_BY_CODE = {
    "electricity_bill": 12.0,
    "bus_ticket": 3.0,
    "traffic_fine": 2.5,
    "property_tax": 2.0,
    "land_record_copy": 2.0,
    "land_mutation": 1.0,
    "stamp_duty": 0.5,
    "land_conversion": 0.2,
    "marriage_registration": 0.3,
}
FREE_WEIGHT = {
    "scheme": 6.0,
    "health": 3.0,
    "certificate": 3.0,
    "scholarship": 2.0,
    "pension": 1.5,
    "housing": 1.0,
    "information": 0.5,
}
AMOUNT_SIGMA = 0.8


def amount_median_paise(code: str, kind: str) -> int:
    """Median amount of a service whose citizen brings the amount (assumption)."""
    if "stamp" in code or "registration" in code:
        return 9_000_00
    if "fine" in code or "challan" in code or "ticket" in code:
        return 600_00
    if "tax" in code:
        return 2_000_00
    if kind == "land":
        return 4_000_00
    if kind == "payment":
        return 900_00
    return 1_500_00


@dataclass(frozen=True)
class ServiceMix:
    """Which services are drawn, how often, and what the variable ones cost."""

    paid_ids: tuple[int, ...]
    paid_cum: tuple[float, ...]
    free_ids: tuple[int, ...]
    free_cum: tuple[float, ...]
    medians: dict[int, int]  # service id → median paise, for amounts from a field
    amount_scale: float


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(out)


def service_mix(services: Sequence[tuple[int, str, str, bool, int, bool]]) -> ServiceMix:
    """``services``: (id, code, kind, paid, fixed part in paise, amount varies).

    The medians of the varying amounts are scaled together so that the expected payment
    is ``MEAN_PAYMENT_PAISE``.
    """
    paid = [s for s in services if s[3]]
    free = [s for s in services if not s[3]]
    paid_w = [
        PAID_WEIGHT_BY_CODE.get(code, PAID_WEIGHT.get(kind, 1.0)) for _, code, kind, *_ in paid
    ]
    free_w = [FREE_WEIGHT.get(kind, 1.0) for _, _, kind, *_ in free]
    medians = {
        sid: amount_median_paise(code, kind) for sid, code, kind, _, _, varies in paid if varies
    }
    spread = math.exp(AMOUNT_SIGMA**2 / 2)
    fixed_part = sum(w * s[4] for w, s in zip(paid_w, paid, strict=True))
    variable_part = sum(
        w * medians[s[0]] * spread for w, s in zip(paid_w, paid, strict=True) if s[5]
    )
    target = MEAN_PAYMENT_PAISE * sum(paid_w)
    scale = (target - fixed_part) / variable_part if variable_part else 1.0
    return ServiceMix(
        paid_ids=tuple(s[0] for s in paid),
        paid_cum=_cumulative(paid_w),
        free_ids=tuple(s[0] for s in free),
        free_cum=_cumulative(free_w),
        medians=medians,
        amount_scale=max(scale, 0.05),
    )


def draw_amount(rng: random.Random, mix: ServiceMix, service_id: int) -> int:
    """A variable amount: log-normal around the service's scaled median, in whole rupees."""
    median = mix.medians[service_id] * mix.amount_scale
    value = median * math.exp(rng.gauss(0.0, AMOUNT_SIGMA))
    return int(min(max(value, 10_00), 10_00_000_00) // 100 * 100)


# --- Fates: what happens to each application ----------------------------------------------


@dataclass(frozen=True)
class Fate:
    outcome: str  # approve, reject, fail, expire
    working_days: int  # after submission; expire counts calendar days to the timeout
    late_slot: bool  # decided in the afternoon slot


ADAPTER_FATES = {
    # workflow: (fail share, expire share, shortest delay, longest delay) (assumption)
    "bill_payment": (0.02, 0.01, 0, 0),
    "treasury_challan": (0.02, 0.02, 1, 3),
    "land_records": (0.02, 0.01, 2, 8),
}


def fate(seed: int, number: str, workflow_code: str, time_limit_days: int) -> Fate:
    """The outcome of one application, from the seed and its number alone."""
    rng = random.Random(f"{seed}:fate:{number}")
    late = rng.random() < 0.5
    if workflow_code in ADAPTER_FATES:
        fail, expire, shortest, longest = ADAPTER_FATES[workflow_code]
        roll = rng.random()
        if roll < expire:
            return Fate("expire", HOLD_TIMEOUT_SECONDS // 86_400, late)
        outcome = "fail" if roll < expire + fail else "approve"
        return Fate(outcome, rng.randint(shortest, longest), late)
    roll = rng.random()
    if roll < 0.09:
        return Fate("reject", rng.randint(1, max(1, time_limit_days)), late)
    # About 93 % of approvals within the RTPS limit, the rest up to half as long again.
    if rng.random() < 0.93:
        days = rng.randint(1, max(1, time_limit_days))
    else:
        days = rng.randint(time_limit_days + 1, time_limit_days + max(2, time_limit_days // 2))
    return Fate("approve", days, late)


def centre_weights(seed: int, count: int) -> tuple[float, ...]:
    """How busy each centre is relative to the others (log-normal, assumption)."""
    rng = random.Random(f"{seed}:centres")
    return _cumulative([math.exp(rng.gauss(0.0, 0.5)) for _ in range(count)])
