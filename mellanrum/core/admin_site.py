"""The admin site, whose log-in page is throttled like every other door (core.login)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from .login import refused_response


class MellanrumAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None
              ) -> HttpResponse:
        return refused_response(request, super().login(request, extra_context))
