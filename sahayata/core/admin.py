"""The admin site's titles, and the project's Bengali font on every admin page.

Admin pages do not extend ``base.html``, so without this a machine without a Bengali
system font would show boxes. The index, app index and login pages use the templates
below; every ``ModelAdmin`` of the project adds ``AdminFonts`` to its media.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

FONT_CSS = ("core/fonts.css", "core/admin.css")

admin.site.site_header = _("Sahayata administration")
admin.site.site_title = _("Sahayata administration")
admin.site.index_template = "core/admin/index.html"
admin.site.app_index_template = "core/admin/app_index.html"
admin.site.login_template = "core/admin/login.html"


class AdminFonts(admin.ModelAdmin):
    """Base for the project's ModelAdmins: the Bengali font on their pages."""

    class Media:
        css = {"all": FONT_CSS}
