from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from mellanrum.landscape.models import AuditEntry, Organisation

from .models import User


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
    AuditEntry.objects.create(
        organisation=organisation, action="user.create", object_repr=username,
        detail={"role": role, "superuser": str(superuser)},
    )
    return user
