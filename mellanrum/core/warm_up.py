"""Start-up warm-up: what every app process would otherwise work out on its first requests.

Run once in the process that loads the app, before Gunicorn forks its workers
(``mellanrum/wsgi.py``), so that the workers start with the caches filled and share those memory
pages with the master process, instead of each filling a copy of its own in its first minutes
(which also made the first minutes of every worker slower). What is filled:

* every template, compiled (Django's cached loader keeps them per process);
* the translation catalogues of every interface language;
* whatever the public pages build on their first view, in every language: the life-event
  catalogue, the directory and an organisation page with its Kolada panels, by serving those
  pages once through the app itself (anonymous GET requests);
* the finder's index (its analyser, lexicon and stems) and the place index, by calling the
  finder directly: its page would count a search.

Nothing here is needed for correctness: a cache left empty is filled by the first request
that needs it, as before. A page that fails to warm up is logged and skipped, so that a
database that is not ready yet never stops the server from starting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.utils import translation

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def template_names() -> list[str]:
    """The names of every template of the installed apps (and the configured directories)."""
    names: set[str] = set()
    for engine in engines.all():
        for directory in getattr(engine, "template_dirs", ()):
            root = Path(directory)
            names.update(str(p.relative_to(root)) for p in root.rglob("*.html") if p.is_file())
    return sorted(names)


def compile_templates() -> int:
    """Loads (and so compiles and caches) every template; returns how many were loaded."""
    from django.template.loader import get_template

    loaded = 0
    for name in template_names():
        try:
            get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a partial of another engine
            continue
        loaded += 1
    return loaded


def load_translations() -> None:
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Organisation")


def _environ(path: str, language: str) -> dict[str, Any]:
    parts = urlsplit(path)
    # A host the app accepts (".example.se" allows example.se itself), over https when the app
    # redirects plain http (SSL_REDIRECT), so that the page itself is served, not a redirect.
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h and h != "*"), "localhost")
    secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443" if secure else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        # No Host header: Django then takes SERVER_NAME and SERVER_PORT as the host.
        "HTTP_ACCEPT_LANGUAGE": language,
        "REMOTE_ADDR": "127.0.0.1",
        **({"HTTP_X_FORWARDED_PROTO": "https"} if secure else {}),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def serve_once(app: WsgiApp, path: str, language: str) -> str:
    """Serves one anonymous GET request through the app; returns its status line."""
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], None]:
        status.append(line)
        return lambda _data: None

    body = app(_environ(path, language), start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return status[0] if status else ""


def warm_pages(app: WsgiApp, paths: Sequence[str]) -> int:
    """Serves each path once in every interface language; returns how many answered 200."""
    answered = 0
    for language, _name in settings.LANGUAGES:
        for path in paths:
            try:
                line = serve_once(app, path, language)
            except Exception:  # never stop the server from starting
                log.warning("warm-up of %s failed", path, exc_info=True)
                continue
            answered += line.startswith("200")
    return answered


def warm_up(app: WsgiApp, paths: Sequence[str] = ()) -> None:
    started = time.monotonic()
    templates = compile_templates()
    load_translations()
    pages = warm_pages(app, paths)
    log.info("warm-up: %d templates, %d pages in %.1f s", templates, pages,
             time.monotonic() - started)


def warm_finder() -> None:
    """The finder's index and the place index, filled by calling the finder itself: the
    finder page counts every search (also an empty one), and a start is not a search."""
    from django.db import DatabaseError

    from mellanrum.journeys import analysis

    try:
        lookup = analysis.lookup_municipality("Stockholm")
        analysis.find_for_place("hemtjänst", lookup.organisation)
    except DatabaseError:  # not migrated yet
        return


def public_pages() -> list[str]:
    """The public pages whose first view fills a per-process cache (the life-event catalogue,
    the directory, an organisation page's panels). None of them writes, except that the life
    events page loads the shipped catalogue into an empty database, as its first visitor
    would."""
    from django.db import DatabaseError

    from mellanrum.journeys.models import LifeEvent
    from mellanrum.landscape.models import Organisation

    pages = ["/", "/om/", "/organisationer/", "/organisationer/?county=01&sort=name",
             "/livshandelser/", "/samverkan/"]
    try:
        municipality = (Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
                        .order_by("code").first())
        event = LifeEvent.objects.order_by("pk").first()
    except DatabaseError:  # not migrated yet: the pages would fail too
        return []
    if municipality is not None:
        pages.append(f"/organisationer/{municipality.code}/")
    if event is not None:
        pages.append(f"/livshandelser/{event.slug}/")
    return pages
