"""Each role's landing (/start/, after login) and the consoles of the district nodal
officer (/district/) and the auditor (/audit/)."""

from django.urls import path

from sahayata.consoles import views

app_name = "consoles"
urlpatterns = [
    path("start/", views.start, name="start"),
    path("district/", views.district_console, name="district"),
    path("audit/", views.audit_console, name="audit"),
    path("audit/checks/", views.audit_checks, name="audit_checks"),
    path("audit/trail/", views.audit_trail, name="audit_trail"),
    path("audit/trail.csv", views.audit_trail_csv, name="audit_trail_csv"),
]
