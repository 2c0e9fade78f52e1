"""Role checks that every service calls before it changes anything.

A user has exactly one role (``User.role``). Checks live here so that the HTML views,
the JSON API, the commands and the simulator enforce the same rules.
"""

from __future__ import annotations

from typing import Any

from sahayata.core.errors import PermissionDenied
from sahayata.people.models import CENTRE_ROLES, Role, User


def has_role(user: Any, *roles: str) -> bool:
    """True when ``user`` is an active staff ``User`` whose role is one of ``roles``."""
    return isinstance(user, User) and user.is_active and user.role in roles


def require_role(user: Any, *roles: str) -> User:
    """Return ``user`` if its role is one of ``roles``; raise PermissionDenied otherwise."""
    if not has_role(user, *roles):
        raise PermissionDenied(details={"allowed_roles": [str(role) for role in roles]})
    return user


def is_centre_staff(user: Any, centre: Any) -> bool:
    """An operator or the supervisor of this very centre."""
    return (
        has_role(user, *CENTRE_ROLES)
        and centre is not None
        and user.centre_id == getattr(centre, "pk", centre)
    )


def is_centre_operator(user: Any, centre: Any) -> bool:
    return has_role(user, Role.OPERATOR) and user.centre_id == getattr(centre, "pk", centre)


def is_department_officer(user: Any, department: Any) -> bool:
    """An officer of this department."""
    return (
        has_role(user, Role.OFFICER)
        and department is not None
        and user.department_id == getattr(department, "pk", department)
    )


def is_district_nodal(user: Any, district: Any) -> bool:
    return (
        has_role(user, Role.DISTRICT)
        and district is not None
        and user.district_id == getattr(district, "pk", district)
    )


def is_finance(user: Any) -> bool:
    return has_role(user, Role.FINANCE)


def is_auditor(user: Any) -> bool:
    return has_role(user, Role.AUDITOR)


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def can_view_centre(user: Any, centre: Any) -> bool:
    """Who may see a centre's own records (wallet, applications): its staff, the nodal
    officer of its district, finance, the auditor and the administrator."""
    if is_centre_staff(user, centre):
        return True
    if has_role(user, Role.FINANCE, Role.AUDITOR, Role.ADMIN):
        return True
    return has_role(user, Role.DISTRICT) and user.district_id == getattr(
        centre, "district_id", None
    )


def require_centre_staff(user: Any, centre: Any, *roles: str) -> User:
    """``user`` if it is an operator or supervisor (or one of ``roles``) of ``centre``."""
    allowed = roles or CENTRE_ROLES
    if not (has_role(user, *allowed) and is_centre_staff(user, centre)):
        raise PermissionDenied()
    return user


def require_department_officer(user: Any, department: Any) -> User:
    """``user`` if it is an officer of ``department``."""
    if not is_department_officer(user, department):
        raise PermissionDenied()
    return user
