"""Places: districts, blocks and municipalities, and the service centres in them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_bn = models.CharField(_("name (Bengali)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_bn if (get_language() or "bn").startswith("bn") else self.name_en


class District(BilingualName):
    code = models.CharField(_("code"), max_length=8, unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name_en"]


class Block(BilingualName):
    """A community development block or an urban local body."""

    class Kind(models.TextChoices):
        BLOCK = "block", _("Block")
        MUNICIPALITY = "municipality", _("Municipality")
        CORPORATION = "corporation", _("Municipal corporation")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="blocks", verbose_name=_("district")
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BLOCK)

    class Meta:
        verbose_name = _("block or municipality")
        verbose_name_plural = _("blocks and municipalities")
        ordering = ["district__name_en", "name_en"]


class Centre(BilingualName):
    class Kind(models.TextChoices):
        BDO_OFFICE = "bdo_office", _("BDO office")
        SDO_OFFICE = "sdo_office", _("SDO office")
        DM_OFFICE = "dm_office", _("DM office")
        MUNICIPALITY = "municipality", _("Municipality office")
        LIBRARY = "library", _("Public library")
        HEALTH_SUB_CENTRE = "health_sub_centre", _("Health sub-centre")

    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="centres", verbose_name=_("district")
    )
    block = models.ForeignKey(
        Block, on_delete=models.PROTECT, related_name="centres", verbose_name=_("block")
    )
    address = models.TextField(_("address"), blank=True)
    pin_code = models.CharField(_("PIN code"), max_length=6, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["code"]
        indexes = [models.Index(fields=["district", "code"])]
