from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    name = "sahayata.site"
    label = "site"
    verbose_name = _("Site")

    def ready(self) -> None:
        # Sent per app with models; the queue's tables exist once django_q's is sent.
        post_migrate.connect(_register_schedules, dispatch_uid="sahayata.site.schedules")


def _register_schedules(*, app_config: AppConfig, using: str = "default", **kwargs: object) -> None:
    """After ``migrate``, the periodic jobs' schedules are on the queue (idempotent)."""
    if app_config.label != "django_q" or using != "default":
        return
    from sahayata.site.jobs import schedules_register

    schedules_register()
