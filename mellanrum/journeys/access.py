"""The one gate for life events.

Everyone, logged in or not, may read the catalogue (it is public knowledge, and the public
finder is built on it). Changing it requires a superuser or a user granted the
``journeys.change_lifeevent`` permission (a "catalogue editor", given in the admin).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mellanrum.core import access as core_access
from mellanrum.core.models import User

from .models import LifeEvent


def can_edit_catalogue(user: User | AnonymousUser) -> bool:
    if core_access.is_superuser(user):
        return True
    if not core_access.is_reader(user):
        return False
    return user.has_perm("journeys.change_lifeevent")


def require_catalogue_editor(user: User | AnonymousUser) -> User:
    """The user, if they may edit the catalogue."""
    if not isinstance(user, User) or not can_edit_catalogue(user):
        raise PermissionDenied
    return user


def access_life_event(user: User | AnonymousUser, slug: str, *, write: bool = False) -> LifeEvent:
    if write:
        require_catalogue_editor(user)
    try:
        return LifeEvent.objects.get(slug=slug)
    except LifeEvent.DoesNotExist:
        raise Http404 from None
