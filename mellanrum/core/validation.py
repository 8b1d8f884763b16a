"""Model validation shared by the apps' actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def full_clean_refusing_nul(obj: models.Model, exclude: list[str] | None = None,
                            **kwargs: Any) -> None:
    """`full_clean` plus a refusal of NUL characters in text, which PostgreSQL cannot store.

    SQLite would store them, so without this check the same input would pass on one database
    and fail with a server error on the other.
    """
    errors = {
        f.name: [_("Remove the invisible control character (NUL) from the text.")]
        for f in obj._meta.concrete_fields
        if isinstance(getattr(obj, f.attname, None), str) and "\x00" in getattr(obj, f.attname)
    }
    if errors:
        raise ValidationError(errors)
    obj.full_clean(exclude=exclude, **kwargs)
