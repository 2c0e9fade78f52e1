"""Who may do what, and who may see what: the one policy that every path calls.

A user has exactly one role (``User.role``). The HTML views, the JSON API, the exports,
the commands and the simulator all ask here, so that they enforce the same rules:

- ``require_role``: may this user take this kind of action at all (else 403);
- ``centre_scope``: whose centre records (wallet, statement, top-ups) the user may see;
- ``application_scope``: whose applications the user may see.

The table of every role against every action, with its reach, is ``people.policy``;
the two scopes here are read from it.

Something outside a user's scope is "not found" (404), never "forbidden": a user is not
told that it exists. The selectors turn a scope into a query (``Scope.q``) and check one
row against it (``Scope.covers``); a test proves the two agree for every role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sahayata.core.errors import PermissionDenied
from sahayata.people.models import User


def has_role(user: Any, *roles: str) -> bool:
    """True when ``user`` is an active staff ``User`` whose role is one of ``roles``."""
    return isinstance(user, User) and user.is_active and user.role in roles


def staff_user(user: Any) -> User:
    """``user`` (``request.user``) as a staff ``User``. Login and token authentication see
    to it before a view runs; should they not, this refuses rather than going on."""
    if not isinstance(user, User):
        raise PermissionDenied()
    return user


def require_role(user: Any, *roles: str) -> User:
    """Return ``user`` if its role is one of ``roles``; raise PermissionDenied otherwise."""
    if not has_role(user, *roles):
        raise PermissionDenied(details={"allowed_roles": [str(role) for role in roles]})
    return user


@dataclass(frozen=True)
class Scope:
    """The part of the network a user may see: all of it, nothing, or what belongs to one
    centre, one district or one department (at most one of the three ids is set)."""

    everything: bool = False
    centre_id: int | None = None
    district_id: int | None = None
    department_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and (
            self.centre_id is None and self.district_id is None and self.department_id is None
        )

    def q(
        self,
        *,
        centre: str = "centre_id",
        district: str = "centre__district_id",
        department: str = "department_id",
    ) -> Q:
        """The rows in scope, for a model whose centre, district and department are reached
        through these lookups (for ``Centre`` itself: ``centre="pk", district="district_id"``)."""
        if self.everything:
            return Q()
        if self.centre_id is not None:
            return Q((centre, self.centre_id))
        if self.district_id is not None:
            return Q((district, self.district_id))
        if self.department_id is not None:
            return Q((department, self.department_id))
        return Q(pk__in=[])

    def covers(
        self,
        *,
        centre_id: int | None = None,
        district_id: int | None = None,
        department_id: int | None = None,
    ) -> bool:
        """Whether one row (its centre, its centre's district, its department) is in scope,
        as ``q`` would say of it."""
        if self.everything:
            return True
        if self.centre_id is not None:
            return centre_id == self.centre_id
        if self.district_id is not None:
            return district_id == self.district_id
        if self.department_id is not None:
            return department_id == self.department_id
        return False


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def centre_scope(user: Any) -> Scope:
    """Whose centre records (wallet, statement, top-ups) ``user`` may see: the reach of
    ``wallet.view`` in ``people.policy`` (operators and the supervisor their own centre, a
    district nodal officer the centres of the district, finance, auditors and
    administrators every centre; a department officer none: it sees the centre of an
    application through the application, never its wallet)."""
    from sahayata.people import policy

    return policy.scope(user, "wallet.view")


def application_scope(user: Any) -> Scope:
    """Whose applications ``user`` may see: the reach of ``application.view`` in
    ``people.policy`` (an officer those of the department; finance none: it reconciles
    money and needs no citizen's file; everyone else those of the centres it sees)."""
    from sahayata.people import policy

    return policy.scope(user, "application.view")
