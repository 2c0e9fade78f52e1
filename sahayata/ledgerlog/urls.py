"""HTML pages of the transparency log."""

from django.urls import path

from sahayata.ledgerlog import views

app_name = "ledgerlog"
urlpatterns = [
    path("dashboard/log/", views.log_page, name="log"),
    path("dashboard/log/verify_log.py", views.verifier_download, name="verifier"),
]
