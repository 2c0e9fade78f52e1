"""Public tracking by application number and mobile: the same answer for any mismatch."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sahayata.applications.ratelimit import RateLimited, rate_limit_check
from sahayata.applications.selectors import application_track
from sahayata.applications.workflows import state_label


def track(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("application_no", "").strip()
    mobile = request.GET.get("mobile", "").strip()
    context: dict[str, object] = {"number": number, "mobile": mobile}
    status = 200
    if number and mobile:
        try:
            rate_limit_check(request, scope="track")
        except RateLimited as error:
            context["error"] = error.message
            return render(request, "applications/track.html", context, status=429)
        application = application_track(number=number, mobile=mobile)
        if application is None:
            context["not_found"] = True
            status = 404
        else:
            context["application"] = application
            context["status_label"] = state_label(application.status)
            context["certificate"] = getattr(application, "certificate", None)
    return render(request, "applications/track.html", context, status=status)
