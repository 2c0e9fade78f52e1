"""HTML pages of the wallet app."""

from django.urls import path  # noqa: F401

app_name = "wallet"
urlpatterns: list = []
