"""The user's own account page: who they are, their password and their personal API keys."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mellanrum.core.http import AuthenticatedHttpRequest

from . import actions, api_tokens


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the key"), max_length=100,
        help_text=gettext_lazy("What the key is for, e.g. the script or system that uses it."),
    )
    lifetime_days = forms.TypedChoiceField(
        label=gettext_lazy("Valid for"), coerce=int, initial=90,
        choices=[(days, gettext_lazy("%(days)s days") % {"days": days})
                 for days in api_tokens.LIFETIME_DAYS],
    )


def _account_page(request: AuthenticatedHttpRequest, form: ApiKeyForm,
                  new_key: str = "", status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form, "new_key": new_key,
        "tokens": request.user.api_tokens.all(),
        "max_keys": api_tokens.MAX_KEYS_PER_USER,
    }
    return render(request, "core/account.html", context, status=status)


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET shows the account; POST makes a key (shown once, on this answer) or revokes one."""
    if request.method != "POST":
        return _account_page(request, ApiKeyForm())
    if "revoke" in request.POST:
        return _revoke(request)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    try:
        _token, key = actions.do_create_api_token(
            request.user, name=form.cleaned_data["name"],
            lifetime_days=form.cleaned_data["lifetime_days"])
    except ValidationError as error:
        form.add_error(None, error)
        return _account_page(request, form, status=400)
    return _account_page(request, ApiKeyForm(), new_key=key)


def _revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    raw = request.POST.get("revoke", "")
    revoked = raw.isdigit() and len(raw) < 12 and actions.do_revoke_api_token(
        request.user, int(raw))
    if revoked:
        messages.success(request, _("The API key is revoked; it no longer works."))
    else:
        messages.error(request, _("No such API key of yours; nothing was changed."))
    return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice, the password validators), with a
    message, the audit log and the account page afterwards."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        actions.do_audit_password_change(form.user)
        messages.success(self.request, _("Your password is changed."))
        return response
