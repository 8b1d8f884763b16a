from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mellanrum.landscape.models import Organisation

from .models import AuditEntry, LoginFailure, LoginSuccess, User, normalise_username


def record_audit(
    user: User | None,
    organisation: Organisation | None,
    action: str,
    object_repr: str = "",
    **detail: Any,
) -> None:
    """Write one entry of the audit log: who did what, to which organisation's data."""
    AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        organisation=organisation,
        action=action,
        object_repr=object_repr[:300],
        detail={k: str(v) for k, v in detail.items()},
    )


@transaction.atomic
def do_create_user(
    username: str,
    *,
    password: str,
    organisation: Organisation | None,
    role: str = User.Role.READER,
    email: str = "",
    superuser: bool = False,
) -> User:
    if User.objects.filter(username_key=normalise_username(username)).exists():
        raise ValidationError(
            f"a user called {username!r} already exists, or one whose name differs only in "
            "case or look-alike characters"
        )
    user = User(
        username=username, email=email, organisation=organisation, role=role,
        is_superuser=superuser, is_staff=superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    record_audit(None, organisation, "user.create", username, role=role, superuser=superuser)
    return user


def do_record_login_failure(name_hash: str, *, address: str, door: str,
                            window: timedelta) -> LoginFailure:
    """Count one failed log-in for a user name (hashed) from an address; failures older than
    the window go. Written before the password is checked (see core.login.ThrottlingBackend)."""
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - window).delete()
    return LoginFailure.objects.create(name_hash=name_hash, at=now, address=address[:64],
                                       door=door)


def do_forget_login_attempt(attempt: LoginFailure) -> None:
    """An attempt that was refused before its password was checked, or that succeeded, is
    not a failure."""
    LoginFailure.objects.filter(pk=attempt.pk).delete()


def do_record_login_success(name_hash: str, *, address: str, refresh: timedelta,
                            known_for: timedelta) -> None:
    """Remember that this user name logged in from this address (at most one write per
    ``refresh``, since HTTP Basic logs in on every request)."""
    if not address:
        return
    now = timezone.now()
    if LoginSuccess.objects.filter(name_hash=name_hash, address=address,
                                   at__gte=now - refresh).exists():
        return
    LoginSuccess.objects.update_or_create(name_hash=name_hash, address=address,
                                          defaults={"at": now})
    LoginSuccess.objects.filter(at__lt=now - known_for).delete()  # no longer known


def do_audit_login_failure(username: str, *, door: str, address: str, name_hash: str) -> None:
    """A failed log-in in the audit trail. The typed name is kept only when it names a real
    account (then as that account's own name); otherwise only its hash, since a mistyped
    name may be a password."""
    user = None
    if "\x00" not in username:
        user = User.objects.filter(username_key=normalise_username(username)).first()
    record_audit(
        None, user.organisation if user is not None else None, "login.failed",
        user.username if user is not None else "",
        door=door, address=address, name_hash=name_hash[:16],
    )
