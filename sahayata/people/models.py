"""People: staff users with one role each, citizens, and API tokens.

An Aadhaar number is never stored: only its masked form (XXXX-XXXX-1234) and a keyed
HMAC used to find duplicates.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sahayata.catalogue.models import Department
from sahayata.places.models import Centre, District


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Centre supervisor")
    OFFICER = "officer", _("Department officer")
    DISTRICT = "district", _("District nodal officer")
    FINANCE = "finance", _("State finance officer")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


CENTRE_ROLES = (Role.OPERATOR, Role.SUPERVISOR)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("centre"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("department"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nodal_officers",
        verbose_name=_("district"),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("bn", "বাংলা"), ("en", "English")],
        default="bn",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["operator", "supervisor"])
                | models.Q(centre__isnull=False),
                name="user_centre_role_has_centre",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="officer") | models.Q(department__isnull=False),
                name="user_officer_has_department",
            ),
        ]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class Citizen(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "O", _("Other")

    # The id in URLs: random, so that a citizen's page cannot be found by counting.
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_bn = models.CharField(_("name (Bengali)"), max_length=200, blank=True)
    mobile = models.CharField(_("mobile"), max_length=10, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    aadhaar_masked = models.CharField(_("Aadhaar (masked)"), max_length=14, blank=True)
    aadhaar_hmac = models.CharField(
        _("Aadhaar keyed hash"), max_length=64, blank=True, db_index=True, editable=False
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    # Where the citizen was registered: a search by name sees the citizens of its own centre.
    registered_centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered at centre"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        ordering = ["name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["aadhaar_hmac"],
                condition=~models.Q(aadhaar_hmac=""),
                name="citizen_unique_aadhaar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.mobile_masked})"

    @property
    def display_name(self) -> str:
        """The name in the page's language: the Bengali name on a Bengali page (the English
        one when none was given), the English name on an English page."""
        if self.name_bn and (translation.get_language() or "bn").startswith("bn"):
            return self.name_bn
        return self.name_en

    @property
    def mobile_masked(self) -> str:
        """The mobile as ``******1234``: enough to recognise, not to call."""
        return mask_mobile(self.mobile)


def mask_mobile(mobile: str) -> str:
    return "*" * 6 + (mobile or "")[-4:] if mobile else ""


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the clear token is shown once. It works
    until it expires or is revoked, whichever comes first."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Touched at most once a minute per token (tokens.user_for_token), not per request.
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
