"""Smaller holes (issue 13, point 4): static files carry the pages' security headers, unused
methods get 405, and absolute links are built from SITE_ROOT, never from the Host header."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from mellanrum.community import actions as community
from mellanrum.conftest import PASSWORD
from mellanrum.core.middleware import CONTENT_SECURITY_POLICY
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation
from mellanrum.lib.urls import site_host, site_url

STATIC = ["/static/mellanrum/site.css", "/static/mellanrum/favicon.svg",
          "/static/vendor/htmx-2.0.4.min.js"]


@pytest.mark.parametrize("path", STATIC)
def test_static_files_carry_the_same_security_headers_as_pages(client: Client, path: str,
                                                               db: None) -> None:
    page = client.get("/om/")
    static = client.get(path)
    assert static.status_code == 200
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                   "Referrer-Policy", "Permissions-Policy"):
        assert static.get(header) == page.get(header), header
    assert static["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in static["Content-Security-Policy"]
    assert static["X-Frame-Options"] == "DENY"
    assert static["X-Content-Type-Options"] == "nosniff"
    assert static["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "PUT", "PATCH", "DELETE",
                                    "OPTIONS", "TRACK", "MKCOL"])
@pytest.mark.parametrize("path", ["/", "/konto/logga-in/", "/admin/login/", STATIC[0],
                                  "/organisationer/", "/no-such-page/"])
def test_methods_no_page_uses_get_405(client: Client, method: str, path: str,
                                      db: None) -> None:
    response = client.generic(method, path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert response["X-Frame-Options"] == "DENY"  # the headers are there on a 405 too


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "TRACK"])
def test_methods_no_api_route_uses_get_405_on_the_api(client: Client, method: str,
                                                      db: None) -> None:
    response = client.generic(method, "/api/organisations")
    assert response.status_code == 405
    assert "PUT" in response["Allow"] and "TRACE" not in response["Allow"]


def test_api_routes_keep_their_methods(client: Client, alice: User) -> None:
    client.login(username="alice", password=PASSWORD)
    # DELETE and PUT reach the API, which answers for its own routes (here: no such row).
    assert client.delete("/api/initiatives/999999/ledger/1").status_code == 404
    assert client.put("/api/initiatives/999999/economics", "{}",
                      content_type="application/json").status_code in {404, 422}
    assert client.get("/api/organisations").status_code == 200
    assert client.head("/").status_code == 200


@override_settings(ALLOWED_HOSTS=["*"], SITE_ROOT="https://mellanrum.example.se")
def test_the_calendar_file_links_to_site_root_whatever_the_host_header(
    client: Client, alice: User, alfa: Organisation
) -> None:
    start = timezone.now() + datetime.timedelta(days=30)
    event = community.do_create_event(
        acting_user=alice, organiser=alfa, title="Seminarium", description="",
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), place="Stadshuset",
        is_digital=False, online_url="", network=None, capacity=None,
        registration_deadline=None,
    )
    text = client.get(f"/traffar/{event.pk}/kalender.ics", HTTP_HOST="evil.example",
                      HTTP_X_FORWARDED_HOST="evil2.example").content.decode()
    assert f"URL:https://mellanrum.example.se/traffar/{event.pk}/" in text
    assert f"UID:event-{event.pk}@mellanrum.example.se" in text
    assert "evil" not in text


@override_settings(SITE_ROOT="https://mellanrum.example.se/")
def test_site_url_joins_site_root_and_a_path() -> None:
    assert site_url("/traffar/3/") == "https://mellanrum.example.se/traffar/3/"
    assert site_url("traffar/3/") == "https://mellanrum.example.se/traffar/3/"
    assert site_host() == "mellanrum.example.se"


def test_no_product_code_builds_a_link_from_the_request_host() -> None:
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and re.search(r"build_absolute_uri|get_host\(|HTTP_HOST|HTTP_X_FORWARDED_HOST",
                      path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
