"""HTML pages of the applications app: counter, office, tracking."""

from django.urls import path

from sahayata.applications.views import counter, office, public

app_name = "applications"
urlpatterns = [
    path("counter/", counter.counter_home, name="counter"),
    path("counter/citizens/new", counter.citizen_new, name="citizen_new"),
    path("counter/citizens/<uuid:citizen_id>/", counter.counter_services, name="counter_services"),
    path(
        "counter/citizens/<uuid:citizen_id>/apply/<str:service_code>/",
        counter.counter_apply,
        name="counter_apply",
    ),
    path("counter/today/", counter.operator_day, name="operator_day"),
    path("applications/<str:number>/", office.application_detail, name="detail"),
    path(
        "applications/<str:number>/acknowledgement/",
        office.acknowledgement,
        name="acknowledgement",
    ),
    path(
        "applications/<str:number>/documents/<int:document_id>/",
        office.document_download,
        name="document",
    ),
    path("inbox/", office.inbox, name="inbox"),
    path("rtps/", office.rtps, name="rtps"),
    path("track/", public.track, name="track"),
]
