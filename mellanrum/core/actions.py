from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.landscape.models import Organisation

from .models import ApiToken, AuditEntry, LoginFailure, LoginSuccess, User, normalise_username


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


def _check_new_api_token(user: User, name: str) -> str:
    """The rules every new key follows, whoever makes it; returns the name to store."""
    from . import api_tokens
    from .middleware import CONTROL_CHARACTERS

    name = name.strip()
    if not name:
        raise ValidationError(_("Give the key a name, e.g. what the script that uses it does."))
    if "\x00" in name or CONTROL_CHARACTERS.search(name):  # as the middleware refuses them
        raise ValidationError(_(
            "The text you sent contains an invisible control character that cannot be "
            "accepted. Remove it (it often comes with text pasted from another program) and "
            "try again. Nothing was changed."))
    if not user.is_active:
        raise ValidationError(_("The user is not active, so a key would not work."))
    if user.api_tokens.count() >= api_tokens.MAX_KEYS_PER_USER:
        raise ValidationError(
            _("You already have %(count)s API keys; revoke one you no longer use first.")
            % {"count": api_tokens.MAX_KEYS_PER_USER}
        )
    return name[:100]


def _store_api_token(user: User, *, name: str, expires_at: datetime,
                     acting_user: User | None, **detail: Any) -> tuple[ApiToken, str]:
    from . import api_tokens

    key = api_tokens.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[: api_tokens.SHOWN_PREFIX_LENGTH],
        key_hash=api_tokens.key_hash(key), expires_at=expires_at,
    )
    record_audit(acting_user, None, "core.api_token.create", token.name,
                 prefix=token.prefix, owner=user.get_username(), **detail)
    return token, key


@transaction.atomic
def do_create_api_token(user: User, *, name: str, lifetime_days: int) -> tuple[ApiToken, str]:
    """Make a personal API key for `user` (the user's own request, on the account page);
    returns the stored token and the key itself, which is shown once and never stored."""
    from . import api_tokens

    name = _check_new_api_token(user, name)
    if lifetime_days not in api_tokens.LIFETIME_DAYS:
        raise ValidationError(_("Choose one of the offered lifetimes."))
    return _store_api_token(user, name=name,
                            expires_at=timezone.now() + timedelta(days=lifetime_days),
                            acting_user=user, days=lifetime_days)


@transaction.atomic
def do_create_api_token_until(user: User, *, name: str, expires_on: date,
                              acting_user: User | None) -> tuple[ApiToken, str]:
    """Make an API key for `user` on an operator's behalf (``mellanrum apikey create``) under
    the account page's rules; it stops working when `expires_on` begins (Swedish time), which
    is after today and at most the longest lifetime the account page offers away."""
    from . import api_tokens

    name = _check_new_api_token(user, name)
    today = timezone.localdate()
    longest = max(api_tokens.LIFETIME_DAYS)
    if expires_on <= today:
        raise ValidationError(_("The expiry date must be after today."))
    if expires_on > today + timedelta(days=longest):
        raise ValidationError(
            _("An API key lives at most %(days)s days: choose an expiry date no later than "
              "%(date)s.") % {"days": longest,
                              "date": (today + timedelta(days=longest)).isoformat()})
    expires_at = timezone.make_aware(datetime.combine(expires_on, time()))
    return _store_api_token(user, name=name, expires_at=expires_at, acting_user=acting_user,
                            expires_on=expires_on.isoformat())


def _revoke_api_token(token: ApiToken, acting_user: User | None) -> None:
    token.delete()
    record_audit(acting_user, None, "core.api_token.revoke", token.name,
                 prefix=token.prefix, owner=token.user.get_username())


@transaction.atomic
def do_revoke_api_token(user: User, token_id: int) -> bool:
    """Revoke one of `user`'s own API keys; False (and nothing changed) for any other id."""
    token = ApiToken.objects.select_related("user").filter(user=user, pk=token_id).first()
    if token is None:
        return False
    _revoke_api_token(token, user)
    return True


@transaction.atomic
def do_revoke_any_api_token(token_id: int, *, acting_user: User | None) -> ApiToken | None:
    """Revoke any user's API key as an operator (``mellanrum apikey revoke``, the admin
    site): like the owner's revoking, the key is deleted and stops working at once. Returns
    the revoked key, or None (and nothing changed) for an unknown id."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        return None
    _revoke_api_token(token, acting_user)
    return token


def do_note_api_token_use(token: ApiToken, *, at: datetime) -> None:
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)


def do_audit_password_change(user: User) -> None:
    record_audit(user, None, "core.password.change", user.get_username())
