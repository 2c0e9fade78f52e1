"""Applications: what an operator submits for a citizen, and what a department decides.

An application keeps the service version and the workflow version it started under,
its fee line by line (what was held and where it goes), and a history row for every
transition with the acting user. Numbers come from a per-(centre, financial year)
counter row that commits together with the application, so there are no gaps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sahayata.catalogue.models import Department, Service
from sahayata.people.models import Citizen
from sahayata.places.models import BilingualName, Centre


class Holiday(BilingualName):
    """A public holiday that does not count towards RTPS time limits."""

    date = models.DateField(_("date"), unique=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class NumberCounter(models.Model):
    """The last application number given at a centre in a financial year."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="+", verbose_name=_("centre")
    )
    financial_year = models.CharField(_("financial year"), max_length=4)
    last_value = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "financial_year"], name="numbercounter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.centre_id}/{self.financial_year}: {self.last_value}"


class HoldState(models.TextChoices):
    NONE = "none", _("No fee")
    HELD = "held", _("Held")
    POSTED = "posted", _("Paid to the payee")
    VOIDED = "voided", _("Refunded to the wallet")


class Application(models.Model):
    number = models.CharField(_("application number"), max_length=40, unique=True)
    # No index of their own for centre and department: the composite indexes below start
    # with them (every application row pays for each index on every insert).
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("centre"),
        db_index=False,
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="applications", verbose_name=_("service")
    )
    service_version = models.PositiveIntegerField(_("service version"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("department"),
        db_index=False,
    )
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="applications", verbose_name=_("citizen")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
        db_index=False,  # never searched by operator; users are deactivated, not deleted
    )
    fields = models.JSONField(_("form fields"), default=dict, blank=True)
    contact_email = models.EmailField(_("e-mail for notices"), blank=True)
    workflow_code = models.CharField(_("workflow"), max_length=40)
    workflow_version = models.PositiveIntegerField(_("workflow version"))
    # Queues filter status after the composite indexes below (department or centre first).
    status = models.CharField(_("status"), max_length=40)
    is_open = models.BooleanField(_("open"), default=True)
    fee_paise = models.PositiveBigIntegerField(_("fee (paise)"), default=0)
    hold = models.CharField(
        _("fee hold"), max_length=8, choices=HoldState.choices, default=HoldState.NONE
    )
    adapter_code = models.CharField(_("back-end adapter"), max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_on = models.DateField(_("submitted on (Kolkata)"))
    due_date = models.DateField(_("RTPS due date"))
    state_entered_at = models.DateTimeField(_("in this state since"))
    state_due_date = models.DateField(_("due date of this step"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    # The HTML form's one-time token or the API caller's key: one application per token.
    client_token = models.CharField(
        _("submission token"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # How many applications this row stands for in the figures: 1, or the simulator's
    # sampling factor for the free services it writes one in N of.
    sample_weight = models.PositiveIntegerField(_("sample weight"), default=1, editable=False)
    # The secret that opens this application's leaves in the transparency log; printed only
    # on its acknowledgement and receipt (drawn by sahayata.ledgerlog.salts).
    log_salt = models.CharField(_("log salt"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["department", "is_open", "due_date"]),
            models.Index(fields=["centre", "submitted_on"]),
            models.Index(fields=["is_open", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hold="none", fee_paise=0)
                | (~models.Q(hold="none") & models.Q(fee_paise__gt=0)),
                name="application_fee_matches_hold",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationFee(BilingualName):
    """One fee head of one application: the amount held and where it goes."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="fees", verbose_name=_("application")
    )
    code = models.CharField(_("code"), max_length=40)
    payee = models.CharField(_("payee"), max_length=16)
    amount_paise = models.PositiveBigIntegerField(_("amount (paise)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("application fee")
        verbose_name_plural = _("application fees")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="appfee_unique_code"),
            models.CheckConstraint(condition=models.Q(amount_paise__gt=0), name="appfee_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.amount_paise}"


class ApplicationHistory(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("application"),
    )
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Who acted when no user did: "system", an adapter code, a command.
    actor_label = models.CharField(_("actor (system)"), max_length=80, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    code = models.CharField(_("document"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(_("stored as"), max_length=200, unique=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.original_name
