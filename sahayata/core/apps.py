from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sahayata.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sahayata.core import deploy  # noqa: F401  (registers the production check)
        from sahayata.core.memo import memos_clear

        # ``flush`` sends post_migrate: ids written once may then be given again.
        post_migrate.connect(memos_clear, dispatch_uid="sahayata_memos_clear")
