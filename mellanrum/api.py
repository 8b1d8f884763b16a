"""The JSON API, described by OpenAPI at /api/openapi.json and documented at /api/docs."""

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.security import HttpBasicAuth, HttpBearer, SessionAuth

from mellanrum.benefits.api import router as benefits_router
from mellanrum.benefits.ledger_api import router as ledger_router
from mellanrum.collaborations.api import router as collaborations_router
from mellanrum.collaborations.consent_api import router as consent_router
from mellanrum.commonality.api import router as commonality_router
from mellanrum.community.api import router as community_router
from mellanrum.core.login import LoginThrottled
from mellanrum.core.models import User
from mellanrum.health.api import router as health_router
from mellanrum.journeys.api import router as journeys_router
from mellanrum.kolada.api import router as kolada_router
from mellanrum.landscape.actions import EditConflict
from mellanrum.landscape.api import router as landscape_router


class BasicAuth(HttpBasicAuth):
    """Username and password, for scripts; use it only over HTTPS."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> User | None:
        from django.contrib.auth import authenticate

        user = authenticate(request, username=username, password=password)
        refusal = getattr(request, "login_refusal", None)
        if refusal is not None:
            raise LoginThrottled(refusal)
        if user is not None and user.is_active:
            request.user = user
            return user
        return None


class ApiKeyAuth(HttpBearer):
    """A personal API key (``Authorization: Bearer mlr_...``), made on the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from mellanrum.core.api_tokens import user_for_key

        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The browser session, with its CSRF check. A request without a session cookie is left
    to HTTP Basic: scripts send no cookie, and checking CSRF first refused all their writes."""

    def __call__(self, request: HttpRequest) -> User | None:
        if self.param_name not in request.COOKIES:
            return None
        return super().__call__(request)


class VendoredSwagger(Swagger):
    """Swagger UI from the app's own static files (core/static/vendor/), never from a CDN, and
    started by a static script, so the page works under the site's Content-Security-Policy."""

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            # "</" cannot end the JSON block early.
            "swagger_settings": json.dumps(settings).replace("</", "<\\/"),
            "schema_url": settings["url"],
            "add_csrf": True,
        }
        return render(request, "core/api_docs.html", context)


api = NinjaAPI(
    title="Mellanrum API",
    version="1",
    description="Organisations and their activities. Reading requires login (a personal API "
    "key as `Authorization: Bearer mlr_...`, made on the account page; or HTTP Basic); writing "
    "requires an editor of the organisation concerned.",
    auth=[BrowserSessionAuth(), ApiKeyAuth(), BasicAuth()],
    docs=VendoredSwagger(settings={"deepLinking": False, "layout": "BaseLayout"}),
    docs_url="/docs",
    urls_namespace="api",
)
api.add_router("/", landscape_router)
api.add_router("/", benefits_router)
api.add_router("/", commonality_router)
api.add_router("/", journeys_router)
api.add_router("/", collaborations_router)
api.add_router("/", ledger_router)
api.add_router("/", consent_router)
api.add_router("/", health_router)
api.add_router("/", community_router)
api.add_router("/", kolada_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": "You may not change this organisation's data."}, status=403
    )


@api.exception_handler(LoginThrottled)
def login_throttled(request: HttpRequest, exc: LoginThrottled) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Too many failed log-ins; wait and try again.",
         "retry_after": exc.refusal.retry_after},
        status=429,
    )
    response["Retry-After"] = str(exc.refusal.retry_after)
    return response


@api.exception_handler(EditConflict)
def edit_conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "The activity was changed by someone else; fetch it again and retry."},
        status=409,
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)
