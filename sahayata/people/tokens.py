"""API tokens of users: issued once in clear, stored as SHA-256 hashes, looked up per request.

``sahayata.api.auth`` reads the user of a bearer token through ``user_for_token``, named in
the setting ``SAHAYATA_API_TOKEN_USER``, so that the API library knows no domain model.
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from sahayata.people.models import ApiToken, User

TOKEN_PREFIX = "sah_"  # noqa: S105 - a public marker that makes leaked tokens greppable, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User) -> str:
    """Create a token for ``user`` and return it in clear, once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=hash_token(token), prefix=token[:8])
    return token


def user_for_token(token: str) -> User | None:
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
