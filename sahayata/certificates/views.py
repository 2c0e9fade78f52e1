"""Certificate pages: public verification (by ID or a scanned QR payload), the public
key, the printable certificate for staff, and revocation by an officer or administrator."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sahayata.applications.selectors import application_field_rows, application_visible_to
from sahayata.applications.views.common import not_found, qr_svg, staff_page
from sahayata.certificates import signing
from sahayata.certificates.selectors import certificate_get, certificate_verify
from sahayata.certificates.services import (
    CertificateNotFound,
    certificate_id_normalise,
    certificate_id_plausible,
    certificate_may_revoke,
    certificate_revoke,
    certificate_token,
    certificate_verify_payload,
)
from sahayata.core.errors import DomainError
from sahayata.core.keys import pem_of
from sahayata.people import policy
from sahayata.people.roles import staff_user


def verify_form(request: HttpRequest) -> HttpResponse:
    """``/verify/``: type an ID, or paste what a QR scanner read."""
    typed = request.GET.get("id", "").strip()
    if typed:
        # Only an ID that could exist gets its own address; anything else (a slash, a NUL
        # byte, another script) is answered here, as the page of an unknown ID would be.
        certificate_id = certificate_id_normalise(typed)
        if not certificate_id_plausible(certificate_id):
            return render(request, "certificates/verify.html", {"unknown_id": typed}, status=404)
        return redirect("certificates:verify_id", certificate_id=certificate_id)
    context: dict[str, object] = {}
    if request.method == "POST":
        payload = request.POST.get("payload", "")[:8000]
        context["payload"] = payload
        context["check"] = certificate_verify_payload(payload)
    return render(request, "certificates/verify.html", context)


def verify_id(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """Where the QR code points. The holder, service and date shown are the verified signed
    payload's, never the row's; the signed token after ``#`` (never sent to the server) is
    checked by ``certificates/verify.js`` in the browser, or posted to ``verify_form``."""
    try:
        certificate = certificate_get(certificate_id=certificate_id)
    except CertificateNotFound:
        return render(
            request, "certificates/verify.html", {"unknown_id": certificate_id}, status=404
        )
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "verification": certificate_verify(certificate)},
    )


def public_key(request: HttpRequest) -> HttpResponse:
    """Every published key, the current one first (PEM blocks one after another);
    ``?format=json`` lists them with their IDs."""
    keys = signing.published_keys()
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "keys": [
                    {
                        "key_id": kid,
                        "current": position == 0,
                        "algorithm": "Ed25519",
                        "pem": pem_of(key),
                    }
                    for position, (kid, key) in enumerate(keys)
                ]
            }
        )
    text = "".join(pem_of(key) for _kid, key in keys)
    response = HttpResponse(text, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="sahayata-certificates-ed25519.pem"'
    response["X-Key-Id"] = keys[0][0]
    response["X-Key-Ids"] = ", ".join(kid for kid, _key in keys)
    return response


@staff_page(*policy.roles_for("application.view"))
def certificate_page(request: HttpRequest, certificate_id: str) -> HttpResponse:
    user = staff_user(request.user)
    try:
        certificate = certificate_get(certificate_id=certificate_id)
    except CertificateNotFound:
        return not_found(request)
    if not application_visible_to(user, certificate.application):
        return not_found(request)
    verify_url = request.build_absolute_uri(
        reverse("certificates:verify_id", args=[certificate.id])
    )
    # The QR holds the verification URL with the signed token after '#': a phone opens
    # the page; an offline checker reads the token and verifies it with the public key.
    return render(
        request,
        "certificates/certificate.html",
        {
            "certificate": certificate,
            "application": certificate.application,
            "field_rows": application_field_rows(certificate.application),
            "qr": qr_svg(f"{verify_url}#{certificate_token(certificate)}", scale=2),
            "verify_url": verify_url,
            "may_revoke": certificate_may_revoke(user, certificate),
        },
    )


@staff_page(*policy.roles_for("certificate.revoke"))
def certificate_revoke_view(request: HttpRequest, certificate_id: str) -> HttpResponse:
    user = staff_user(request.user)
    if request.method != "POST":
        return redirect("certificates:certificate", certificate_id=certificate_id)
    try:
        certificate = certificate_get(certificate_id=certificate_id)
        certificate_revoke(
            certificate=certificate, actor=user, reason=request.POST.get("reason", "")
        )
    except CertificateNotFound:
        return not_found(request)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The certificate is revoked."))
    return redirect("certificates:certificate", certificate_id=certificate_id)
