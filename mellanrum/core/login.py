"""Log-in with throttling against password guessing, the same at every door.

Every way to present a password (the log-in page, ``/admin/login/``, HTTP Basic on the API)
goes through ``django.contrib.auth.authenticate`` and so through ``ThrottlingBackend``, which
asks ``check_attempt`` before it looks at the password. The policy, with its numbers and the
reasons for them, is in docs/security.md; in short:

* failures count against the *normalised* user name (``normalise_username``: NFKC and
  case-folding, so ``ｈud_ed`` and ``HUD_ED`` are ``hud_ed``) and against the client address;
* per account: ``FREE_FAILURES`` failures within ``ACCOUNT_WINDOW``, then each further attempt
  waits ``BASE_DELAY`` doubled per failure, at most ``MAX_DELAY`` — a delay, never a lockout;
* per address, across all user names: at most ``ADDRESS_LIMIT`` failures in ``ADDRESS_WINDOW``;
* a user who logged in from this address within ``KNOWN_ADDRESS_DAYS`` (or who has a valid
  session as that user) is not slowed down by failures from elsewhere: only their own failures
  from this address count, by the same schedule.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import LoginFailure, LoginSuccess, User, normalise_username

FREE_FAILURES = 5
BASE_DELAY = timedelta(seconds=15)
MAX_DELAY = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=1)
ADDRESS_LIMIT = 30
ADDRESS_WINDOW = timedelta(minutes=15)
KNOWN_ADDRESS_DAYS = 30
# A known address's time is refreshed at most this often (HTTP Basic logs in on every call).
SUCCESS_REFRESH = timedelta(hours=1)

__all__ = [
    "LoginThrottled", "ThrottlingBackend", "ThrottledLoginView", "check_attempt",
    "client_address", "delay_after", "name_hash", "throttle_message",
]


def name_hash(username: str) -> str:
    """The stored form of a user name: a hash of its normalised form, so that the table holds
    no typed names (which may be mistyped passwords)."""
    return hashlib.sha256(normalise_username(username).encode()).hexdigest()


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from: REMOTE_ADDR, or, behind ``TRUSTED_PROXY_COUNT``
    reverse proxies, the entry the outermost of them appended to X-Forwarded-For (entries
    further left are written by the client and not trusted). An IPv6 address counts as its /64
    network, since one machine usually has a whole /64 to choose from."""
    if request is None:
        return ""
    meta = request.META
    address = str(meta.get("REMOTE_ADDR", "") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [p.strip() for p in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")
                     if p.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a misconfigured proxy: count what it wrote, as printable ASCII
        return "".join(c for c in address if c.isascii() and c.isprintable())[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def delay_after(failures: int) -> timedelta:
    """How long an attempt must wait after the last failure, with this many failures counted:
    none for the first FREE_FAILURES, then BASE_DELAY doubled per failure, at most MAX_DELAY."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 20)
    return min(BASE_DELAY * (1 << doublings), MAX_DELAY)


@dataclass(frozen=True)
class Refusal:
    """An attempt refused before its password was checked, and when to try again."""

    retry_after: int  # whole seconds, at least 1
    reason: str  # "account" or "address"


class LoginThrottled(Exception):
    """Raised (for the API) when an attempt is refused; carries the refusal."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"too many failed log-ins ({refusal.reason})")
        self.refusal = refusal


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def _delay_refusal(failures: QuerySet[LoginFailure], now: datetime) -> Refusal | None:
    summary = failures.aggregate(last=Max("at"))
    count = failures.count()
    wait = delay_after(count)
    if not wait or summary["last"] is None:
        return None
    until = summary["last"] + wait
    return Refusal(_seconds(until - now), "account") if until > now else None


def _is_trusted(request: HttpRequest | None, key_hash: str, address: str,
                now: datetime) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        if name_hash(user.get_username()) == key_hash:
            return True
    return bool(address) and LoginSuccess.objects.filter(
        name_hash=key_hash, address=address, at__gte=now - timedelta(days=KNOWN_ADDRESS_DAYS)
    ).exists()


def check_attempt(request: HttpRequest | None, key_hash: str, address: str,
                  *, before_id: int | None = None) -> Refusal | None:
    """Whether an attempt for this user name from this address must wait; None lets it
    through. Only failures stored before ``before_id`` count (the attempt's own row is not)."""
    now = timezone.now()
    failures = LoginFailure.objects.all()
    if before_id is not None:
        failures = failures.filter(pk__lt=before_id)
    recent = failures.filter(at__gte=now - ACCOUNT_WINDOW)
    if _is_trusted(request, key_hash, address, now):
        # Only this user's own failures from this address slow this user down here.
        return _delay_refusal(recent.filter(name_hash=key_hash, address=address), now)
    if address:
        from_address = failures.filter(address=address, at__gte=now - ADDRESS_WINDOW)
        if from_address.count() >= ADDRESS_LIMIT:
            ordered = from_address.order_by("-at").values_list("at", flat=True)
            oldest_counted = ordered[ADDRESS_LIMIT - 1]
            refusal = Refusal(_seconds(oldest_counted + ADDRESS_WINDOW - now), "address")
            return refusal
    return _delay_refusal(recent.filter(name_hash=key_hash), now)


def door_of(request: HttpRequest | None) -> str:
    path = getattr(request, "path_info", "") or ""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "form"


class ThrottlingBackend(ModelBackend):
    """``ModelBackend`` that finds users by normalised name and throttles every attempt.

    Before the password is checked, the attempt is written as a failure (so attempts running
    in parallel see each other) and ``check_attempt`` decides whether it may go on; a refused
    attempt is removed again, marked on the request (``request.login_refusal``) for the door
    to answer 429, and stops ``authenticate`` (PermissionDenied). A successful attempt removes
    its row and remembers the address; a failed one keeps it and goes to the audit trail.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        from .actions import (
            do_forget_login_attempt,
            do_record_login_failure,
            do_record_login_success,
        )

        key_hash = name_hash(username)
        address = client_address(request)
        door = door_of(request)
        attempt = do_record_login_failure(key_hash, address=address, door=door,
                                          window=ACCOUNT_WINDOW)
        refusal = check_attempt(request, key_hash, address, before_id=attempt.pk)
        if refusal is not None:
            do_forget_login_attempt(attempt)
            if request is not None:
                setattr(request, "login_refusal", refusal)  # noqa: B010 (not a declared attribute)
            raise PermissionDenied("too many failed log-ins")
        user = None
        if "\x00" not in username:  # PostgreSQL refuses NUL in a query: no such user
            user = super().authenticate(request, username=username, password=password)
        if user is not None:
            do_forget_login_attempt(attempt)
            do_record_login_success(key_hash, address=address, refresh=SUCCESS_REFRESH,
                                    known_for=timedelta(days=KNOWN_ADDRESS_DAYS))
            return user
        from .actions import do_audit_login_failure

        do_audit_login_failure(username, door=door, address=address, name_hash=key_hash)
        return None


def throttle_message(refusal: Refusal) -> str:
    minutes = math.ceil(refusal.retry_after / 60)
    if refusal.retry_after < 60:
        wait = ngettext("%(count)d second", "%(count)d seconds", refusal.retry_after) % {
            "count": refusal.retry_after}
    else:
        wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if refusal.reason == "address":
        return _("Too many failed log-ins from your network. Wait %(wait)s and try again.") % {
            "wait": wait}
    return _("Too many failed log-ins for this user name. Wait %(wait)s and try again.") % {
        "wait": wait}


def refused_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Turn a log-in page's answer into 429 with the reason, when the attempt was refused."""
    refusal: Refusal | None = getattr(request, "login_refusal", None)
    if refusal is None:
        return response
    context = getattr(response, "context_data", None) or {}
    form = context.get("form")
    if form is not None:
        form.errors.clear()
        form.add_error(None, throttle_message(refusal))
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response


class ThrottledLoginView(auth_views.LoginView):
    template_name = "core/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refused_response(request, super().post(request, *args, **kwargs))
