"""The organisation-level gate: may this user read, or change, an organisation's data?

Every app's ``access.py`` builds on these predicates, so the rule is written once:

- anonymous and deactivated users are not readers;
- superusers change every organisation's data;
- editors and administrators change their own organisation's data, and nobody else's;
- readers change nothing;
- an organisation's audit log is read by superusers and that organisation's administrators.

The audit log itself (``AuditEntry``, ``record_audit``) lives beside this module, in
``core/models.py`` and ``core/actions.py``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from mellanrum.landscape.models import Organisation

from .http import AnyUser
from .models import User

__all__ = ["AnyUser"]  # re-exported: the type every predicate here takes


def is_reader(user: AnyUser) -> bool:
    """A logged-in, active user: the least anyone needs to read what is not public."""
    if not user.is_authenticated:
        return False
    return bool(user.is_active)


def has_editor_role(user: AnyUser) -> bool:
    """An active editor or administrator (of whatever organisation they belong to)."""
    if not is_reader(user):
        return False
    assert isinstance(user, User)
    return user.role in {User.Role.EDITOR, User.Role.ADMIN}


def is_superuser(user: AnyUser) -> bool:
    if not is_reader(user):
        return False
    return bool(user.is_superuser)


def belongs_to(user: AnyUser, organisation: Organisation) -> bool:
    if not is_reader(user):
        return False
    assert isinstance(user, User)
    if user.organisation_id is None:
        return False
    return bool(user.organisation_id == organisation.pk)


def can_edit_organisation(user: AnyUser, organisation: Organisation) -> bool:
    """Whether the user may change the organisation's data (activities, contacts, ...)."""
    if is_superuser(user):
        return True
    if not has_editor_role(user):
        return False
    return belongs_to(user, organisation)


def can_edit_for_some_organisation(user: AnyUser) -> bool:
    """Whether the user may create things on behalf of at least one organisation."""
    if is_superuser(user):
        return True
    if not has_editor_role(user):
        return False
    assert isinstance(user, User)
    return user.organisation_id is not None


def editable_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """The organisations whose data the user may change."""
    if is_superuser(user):
        return Organisation.objects.all()
    if not can_edit_for_some_organisation(user):
        return Organisation.objects.none()
    assert isinstance(user, User) and user.organisation_id is not None
    return Organisation.objects.filter(pk=user.organisation_id)


def can_see_audit_log(user: AnyUser, organisation: Organisation) -> bool:
    return can_administer_organisation(user, organisation)


def can_administer_organisation(user: AnyUser, organisation: Organisation) -> bool:
    """Superusers, and the organisation's own administrators: facts about the organisation
    itself (its web site) and its audit log."""
    if is_superuser(user):
        return True
    if not is_reader(user):
        return False
    assert isinstance(user, User)
    if user.role != User.Role.ADMIN:
        return False
    return belongs_to(user, organisation)


def require_reader(user: AnyUser) -> None:
    if not is_reader(user):
        raise PermissionDenied


def require_edit_organisation(user: AnyUser, organisation: Organisation) -> None:
    require_reader(user)
    if not can_edit_organisation(user, organisation):
        raise PermissionDenied


def require_audit_log(user: AnyUser, organisation: Organisation) -> None:
    require_reader(user)
    if not can_see_audit_log(user, organisation):
        raise PermissionDenied
