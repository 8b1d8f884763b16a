"""System checks of the accounts (``manage.py check``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Warning


def look_alike_user_names(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Users left without a normalised name by migration 0006, because their name looks like
    an older user's (``Alice``/``alice``, a fullwidth letter): they still log in with exactly
    their own name, but should be renamed."""
    from django.db import DatabaseError

    from .models import User

    try:
        names = list(User.objects.filter(username_key=None).values_list("username", flat=True))
    except DatabaseError:  # not migrated yet
        return []
    if not names:
        return []
    return [Warning(
        "Users whose names look like another user's: " + ", ".join(map(repr, names)),
        hint="Rename them in the admin; until then they log in with exactly their own name.",
        id="core.W001",
    )]
