"""The start-up warm-up (``core/warm_up.py``): the per-process caches are filled before Gunicorn
forks, and nothing in it can stop the server from starting or change what a page shows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.template import engines
from django.test import Client

from mellanrum.core import warm_up
from mellanrum.core.models import AuditEntry
from mellanrum.engines.journeys import finder
from mellanrum.landscape.models import Organisation


@contextmanager
def _database_kept_open() -> Iterator[None]:
    """As Django's test client does: a request served through the WSGI handler would close
    the test's database connection when it finishes."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def test_every_template_of_the_apps_is_compiled_once() -> None:
    names = warm_up.template_names()
    assert "landscape/organisation_detail.html" in names
    assert "base.html" in names or any(n.endswith("/base.html") for n in names)
    loaded = warm_up.compile_templates()
    assert loaded >= len([n for n in names if n.endswith(".html")]) - 5
    # Django's cached loader now answers from memory: the compiled object is the same one.
    engine = engines["django"]
    first = getattr(engine.get_template("landscape/organisation_detail.html"), "template")  # noqa: B009 (the backend's wrapper does not declare it)
    again = getattr(engine.get_template("landscape/organisation_detail.html"), "template")  # noqa: B009
    assert first is again


@pytest.mark.django_db
def test_the_public_pages_are_served_once_per_language_and_fill_the_finder(
        alfa: Organisation, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["mellanrum.example.se"]
    finder._finder.cache_clear()
    app = get_wsgi_application()
    with _database_kept_open():
        answered = warm_up.warm_pages(app, ["/", f"/organisationer/{alfa.code}/",
                                            "/hitta/?place=Alfa&q=hemtj%C3%A4nst"])
    assert answered == 3 * len(settings.LANGUAGES)
    assert finder._finder.cache_info().currsize >= 1


@pytest.mark.django_db
def test_pages_are_warmed_behind_an_https_proxy_with_a_domain_wildcard(
        alfa: Organisation, settings: Any) -> None:
    settings.ALLOWED_HOSTS = [".mellanrum.example.se"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    with _database_kept_open():
        answered = warm_up.warm_pages(get_wsgi_application(), ["/organisationer/"])
    assert answered == len(settings.LANGUAGES)  # the pages themselves, not redirects


@pytest.mark.django_db
def test_a_page_that_fails_is_skipped_and_the_rest_still_warm_up() -> None:
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/broken/":
            raise RuntimeError("database not ready")
        start_response("200 OK", [])
        return [b"ok"]

    answered = warm_up.warm_pages(app, ["/broken/", "/"])
    assert answered == 2  # "/" in both languages
    assert seen.count("/") == 2


@pytest.mark.django_db
def test_warming_up_writes_nothing_and_the_pages_are_the_same_afterwards(
        alfa: Organisation) -> None:
    client = Client()
    before = client.get(f"/organisationer/{alfa.code}/").content
    entries = AuditEntry.objects.count()
    with _database_kept_open():
        warm_up.warm_up(get_wsgi_application(), ["/", f"/organisationer/{alfa.code}/"])
    assert AuditEntry.objects.count() == entries
    after = client.get(f"/organisationer/{alfa.code}/").content
    assert _without_token(before) == _without_token(after)


def _without_token(page: bytes) -> bytes:
    """The page without its CSRF token (a new one per response)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


@pytest.mark.django_db
def test_the_start_up_warm_up_counts_no_search_and_fills_the_finder(
        alfa: Organisation, settings: Any) -> None:
    from mellanrum.journeys.actions import do_load_catalogue
    from mellanrum.journeys.models import FinderUsage

    settings.ALLOWED_HOSTS = ["mellanrum.example.se"]
    do_load_catalogue()
    finder._finder.cache_clear()
    pages = warm_up.public_pages()
    assert not any(page.startswith("/hitta/") for page in pages)
    with _database_kept_open():
        warm_up.warm_up(get_wsgi_application(), pages)
        warm_up.warm_finder()
    assert finder._finder.cache_info().currsize >= 1
    assert not FinderUsage.objects.exists()
