"""The second factor of a staff login: a TOTP device (django-otp) and its recovery codes.

Finance officers and administrators (``SAHAYATA_OTP_REQUIRED_ROLES``) give a code after
the password before any page opens (``people.middleware.SecondFactorMiddleware``). A user
without a confirmed device enrols: a new secret, shown once as a QR code and as text,
confirmed by a code from it; then ten single-use recovery codes (a django-otp static
device) are shown once; only a keyed digest of each is stored (``recovery_code_digest``),
so a copy of the database logs no one in. Wrong codes are throttled by django-otp (each
failure doubles the wait). An administrator resets another user's devices when one is
lost. Every write here leaves an audit event; no secret and no code goes into one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sahayata.audit.services import event_record
from sahayata.core.errors import InvalidInput
from sahayata.people.models import Role, User
from sahayata.people.roles import require_role

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
_TOTP_CODE = re.compile(r"^\d{6}$")


def second_factor_required(user: Any) -> bool:
    """Whether ``user`` must give a code after the password (by role)."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.role in settings.SAHAYATA_OTP_REQUIRED_ROLES
    )


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()[:32]


RECOVERY_DIGEST_SALT = "sahayata.people.recovery-code"


def recovery_code_digest(user_id: int, code: str) -> str:
    """What is stored for a recovery code: an HMAC under ``SECRET_KEY`` of the user and
    the normalised code, cut to the 16 characters of django-otp's token column (64 bits:
    a guess needs the key; online guesses are throttled). Rotating ``SECRET_KEY`` voids every
    recovery code: the authenticator still works, and a new set is one click away."""
    value = f"{user_id}:{_normalise(code)}"
    return salted_hmac(RECOVERY_DIGEST_SALT, value, algorithm="sha256").hexdigest()[:16]


@dataclass(frozen=True)
class Verification:
    """What a code did: the device it verified, or why not (``wrong`` or ``throttled``)."""

    device: Any = None
    reason: str = ""
    wait_seconds: int = 0
    used_recovery_code: bool = False


def _check(device: Any, code: str) -> Verification:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        return Verification(reason="throttled", wait_seconds=_wait(data))
    if device.verify_token(code):
        return Verification(device=device)
    allowed, data = device.verify_is_allowed()
    return Verification(reason="wrong", wait_seconds=0 if allowed else _wait(data))


def _wait(data: dict[str, Any] | None) -> int:
    if data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        locked_until = data.get("locked_until")
        if locked_until is not None:
            return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return 1


def otp_enrol_begin(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device (made now, with a new random secret, if none): the
    same secret across reloads of the page, so an app that scanned it stays right."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
        return device


def otp_enrol_confirm(*, user: User, code: str) -> tuple[Verification, list[str]]:
    """Confirm the unconfirmed device with a code from it; on success the recovery codes
    are made and returned (to be shown once: only their digests are stored, to be matched)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise InvalidInput(details={"field": "code"})
        result = _check(device, _normalise(code))
        if result.device is None:
            return result, []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_replace(user)
        event_record(
            action="user.otp_enrol",
            object_type="user",
            object_id=user.pk,
            actor=user,
            after={"authenticator": device.pk, "recovery_codes": len(codes)},
        )
        return result, codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.SAHAYATA_OTP_RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_digest(user.pk, t)) for t in codes]
    )
    return codes


def otp_recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new recovery codes for a verified user; the old ones stop working."""
    with transaction.atomic():
        left = recovery_codes_left(user)
        codes = _recovery_codes_replace(user)
        event_record(
            action="user.otp_recovery_codes_renew",
            object_type="user",
            object_id=user.pk,
            actor=user,
            before={"recovery_codes": left},
            after={"recovery_codes": len(codes)},
        )
        return codes


def otp_verify(*, user: User, code: str) -> Verification:
    """Check a login's second factor: six digits against the authenticator, anything else
    against the recovery codes (each works once). django-otp throttles each device."""
    code = _normalise(code)
    with transaction.atomic():
        if _TOTP_CODE.match(code):
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("pk")
                .first()
            )
            return _check(device, code) if device is not None else Verification(reason="wrong")
        recovery = (
            StaticDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if recovery is None:
            return Verification(reason="wrong")
        result = _check(recovery, recovery_code_digest(user.pk, code))
        if result.device is None:
            return result
        event_record(
            action="user.otp_recovery_code_use",
            object_type="user",
            object_id=user.pk,
            actor=user,
            after={"recovery_codes_left": recovery.token_set.count()},
        )
        return Verification(device=recovery, used_recovery_code=True)


def otp_devices_reset(*, user: User, actor: User | None) -> int:
    """Delete every second-factor device of ``user`` (a lost phone): the next login enrols
    again, and a session verified by a deleted device is asked again. ``actor`` must be an
    administrator other than ``user`` (None: a shell command, ``manage.py otp_reset``)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
        if actor.pk == user.pk:
            raise InvalidInput(details={"reason": "own_devices"})
    with transaction.atomic():
        before = {
            "authenticators": TOTPDevice.objects.filter(user=user).count(),
            "recovery_codes": recovery_codes_left(user),
        }
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        event_record(
            action="user.otp_reset",
            object_type="user",
            object_id=user.pk,
            actor=actor,
            actor_label="" if actor is not None else "manage.py otp_reset",
            before=before,
            after={"authenticators": 0, "recovery_codes": 0},
        )
        return int(before["authenticators"])
