"""Transparency: the rollup outbox, the rollup cube and the milestones.

The services of other apps write ``RollupEvent`` rows inside their own transactions, so
an event exists exactly when its cause committed. ``rollups_apply`` folds them, exactly
once, into ``Rollup`` cells and records ``Milestone`` rows. The dashboard reads only the
cells, never the ledger.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sahayata.transparency import fold
from sahayata.transparency.fold import ALL as ALL  # "all districts / departments / services"


class RollupEvent(models.Model):
    """One fact waiting to be folded into the rollups (the outbox)."""

    class Kind(models.TextChoices):
        APPLICATION_SUBMITTED = fold.SUBMITTED, _("Application submitted")
        SERVICE_DELIVERED = fold.DELIVERED, _("Service delivered")
        PAYMENT_POSTED = fold.PAID, _("Payment posted")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    centre_id = models.BigIntegerField(_("centre"))
    service_id = models.BigIntegerField(_("service"))
    amount_paise = models.BigIntegerField(_("amount (paise)"), default=0)
    weight = models.PositiveIntegerField(_("weight"), default=1)
    application_id = models.BigIntegerField(_("application"), null=True, blank=True)
    transfer_id = models.CharField(_("transfer"), max_length=64, blank=True)
    # None when the cause does not know whether it met its RTPS time limit.
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    simulated = models.BooleanField(_("simulated"), default=False)

    class Meta:
        verbose_name = _("rollup event")
        verbose_name_plural = _("rollup events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_paise__gte=0), name="rollupevent_amount_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1), name="rollupevent_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class Rollup(models.Model):
    """One cell of the rollup cube.

    ``grain`` is day, month or all time; ``period`` is the day, the first of the month,
    or 2000-01-01 for all time. A dimension set to ``ALL`` (0) sums over it. Each event is
    folded into the cells (district or all) × (department or all) × (service or all, only
    below a department) at the three grains, so every dashboard query reads a few rows.
    """

    class Grain(models.TextChoices):
        DAY = fold.DAY, _("Day")
        MONTH = fold.MONTH, _("Month")
        ALL_TIME = fold.ALL_TIME, _("All time")

    grain = models.CharField(_("grain"), max_length=5, choices=Grain.choices)
    period = models.DateField(_("period"))
    district_id = models.BigIntegerField(_("district"))
    department_id = models.BigIntegerField(_("department"))
    service_id = models.BigIntegerField(_("service"))
    applications = models.BigIntegerField(_("applications"), default=0)
    services_delivered = models.BigIntegerField(_("services delivered"), default=0)
    wallet_transactions = models.BigIntegerField(_("wallet transactions"), default=0)
    paise = models.BigIntegerField(_("paise"), default=0)
    delivered_timed = models.BigIntegerField(_("delivered with a known time limit"), default=0)
    delivered_on_time = models.BigIntegerField(_("delivered on time"), default=0)
    simulated_events = models.BigIntegerField(_("simulated events"), default=0)

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period", "district_id", "department_id", "service_id"],
                name="rollup_unique_cell",
            ),
        ]
        indexes = [
            models.Index(
                fields=["grain", "district_id", "department_id", "service_id", "period"],
                name="rollup_dims_period",
            ),
        ]

    def __str__(self) -> str:
        dims = f"d{self.district_id} dep{self.department_id} s{self.service_id}"
        return f"{self.grain} {self.period} {dims}"


class Milestone(models.Model):
    """The moment a cumulative figure crossed a threshold, and what crossed it."""

    class Metric(models.TextChoices):
        PAISE = fold.PAISE, _("Money moved through the e-wallet")
        SERVICES = fold.SERVICES, _("Services delivered")

    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    threshold = models.BigIntegerField(_("threshold"))
    crossed_at = models.DateTimeField(_("crossed at"))
    value_after = models.BigIntegerField(_("value after the crossing"))
    application_id = models.BigIntegerField(_("application"), null=True, blank=True)
    transfer_id = models.CharField(_("transfer"), max_length=64, blank=True)
    centre_id = models.BigIntegerField(_("centre"))
    service_id = models.BigIntegerField(_("service"))
    simulated = models.BooleanField(_("simulated"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["crossed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "threshold"], name="milestone_unique_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} ≥ {self.threshold}"
