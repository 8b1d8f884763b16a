"""Log-in with throttling against password guessing."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(request: HttpRequest) -> str:
    username = (request.POST.get("username") or "").strip().casefold()[:150]
    # Per user name, whatever the address: guessing one account from many addresses is
    # throttled too. The cost is that an attacker can lock a name out for 15 minutes.
    # Hashed, because a typed name may hold spaces or control characters no cache key may.
    return f"login-failures:{hashlib.sha256(username.encode()).hexdigest()}"


class ThrottledLoginView(auth_views.LoginView):
    template_name = "core/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if cache.get(_key(request), 0) >= MAX_FAILURES:
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed log-ins for this user name. Wait 15 minutes and try again."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        key = _key(self.request)
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        cache.delete(_key(self.request))
        return super().form_valid(form)
