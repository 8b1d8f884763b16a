import re
from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    QueryDict,
)

# No inline script or style anywhere: every asset is served by the app itself.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Pages use only these methods; the JSON API also PUT, PATCH and DELETE (and its routes answer
# 405 themselves for a method they do not have). Anything else (TRACE, CONNECT, PROPFIND, ...)
# is 405 everywhere, static files included.
PAGE_METHODS = ("GET", "HEAD", "POST")
API_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class SecurityHeadersMiddleware:
    """The headers every response gets, pages and static files alike (this middleware stands
    outside WhiteNoise): a response that sets its own keeps it (the chart pictures' CSP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


class AllowedMethodsMiddleware:
    """405 with an Allow header for a method no page (or, under /api/, no API route) uses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        allowed = API_METHODS if request.path_info.startswith("/api/") else PAGE_METHODS
        if request.method not in allowed:
            response = HttpResponseNotAllowed(
                allowed, content=b"Method not allowed.\n", content_type="text/plain; charset=utf-8"
            )
            return response
        return self.get_response(request)


# C0 control characters other than tab, line feed and carriage return, and DEL. They cannot be
# typed, break the XML inside XLSX and DOCX exports, and can hide text in a terminal. NUL is
# left to the fields themselves: Django's form fields and the API's schemas already refuse it
# with a message on the field.
CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same characters written as JSON escapes (a raw control character is not valid JSON and
# the API refuses the body anyway).
JSON_CONTROL_ESCAPES = re.compile(rb"\\u00(?:0[1-8bcefBCEF]|1[0-9a-fA-F]|7[fF])")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _any_control_characters(values: QueryDict) -> bool:
    return any(CONTROL_CHARACTERS.search(text) for key in values
               for text in values.getlist(key))


def _has_control_characters(request: HttpRequest) -> bool:
    if _any_control_characters(request.GET):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.content_type or ""
    if content_type in FORM_CONTENT_TYPES:
        return _any_control_characters(request.POST)
    if content_type == "application/json":
        return bool(JSON_CONTROL_ESCAPES.search(request.body))
    return False


class ControlCharactersMiddleware:
    """400 with a clear message, and nothing changed, for text holding control characters.

    Uploaded files are not looked at here: each import checks its own rows (row by row).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_control_characters(request):
            return _control_characters_refused(request)
        return self.get_response(request)


def _control_characters_refused(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import render
    from django.utils.translation import gettext

    message = gettext(
        "The text you sent contains an invisible control character that cannot be accepted. "
        "Remove it (it often comes with text pasted from another program) and try again. "
        "Nothing was changed."
    )
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "core/error.html", {"status": 400, "message": message}, status=400)
