"""HTML pages of certificates: public verification and the public key; staff pages."""

from django.urls import path

from sahayata.certificates import views

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify_form, name="verify"),
    path("verify/public-key", views.public_key, name="public_key"),
    path("verify/<str:certificate_id>", views.verify_id, name="verify_id"),
    path("certificates/<str:certificate_id>/", views.certificate_page, name="certificate"),
    path(
        "certificates/<str:certificate_id>/revoke",
        views.certificate_revoke_view,
        name="revoke",
    ),
]
