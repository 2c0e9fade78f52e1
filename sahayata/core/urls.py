from django.urls import path

from sahayata.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
