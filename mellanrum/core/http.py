"""Request types for type checking views.

Django builds plain ``HttpRequest`` objects. A view behind ``login_required``, or an API
operation behind the API's authentication, only ever sees a logged-in ``User``; annotating its
request as ``AuthenticatedHttpRequest`` tells mypy so, instead of ``User | AnonymousUser``.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from mellanrum.core.models import User

# Who a public page may be shown to: a logged-in user or an anonymous visitor.
AnyUser = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view that requires login: its user is a logged-in ``User``."""

    user: User
