"""Public tracking by application number and mobile: the same answer for any mismatch.

Only lookups that do not match count towards the limits (``ratelimit``): a kiosk doing
correct lookups for many citizens is never blocked.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sahayata.applications.ratelimit import RateLimited, lookup_guard, lookup_missed
from sahayata.applications.selectors import application_track, application_track_outcome
from sahayata.applications.workflows import state_label


def track(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("application_no", "").strip()
    mobile = request.GET.get("mobile", "").strip()
    context: dict[str, object] = {"number": number, "mobile": mobile}
    status = 200
    if number and mobile:
        try:
            lookup_guard(request, scope="track", subject=number)
        except RateLimited as error:
            context["error"] = error.message
            response = render(request, "applications/track.html", context, status=429)
            response["Retry-After"] = str(error.details["retry_after_seconds"])
            return response
        application = application_track(number=number, mobile=mobile)
        if application is None:
            lookup_missed(request, scope="track", subject=number)
            context["not_found"] = True
            status = 404
        else:
            context["application"] = application
            context["status_label"] = state_label(application.status)
            context["certificate"] = getattr(application, "certificate", None)
            context["outcome"] = application_track_outcome(application=application)
    return render(request, "applications/track.html", context, status=status)
