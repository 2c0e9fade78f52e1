"""The record of each simulated history, so that every page can say what is simulated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Simulation(models.Model):
    """One seeded run of the network simulator, extended day by day (resumable)."""

    label = models.CharField(_("label"), max_length=40, blank=True, db_index=True)
    seed = models.BigIntegerField(_("seed"))
    centres = models.PositiveIntegerField(_("centres"))
    start = models.DateField(_("first simulated day"))
    simulated_until = models.DateField(
        _("simulated until (exclusive)"),
        help_text=_("Every day before this one is complete; a resumed run starts here."),
    )
    free_sample_factor = models.PositiveSmallIntegerField(_("free-service sampling factor"))
    applications = models.BigIntegerField(_("applications written"), default=0)
    payments = models.BigIntegerField(_("wallet payments posted"), default=0)
    paise = models.BigIntegerField(_("paise posted"), default=0)
    topups = models.BigIntegerField(_("top-ups approved"), default=0)
    elapsed_seconds = models.FloatField(_("seconds spent"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("simulation")
        verbose_name_plural = _("simulations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"simulation {self.pk} (seed {self.seed}, {self.centres} centres)"
