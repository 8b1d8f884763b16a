"""The one gate through which views, the API, the CLI and imports fetch landscape objects.

Reading requires a logged-in user; writing requires an editor of the owning organisation or a
superuser (the organisation-level rule of ``core/access.py``). Everything else is refused here,
never by hiding buttons.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mellanrum.core import access as core_access
from mellanrum.core.http import AnyUser
from mellanrum.core.models import User

from .models import Activity, Contact, Organisation


def can_read(user: AnyUser) -> bool:
    return core_access.is_reader(user)


def can_edit(user: AnyUser, organisation: Organisation) -> bool:
    return core_access.can_edit_organisation(user, organisation)


def can_administer(user: AnyUser, organisation: Organisation) -> bool:
    return core_access.can_administer_organisation(user, organisation)


def can_see_audit_log(user: AnyUser, organisation: Organisation) -> bool:
    return core_access.can_see_audit_log(user, organisation)


def require_write(user: User, organisation: Organisation) -> None:
    core_access.require_edit_organisation(user, organisation)


def organisation_by_code(code: str) -> Organisation:
    """The organisation anyone may see; 404 for an unknown code (or one PostgreSQL cannot
    compare, with a NUL character in it)."""
    if "\x00" in code:
        raise Http404
    try:
        return Organisation.objects.get(code=code)
    except Organisation.DoesNotExist:
        raise Http404 from None


def access_organisation(user: User, code: str, *, write: bool = False) -> Organisation:
    organisation = organisation_by_code(code)
    if write:
        require_write(user, organisation)
    return organisation


def access_activity(user: User, pk: int, *, write: bool = False) -> Activity:
    if not can_read(user):
        raise PermissionDenied
    try:
        activity = Activity.objects.select_related("organisation", "category", "owner").get(pk=pk)
    except Activity.DoesNotExist:
        raise Http404 from None
    if write:
        require_write(user, activity.organisation)
    return activity


def access_contact(user: User, pk: int, *, write: bool = False) -> Contact:
    if not can_read(user):
        raise PermissionDenied
    try:
        contact = Contact.objects.select_related("organisation").get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404 from None
    if write:
        require_write(user, contact.organisation)
    return contact


def access_audit_log(user: User, code: str) -> Organisation:
    organisation = access_organisation(user, code)
    core_access.require_audit_log(user, organisation)
    return organisation


def access_organisation_admin(user: AnyUser, code: str) -> Organisation:
    """The organisation, for one of its own administrators (or a superuser) to change facts
    about it such as its web site."""
    organisation = organisation_by_code(code)
    core_access.require_reader(user)
    if not core_access.can_administer_organisation(user, organisation):
        raise PermissionDenied
    return organisation


def administers_association_of(user: AnyUser, organisation: Organisation) -> bool:
    """An administrator of an association (e.g. Storsthlm) that the organisation is a member
    of: such associations record how their members work together."""
    if not core_access.is_reader(user):
        return False
    assert isinstance(user, User)
    if user.role != User.Role.ADMIN or user.organisation_id is None:
        return False
    return organisation.associations.filter(
        pk=user.organisation_id, kind=Organisation.Kind.ASSOCIATION
    ).exists()


def can_edit_arrangement(user: AnyUser, organisation: Organisation) -> bool:
    """Whether the user may record how the organisation does its activities today: its own
    editors, superusers, and administrators of an association it is a member of."""
    if core_access.can_edit_organisation(user, organisation):
        return True
    return administers_association_of(user, organisation)


def can_edit_arrangements_somewhere(user: AnyUser) -> bool:
    if core_access.can_edit_for_some_organisation(user):
        return True
    if not core_access.is_reader(user):
        return False
    assert isinstance(user, User)
    return user.role == User.Role.ADMIN and user.organisation is not None and (
        user.organisation.kind == Organisation.Kind.ASSOCIATION)


def access_activity_arrangement(user: User, pk: int) -> Activity:
    """The activity whose arrangement the user changes; 403 unless `can_edit_arrangement`."""
    activity = access_activity(user, pk)
    if not can_edit_arrangement(user, activity.organisation):
        raise PermissionDenied
    return activity
