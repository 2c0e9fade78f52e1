from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerLogConfig(AppConfig):
    name = "sahayata.ledgerlog"
    label = "ledgerlog"
    verbose_name = _("Transparency log")
