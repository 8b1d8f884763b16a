"""A clear 503 instead of a stack trace while the database is unreachable, then recovery.

Place it right after WhiteNoiseMiddleware, before SessionMiddleware: everything that can touch
the database (sessions, authentication, messages, views, templates) then runs inside it, while
SecurityMiddleware still adds its headers to the 503.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger("mellanrum.database")

RETRY_AFTER_SECONDS = 10
API_DETAIL = "The database is temporarily unavailable. Try again in a moment."
# The page links only the app's own stylesheet and icon, served without the database.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
DATABASE_ERRORS = (OperationalError, InterfaceError)
_FLAG = "_mellanrum_database_unavailable"


def is_database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, DATABASE_ERRORS)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as exc:
            # Raised by an inner middleware whose 500 handler failed too.
            return unavailable_response(request, exc)
        if response.status_code == 500 and getattr(request, _FLAG, None) is not None:
            # An inner middleware failed on the database and Django rendered a 500 page.
            return unavailable_response(request, getattr(request, _FLAG))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Exceptions from views and template rendering.
        if is_database_unavailable(exception):
            return unavailable_response(request, exception)
        return None


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.error("Database unavailable during %s %s: %s", request.method, request.path, exc)
    reset_connections()
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": API_DETAIL}, status=503)
    else:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            # No request in the context, so no context processor (user, messages) runs.
            html = render_to_string("core/database_unavailable.html")
        response = HttpResponse(html, status=503)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def reset_connections() -> None:
    """Close this thread's connections so the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DATABASE_ERRORS:
            # The connection is already broken; drop it so Django reconnects.
            connection.connection = None


def _remember_database_error(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    exc = sys.exc_info()[1]
    if request is not None and is_database_unavailable(exc):
        setattr(request, _FLAG, exc)


got_request_exception.connect(_remember_database_error, dispatch_uid="mellanrum.database")
