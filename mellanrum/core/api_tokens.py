"""Personal API keys: how they look, how they are stored and how a request's key is checked.

A key is ``mlr_`` and 43 random URL-safe characters (256 bits), so guessing one is hopeless
and no throttle is needed; only its SHA-256 is stored, so a copy of the database does not
give access. Writes (making, revoking, noting use) go through ``core.actions``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken, User

KEY_PREFIX = "mlr_"
KEY_SHAPE = re.compile(r"mlr_[A-Za-z0-9_-]{43}")
SHOWN_PREFIX_LENGTH = 10
LIFETIME_DAYS = (30, 90, 365)
MAX_KEYS_PER_USER = 10
# Noting every use would be a write per API call; once an hour is enough to see which keys
# are in use.
USE_NOTED_EVERY = timedelta(hours=1)


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_for_key(key: str) -> ApiToken | None:
    """The live key `key` is, with its active user; None for anything else."""
    if not KEY_SHAPE.fullmatch(key):
        return None
    token = (ApiToken.objects.select_related("user", "user__organisation")
             .filter(key_hash=key_hash(key)).first())
    if token is None or token.expires_at <= timezone.now() or not token.user.is_active:
        return None
    return token


def user_for_key(key: str) -> User | None:
    from .actions import do_note_api_token_use

    token = token_for_key(key)
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_NOTED_EVERY:
        do_note_api_token_use(token, at=now)
    return token.user
