"""URL map: public pages, staff pages per app, the admin and the JSON API."""

from django.contrib import admin
from django.urls import include, path

from sahayata.core import health
from sahayata.people.views import StaffLoginView
from sahayata.site.api import api

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django's login with the idle timeout's message; the rest of its auth pages as they are.
    path("accounts/login/", StaffLoginView.as_view(), name="login"),
    path("accounts/", include("sahayata.people.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("wallet/", include("sahayata.wallet.urls")),
    path("", include("sahayata.applications.urls")),
    path("", include("sahayata.certificates.urls")),
    path("", include("sahayata.ledgerlog.urls")),
    path("", include("sahayata.transparency.urls")),
    path("", include("sahayata.consoles.urls")),
    path("", include("sahayata.site.urls")),
]
