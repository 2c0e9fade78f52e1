"""The service catalogue: departments, services, fee heads, documents and form fields.

Administrators edit ``Service`` and its inlines in the admin. Every change is published
as an immutable ``ServiceVersion`` snapshot, and an application keeps the version it was
submitted under. Fee amounts are illustrative configuration, not official rates.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sahayata.places.models import BilingualName


class Department(BilingualName):
    code = models.CharField(_("code"), max_length=16, unique=True)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name_en"]


class Service(BilingualName):
    class Kind(models.TextChoices):
        SCHEME = "scheme", _("Scheme")
        CERTIFICATE = "certificate", _("Certificate")
        SCHOLARSHIP = "scholarship", _("Scholarship")
        PENSION = "pension", _("Pension")
        HEALTH = "health", _("Health")
        HOUSING = "housing", _("Housing")
        LAND = "land", _("Land")
        PAYMENT = "payment", _("Payment")
        INFORMATION = "information", _("Information")

    code = models.CharField(_("code"), max_length=40, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="services", verbose_name=_("department")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_bn = models.TextField(_("description (Bengali)"), blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (days)"))
    workflow_code = models.CharField(
        _("workflow"),
        max_length=40,
        help_text=_("Code of the declarative workflow that decides this service."),
    )
    adapter_code = models.CharField(
        _("back-end adapter"),
        max_length=40,
        blank=True,
        help_text=_(
            "Code of the department or biller back end that confirms this service "
            "(for example electricity_biller, treasury_challan, land_records); blank if none."
        ),
    )
    issues_certificate = models.BooleanField(_("issues a certificate"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.PositiveIntegerField(_("current version"), default=0, editable=False)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["department__name_en", "name_en"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_limit_days__gte=1), name="service_time_limit_positive"
            )
        ]


class FeeHead(BilingualName):
    """One part of a service's statutory fee, and where that money goes."""

    class Payee(models.TextChoices):
        TREASURY = "treasury", _("State treasury")
        DEPARTMENT = "department", _("Department receivable")
        BILLER = "biller", _("Biller")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="fee_heads", verbose_name=_("service")
    )
    code = models.CharField(_("code"), max_length=40)
    amount_paise = models.PositiveBigIntegerField(
        _("amount (paise)"),
        default=0,
        help_text=_("Fixed amount in paise; 0 when the amount comes from a form field."),
    )
    amount_from_field = models.CharField(
        _("amount from form field"),
        max_length=40,
        blank=True,
        help_text=_("Name of the form field that gives the amount in paise (bills, fines)."),
    )
    payee = models.CharField(_("payee"), max_length=16, choices=Payee.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("fee head")
        verbose_name_plural = _("fee heads")
        ordering = ["service", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="feehead_unique_code"),
            models.CheckConstraint(
                condition=models.Q(amount_paise__gt=0) | ~models.Q(amount_from_field=""),
                name="feehead_amount_or_field",
            ),
        ]


class FormField(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        PAISE = "paise", _("Amount in paise")
        MOBILE = "mobile", _("Mobile number")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="form_fields", verbose_name=_("service")
    )
    name = models.SlugField(_("name"), max_length=40)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(_("required"), default=True)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_bn = models.CharField(_("label (Bengali)"), max_length=200)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    pattern = models.CharField(_("pattern"), max_length=200, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), default=200)
    example = models.CharField(_("example"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["service", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="formfield_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RequiredDocument(BilingualName):
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="required_documents",
        verbose_name=_("service"),
    )
    code = models.CharField(_("code"), max_length=40)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["service", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="requireddoc_unique_code"),
        ]


class ServiceVersion(models.Model):
    """An immutable snapshot of a service's definition, as published."""

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="versions", verbose_name=_("service")
    )
    version = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.CharField(_("published by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        ordering = ["service", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="serviceversion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.version}"
