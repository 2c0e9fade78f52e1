"""Public tracking by application number and mobile: the same answer for any mismatch.

Only lookups that do not match count towards the limits (``ratelimit``): a kiosk doing
correct lookups for many citizens is never blocked.

The lookup is a POST (with the CSRF token): the citizen's mobile number never sits in a
URL, so it reaches neither the access log nor the history of a shared counter PC, and the
answer is never cached. A GET only shows the form (with the number from a QR code); a
GET with a mobile in it is redirected to the address without it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sahayata.applications.ratelimit import RateLimited, lookup_guard, lookup_missed
from sahayata.applications.selectors import application_track, application_track_outcome
from sahayata.applications.workflows import state_label


def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and "mobile" in request.GET:
        # An old link or a typed address: drop the mobile from the address (and from every
        # link on the page that repeats it, such as the language switch) before answering.
        keep = {"application_no": request.GET.get("application_no", "")[:40]}
        return redirect(reverse("applications:track") + "?" + urlencode(keep), permanent=False)
    response = _track(request)
    response["Cache-Control"] = "private, no-store"
    return response


def _track(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    number = source.get("application_no", "").strip()[:40]
    # A mobile in a GET's query string is ignored: looking it up would invite the habit.
    mobile = request.POST.get("mobile", "").strip()[:16] if request.method == "POST" else ""
    context: dict[str, object] = {"number": number}
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
