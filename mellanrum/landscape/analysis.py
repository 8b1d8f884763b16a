"""The landscape's adapter to the commonality engine's rules about an activity's nature."""

from __future__ import annotations

from mellanrum.engines.commonality.nature import default_nature

from .models import Activity


def effective_nature(activity: Activity) -> tuple[str, bool]:
    """(nature, set by a person) of an activity; the default comes from its category, kind
    and name."""
    if activity.nature:
        return activity.nature, True
    category = activity.category.code if activity.category_id and activity.category else ""
    return default_nature(category, activity.kind, activity.name, activity.legal_basis), False
