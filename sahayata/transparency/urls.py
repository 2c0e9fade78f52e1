"""HTML pages of the transparency app: the public dashboard, downloads and milestones."""

from django.urls import path, re_path

from sahayata.transparency import views

app_name = "transparency"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    re_path(
        r"^dashboard/data/(?P<table>[a-z_]+)\.(?P<fmt>csv|json)$",
        views.table_download,
        name="download",
    ),
    path("dashboard/milestones/<int:milestone_id>/", views.milestone_detail, name="milestone"),
    path(
        "dashboard/milestones/<int:milestone_id>/card.svg",
        views.milestone_card,
        name="milestone_card",
    ),
]
