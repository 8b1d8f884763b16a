from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

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
