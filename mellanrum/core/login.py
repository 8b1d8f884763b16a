"""Log-in with throttling against password guessing."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .actions import do_clear_login_failures, do_record_login_failure
from .models import LoginFailure

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def _name_hash(request: HttpRequest) -> str:
    username = (request.POST.get("username") or "").strip().casefold()[:150]
    # Per user name, whatever the address: guessing one account from many addresses is
    # throttled too. The cost is that an attacker can lock a name out for 15 minutes.
    # Hashed, so that the table holds no typed names (which may be mistyped passwords).
    return hashlib.sha256(username.encode()).hexdigest()


def recent_failures(name_hash: str) -> int:
    return LoginFailure.objects.filter(name_hash=name_hash,
                                       at__gte=timezone.now() - WINDOW).count()


class ThrottledLoginView(auth_views.LoginView):
    template_name = "core/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if recent_failures(_name_hash(request)) >= MAX_FAILURES:
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed log-ins for this user name. Wait 15 minutes and try again."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        do_record_login_failure(_name_hash(self.request), window=WINDOW)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        do_clear_login_failures(_name_hash(self.request))
        return super().form_valid(form)
