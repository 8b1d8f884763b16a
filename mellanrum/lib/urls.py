"""Absolute links the product writes (calendar files, exports, e-mails, survey invitations).

They are built from ``settings.SITE_ROOT``, never from the request: the Host header is written
by the client, so a link built from it could point anywhere (a poisoned link in a calendar file
or an invitation sent on by someone else).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

__all__ = ["site_host", "site_url"]


def site_url(path: str) -> str:
    """The absolute address of a path of this installation (``/traffar/3/`` →
    ``https://mellanrum.example.se/traffar/3/``)."""
    return settings.SITE_ROOT.rstrip("/") + "/" + path.lstrip("/")


def site_host() -> str:
    """The host name of this installation, from SITE_ROOT (for identifiers such as a calendar
    event's UID)."""
    return urlsplit(settings.SITE_ROOT).hostname or "localhost"
