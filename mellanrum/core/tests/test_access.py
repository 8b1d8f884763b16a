"""The organisation-level gate, one role at a time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from mellanrum.conftest import _user
from mellanrum.core import access
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation


def test_a_visitor_reads_nothing_and_changes_nothing(alfa: Organisation) -> None:
    visitor = AnonymousUser()
    assert not access.is_reader(visitor)
    assert not access.can_edit_organisation(visitor, alfa)
    assert not access.can_see_audit_log(visitor, alfa)
    assert not access.editable_organisations(visitor).exists()
    with pytest.raises(PermissionDenied):
        access.require_reader(visitor)


def test_a_reader_reads_but_changes_nothing(bob: User, alfa: Organisation) -> None:
    assert access.is_reader(bob)
    assert not access.can_edit_organisation(bob, alfa)
    assert not access.can_edit_for_some_organisation(bob)
    with pytest.raises(PermissionDenied):
        access.require_edit_organisation(bob, alfa)


def test_an_editor_changes_only_their_own_organisation(alice: User, alfa: Organisation,
                                                      beta: Organisation) -> None:
    assert access.can_edit_organisation(alice, alfa)
    assert not access.can_edit_organisation(alice, beta)
    assert list(access.editable_organisations(alice)) == [alfa]
    assert not access.can_see_audit_log(alice, alfa)


def test_an_administrator_also_reads_their_own_audit_log(alfa: Organisation,
                                                         beta: Organisation) -> None:
    admin = _user("ada", alfa, "admin")
    assert access.can_edit_organisation(admin, alfa)
    assert access.can_see_audit_log(admin, alfa)
    assert not access.can_see_audit_log(admin, beta)
    with pytest.raises(PermissionDenied):
        access.require_audit_log(admin, beta)


def test_an_editor_without_an_organisation_changes_nothing(alfa: Organisation) -> None:
    loner = _user("loner", None, "editor")
    assert not access.can_edit_organisation(loner, alfa)
    assert not access.can_edit_for_some_organisation(loner)


def test_a_superuser_changes_everything(superuser: User, alfa: Organisation,
                                        beta: Organisation) -> None:
    assert access.can_edit_organisation(superuser, beta)
    assert access.can_see_audit_log(superuser, alfa)
    assert set(access.editable_organisations(superuser)) == {alfa, beta}


def test_a_deactivated_user_is_refused_whatever_the_role(alice: User, superuser: User,
                                                         alfa: Organisation) -> None:
    for user in (alice, superuser):
        user.is_active = False
        assert not access.is_reader(user)
        assert not access.can_edit_organisation(user, alfa)
        assert not access.can_see_audit_log(user, alfa)
