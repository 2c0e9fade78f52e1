"""API tokens of users: issued once in clear, stored as SHA-256 hashes, looked up per request.

``sahayata.api.auth`` reads the user of a bearer token through ``user_for_token``, named in
the setting ``SAHAYATA_API_TOKEN_USER``, so that the API library knows no domain model. A
token expires (``SAHAYATA_API_TOKEN_DAYS``, 90 by default) and can be revoked; either is
a ``401`` that says which (``details.reason``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sahayata.audit.context import api_token_used
from sahayata.audit.services import event_record
from sahayata.core.errors import Unauthenticated
from sahayata.people.models import ApiToken, User

TOKEN_PREFIX = "sah_"  # noqa: S105 - a public marker that makes leaked tokens greppable, not a secret
# The hot path writes last_used_at at most this often per token.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


class TokenExpired(Unauthenticated):
    default_message = _("This API token has expired: ask for a new one.")


class TokenRevoked(Unauthenticated):
    default_message = _("This API token has been revoked.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(
    *, user: User, actor: User | None = None, lifetime: dt.timedelta | None = None
) -> str:
    """Create a token for ``user`` valid for ``lifetime`` (default: the setting's days) and
    return it in clear, once (``actor``: who asked, None for the command line)."""
    if lifetime is None:
        lifetime = dt.timedelta(days=settings.SAHAYATA_API_TOKEN_DAYS)
    if lifetime <= dt.timedelta(0):
        raise ValueError("a token's lifetime must be positive")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        created = ApiToken.objects.create(
            user=user,
            key_hash=hash_token(token),
            prefix=token[:8],
            expires_at=timezone.now() + lifetime,
        )
        event_record(
            action="api_token.create",
            object_type="api_token",
            object_id=created.pk,
            actor=actor,
            after={
                "user_id": user.pk,
                "username": user.username,
                "prefix": created.prefix,
                "expires_at": created.expires_at.isoformat(),
            },
        )
    return token


def user_for_token(token: str) -> User | None:
    """The user of a live token; ``None`` for an unknown one (or an inactive user's), and
    ``TokenExpired``/``TokenRevoked`` (401) for one that no longer works."""
    found = (
        # The user's centre comes with it: a counter's request names that centre, and
        # ``wallet.selectors.centre_visible`` then needs no query of its own.
        ApiToken.objects.select_related("user__centre__district")
        .filter(key_hash=hash_token(token), user__is_active=True)
        .first()
    )
    if found is None:
        return None
    api_token_used(found.pk)
    now = timezone.now()
    if found.revoked_at is not None:
        raise TokenRevoked(details={"reason": "token_revoked"})
    if found.expires_at <= now:
        raise TokenExpired(details={"reason": "token_expired"})
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
