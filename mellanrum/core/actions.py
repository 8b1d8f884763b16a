from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mellanrum.landscape.models import Organisation

from .models import AuditEntry, LoginFailure, User


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
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"a user called {username!r} already exists")
    user = User(
        username=username, email=email, organisation=organisation, role=role,
        is_superuser=superuser, is_staff=superuser,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    record_audit(None, organisation, "user.create", username, role=role, superuser=superuser)
    return user


def do_record_login_failure(name_hash: str, *, window: timedelta) -> None:
    """Count one failed log-in for a user name (hashed); failures older than the window go."""
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - window).delete()
    LoginFailure.objects.create(name_hash=name_hash, at=now)


def do_clear_login_failures(name_hash: str) -> None:
    """A successful log-in starts the count for that user name afresh."""
    LoginFailure.objects.filter(name_hash=name_hash).delete()
