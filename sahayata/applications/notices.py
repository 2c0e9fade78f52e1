"""The citizen's SMS and e-mail about an application, in Bengali and English.

Every message states the official fee, so that nobody can be overcharged at the counter.
Queued in the caller's transaction through the notifications outbox.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from sahayata.applications.models import Application
from sahayata.applications.workflows import state_label
from sahayata.core.money import format_inr
from sahayata.notifications.services import notification_queue


def _both(render: Any) -> str:
    parts = []
    for lang in ("bn", "en"):
        with translation.override(lang):
            parts.append(render(lang))
    return "\n".join(parts)


def _fee(application: Application, lang: str) -> str:
    if application.fee_paise == 0:
        return _("Official fee: nil (free service).")
    return _("Official fee: %(fee)s.") % {"fee": format_inr(application.fee_paise, lang=lang)}


def _service_name(application: Application, lang: str) -> str:
    service = application.service
    return service.name_bn if lang == "bn" else service.name_en


def _send(application: Application, kind: str, body: str) -> None:
    notification_queue(
        kind=kind,
        reference=application.number,
        body=body,
        mobile=application.citizen.mobile,
        email=application.contact_email,
        subject=f"Sahayata {application.number}",
    )


def notice_submitted(*, application: Application) -> None:
    def render(lang: str) -> str:
        return " ".join(
            [
                _("Application %(no)s for %(service)s received.")
                % {"no": application.number, "service": _service_name(application, lang)},
                _fee(application, lang),
                _("Due by %(date)s.") % {"date": application.due_date.strftime("%d-%m-%Y")},
                _("No service charge is payable at the centre."),
            ]
        )

    _send(application, "submitted", _both(render))


def notice_transition(
    *, application: Application, action: str, comment: str = "", certificate: Any = None
) -> None:
    """Tell the citizen about a decision or a delivery; silent for internal steps."""
    if action not in {"approve", "reject", "return", "confirm", "fail", "withdraw"}:
        return

    def render(lang: str) -> str:
        text = [
            _("Application %(no)s (%(service)s): %(status)s.")
            % {
                "no": application.number,
                "service": _service_name(application, lang),
                "status": state_label(application.status),
            },
            _fee(application, lang),
        ]
        if application.hold == "voided":
            text.append(_("The fee was returned to the centre's wallet; collect it at the centre."))
        if certificate is not None:
            text.append(_("Certificate ID %(id)s.") % {"id": certificate.id})
        if comment and action in {"reject", "return"}:
            text.append(_("Reason: %(comment)s") % {"comment": comment})
        return " ".join(text)

    _send(application, action, _both(render))


def notice_overdue(*, application: Application) -> None:
    def render(lang: str) -> str:
        return _("Application %(no)s is past its due date %(date)s; it has been escalated.") % {
            "no": application.number,
            "date": application.due_date.strftime("%d-%m-%Y"),
        }

    _send(application, "overdue", _both(render))
