"""Writes about people: staff users with one role each, and citizens.

Every write checks its input and raises a ``DomainError`` with a stable code; nothing
is written when a check fails.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sahayata.audit.services import event_record, event_record_soon
from sahayata.catalogue.models import Department
from sahayata.core.errors import Conflict, InvalidInput
from sahayata.core.savepoints import atomic_step
from sahayata.core.text import has_control_characters, name_clean, name_mixes_scripts
from sahayata.people.models import CENTRE_ROLES, ApiToken, Citizen, Role, User
from sahayata.people.roles import require_role
from sahayata.people.rules import (
    aadhaar_hmac,
    aadhaar_mask,
    normalise_aadhaar,
    normalise_mobile,
)
from sahayata.places.models import Centre, District


class InvalidMobile(InvalidInput):
    code = "invalid_mobile"
    default_message = _("Enter a 10-digit Indian mobile number.")


class InvalidAadhaar(InvalidInput):
    code = "invalid_aadhaar"
    default_message = _("This is not a valid 12-digit Aadhaar number.")


class InvalidName(InvalidInput):
    code = "invalid_name"
    default_message = _("Enter the citizen's name.")


class DuplicateCitizen(Conflict):
    code = "duplicate_citizen"
    default_message = _("A citizen with this Aadhaar number is already registered.")


class InvalidRole(InvalidInput):
    code = "invalid_role"
    default_message = _("Unknown role.")


class RoleNeedsCentre(InvalidInput):
    code = "role_needs_centre"
    default_message = _("Operators and centre supervisors need a centre.")


class RoleNeedsDepartment(InvalidInput):
    code = "role_needs_department"
    default_message = _("Department officers need a department.")


class RoleNeedsDistrict(InvalidInput):
    code = "role_needs_district"
    default_message = _("District nodal officers need a district.")


class RoleTakesNoPlace(InvalidInput):
    code = "role_mismatch"
    default_message = _("This role does not take a centre, department or district.")


class WeakPassword(InvalidInput):
    code = "weak_password"
    default_message = _("This password is too weak.")


class DuplicateUsername(Conflict):
    code = "duplicate_username"
    default_message = _("This username is already taken.")


def aadhaar_hash(digits: str) -> str:
    return aadhaar_hmac(digits, key=settings.SAHAYATA_AADHAAR_HMAC_KEY)


def _citizen_details(*, name_en: str, name_bn: str, mobile: str, gender: str) -> dict[str, str]:
    """Checked and normalised names, mobile and gender of a citizen."""
    if has_control_characters((name_en or "") + (name_bn or "")):
        raise InvalidName(details={"problem": "control_character"})
    name_en = name_clean(name_en)
    name_bn = name_clean(name_bn)
    if not name_en and not name_bn:
        raise InvalidName()
    if name_mixes_scripts(name_en) or name_mixes_scripts(name_bn):
        raise InvalidName(details={"problem": "mixed_script"})
    normalised_mobile = normalise_mobile(mobile)
    if normalised_mobile is None:
        raise InvalidMobile(details={"field": "mobile"})
    if gender not in ("", *Citizen.Gender.values):
        raise InvalidInput(details={"field": "gender"})
    return {
        "name_en": name_en or name_bn,
        "name_bn": name_bn,
        "mobile": normalised_mobile,
        "gender": gender,
    }


def _aadhaar_fields(aadhaar: str, *, other_than: int | None = None) -> dict[str, str]:
    """The masked form and keyed hash of a valid, not yet registered Aadhaar number."""
    digits = normalise_aadhaar(aadhaar)
    if digits is None:
        raise InvalidAadhaar(details={"field": "aadhaar"})
    hashed = aadhaar_hash(digits)
    others = Citizen.objects.filter(aadhaar_hmac=hashed)
    if other_than is not None:
        others = others.exclude(pk=other_than)
    if others.exists():
        # No id in the error: the operator opens the citizen by the exact-match search.
        raise DuplicateCitizen()
    return {"aadhaar_masked": aadhaar_mask(digits), "aadhaar_hmac": hashed}


def _citizen_audited(citizen: Citizen) -> dict[str, Any]:
    """What the audit trail keeps of a citizen: never the Aadhaar hash, only its mask."""
    return {
        "name_en": citizen.name_en,
        "name_bn": citizen.name_bn,
        "mobile": citizen.mobile,
        "gender": citizen.gender,
        "date_of_birth": citizen.date_of_birth,
        "district_id": citizen.district_id,
        "aadhaar_masked": citizen.aadhaar_masked,
    }


def user_audited(user: User) -> dict[str, Any]:
    """What the audit trail keeps of a staff user (never the password hash)."""
    return {
        "username": user.username,
        "role": user.role,
        "centre_id": user.centre_id,
        "department_id": user.department_id,
        "district_id": user.district_id,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def citizen_register(
    *,
    name_en: str,
    name_bn: str = "",
    mobile: str,
    gender: str = "",
    date_of_birth: datetime.date | None = None,
    aadhaar: str | None = None,
    district: District | None = None,
    registered_centre: Centre | None = None,
    actor: User | None = None,
) -> Citizen:
    """Register a citizen (``actor``: the operator at the counter). Only the masked
    Aadhaar and its keyed hash are stored.

    A second registration with the same Aadhaar raises ``DuplicateCitizen``, which names
    no one: whoever registers finds the citizen by the exact Aadhaar or mobile number.
    ``registered_centre`` (the counter's centre) lets its operators find them by name.
    """
    details = _citizen_details(name_en=name_en, name_bn=name_bn, mobile=mobile, gender=gender)
    identity = _aadhaar_fields(aadhaar) if aadhaar else {}
    try:
        with atomic_step():  # no savepoint inside the API's own (core.savepoints)
            citizen = Citizen.objects.create(
                **details,
                **identity,
                date_of_birth=date_of_birth,
                district=district,
                registered_centre=registered_centre,
            )
            event_record_soon(  # with the submission's own events when it gathers them
                action="citizen.register",
                object_type="citizen",
                object_id=citizen.pk,
                actor=actor,
                after=_citizen_audited(citizen),
            )
            return citizen
    except IntegrityError:
        if not identity:
            raise
        # A concurrent registration with the same Aadhaar won the unique index.
        _aadhaar_fields(aadhaar or "")
        raise


def citizen_update(
    *,
    citizen: Citizen,
    name_en: str,
    name_bn: str = "",
    mobile: str,
    gender: str = "",
    date_of_birth: datetime.date | None = None,
    district: District | None = None,
    aadhaar: str | None = None,
    actor: User | None = None,
) -> Citizen:
    """Correct a citizen's details. A new ``aadhaar`` replaces the masked form and hash;
    None keeps the current one."""
    details = _citizen_details(name_en=name_en, name_bn=name_bn, mobile=mobile, gender=gender)
    with transaction.atomic():
        citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
        before = _citizen_audited(citizen)
        identity = _aadhaar_fields(aadhaar, other_than=citizen.pk) if aadhaar else {}
        for name, value in {**details, **identity}.items():
            setattr(citizen, name, value)
        citizen.date_of_birth = date_of_birth
        citizen.district = district
        citizen.save()
        event_record(
            action="citizen.update",
            object_type="citizen",
            object_id=citizen.pk,
            actor=actor,
            before=before,
            after=_citizen_audited(citizen),
        )
        return citizen


def user_role_check(
    role: str,
    centre: Centre | None,
    department: Department | None,
    district: District | None,
) -> None:
    """Raise unless the role has the place it needs (and none it does not take)."""
    if role not in Role.values:
        raise InvalidRole(details={"role": role, "roles": list(Role.values)})
    if role in CENTRE_ROLES:
        if centre is None:
            raise RoleNeedsCentre()
        if department is not None:
            raise RoleTakesNoPlace(details={"field": "department"})
        # Centre staff belong to their centre's district, always.
        if district is not None and district.pk != centre.district_id:
            raise RoleTakesNoPlace(details={"field": "district"})
    elif role == Role.OFFICER:
        if department is None:
            raise RoleNeedsDepartment()
        if centre is not None:
            raise RoleTakesNoPlace(details={"field": "centre"})
    elif role == Role.DISTRICT:
        if district is None:
            raise RoleNeedsDistrict()
        if centre is not None or department is not None:
            raise RoleTakesNoPlace()
    elif centre is not None or department is not None or district is not None:
        raise RoleTakesNoPlace()


def user_create(
    *,
    username: str,
    role: str,
    password: str = "",
    password_hash: str | None = None,
    centre: Centre | None = None,
    department: Department | None = None,
    district: District | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "bn",
    actor: User | None = None,
) -> User:
    """Create a staff user with one role.

    Operators and supervisors belong to a centre (and so to its district), officers to a
    department, district nodal officers to a district; the others to none. Administrators
    may use the Django admin. ``actor`` (when a person, not a command, creates the user)
    must be an administrator. ``password_hash`` (an already hashed password, instead of
    ``password``) lets the demo and the simulator create thousands of users quickly.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    username = (username or "").strip()
    if not username or has_control_characters(username):
        raise InvalidInput(_("Enter a username."), details={"field": "username"})
    user_role_check(role, centre, department, district)
    if centre is not None:
        district = centre.district
    if password_hash is not None:
        try:
            identify_hasher(password_hash)
        except ValueError:
            raise WeakPassword(details={"field": "password_hash"}) from None
    else:
        candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise WeakPassword(details={"problems": [str(m) for m in exc.messages]}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise DuplicateUsername(details={"username": username})
    is_admin = role == Role.ADMIN
    fields: dict[str, Any] = {
        "username": username,
        "role": role,
        "centre": centre,
        "department": department,
        "district": district,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "preferred_language": preferred_language,
        "is_staff": is_admin,
        "is_superuser": is_admin,
    }
    try:
        with transaction.atomic():
            user = User(**fields)
            if password_hash is not None:
                user.password = password_hash
            else:
                user.set_password(password)
            user.save()
            event_record(
                action="user.create",
                object_type="user",
                object_id=user.pk,
                actor=actor,
                after=user_audited(user),
            )
            return user
    except IntegrityError:
        raise DuplicateUsername(details={"username": username}) from None


def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoke a token now; a revoked token never authenticates again."""
    if actor is not None and actor.pk != token.user_id:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            event_record(
                action="api_token.revoke",
                object_type="api_token",
                object_id=token.pk,
                actor=actor,
                before={"revoked": False, "user_id": token.user_id, "prefix": token.prefix},
                after={"revoked": True},
            )
    token.refresh_from_db()
    return token
