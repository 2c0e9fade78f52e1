from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sahayata.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from sahayata.core import deploy  # noqa: F401  (registers the production check)
