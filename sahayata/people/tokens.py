"""API tokens of users: issued once in clear, stored as SHA-256 hashes, looked up per request.

``sahayata.api.auth`` reads the user of a bearer token through ``user_for_token``, named in
the setting ``SAHAYATA_API_TOKEN_USER``, so that the API library knows no domain model.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from sahayata.audit.context import api_token_used
from sahayata.audit.services import event_record
from sahayata.people.models import ApiToken, User

TOKEN_PREFIX = "sah_"  # noqa: S105 - a public marker that makes leaked tokens greppable, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: User, actor: User | None = None) -> str:
    """Create a token for ``user`` and return it in clear, once (``actor``: who asked,
    None for the command line)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        created = ApiToken.objects.create(user=user, key_hash=hash_token(token), prefix=token[:8])
        event_record(
            action="api_token.create",
            object_type="api_token",
            object_id=created.pk,
            actor=actor,
            after={"user_id": user.pk, "username": user.username, "prefix": created.prefix},
        )
    return token


def user_for_token(token: str) -> User | None:
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    api_token_used(found.pk)
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
