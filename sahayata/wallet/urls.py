"""HTML pages of the wallet app, under /wallet/."""

from django.urls import path

from sahayata.wallet import views

app_name = "wallet"
urlpatterns = [
    path("", views.wallet_home, name="home"),
    path("statement/", views.wallet_statement, name="statement"),
    path("topups/", views.topups_queue, name="topups"),
    path(
        "topups/<str:topup_id>/approve/",
        views.topup_decide,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "topups/<str:topup_id>/reject/", views.topup_decide, {"decision": "reject"}, name="reject"
    ),
]
