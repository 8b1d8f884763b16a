"""A cache of whole pages that every app process shares and that a write invalidates at once.

Why: under load the same expensive pages (a concept, ``/samverkan/``, ``/gemensamt/``, an
organisation) are built again and again from data that changed in between far less often
than they were read (docs/benchmarks.md, issue 20).

How it stays correct:

* **Every write is seen.** A wrapper around every database connection of the app
  (``connection.execute_wrappers``, installed when a connection is created) looks at each SQL
  statement that goes through Django: the ORM, ``queryset.update()``, ``bulk_create()``, raw
  SQL through ``connection.cursor()``, migrations. A statement that writes a table bumps that
  table's counter in the ``core_dataversion`` table once its transaction has committed (at once
  outside a transaction); a statement whose table cannot be read from it (DDL, anything
  unusual) bumps the counter of everything (``*``, a fresh random number). The counters live
  in the database, so every app process sees the same ones; a bump is an atomic
  ``version + 1``. Writes that bypass Django (a backup restored through ``psql``) call
  ``bump_everything()`` afterwards, as does ``post_migrate``.
* **New rows.** A plain insert bumps counters of new rows (``t+``, and per organisation),
  not the table's: a page that could not show a new row of that organisation, or that reads
  its rows only by their key, stays valid (``page_rows.py``).
* **A page is keyed by what it read.** While a page is built, the same wrapper notes every
  table its SELECTs read; the page is stored under a key made of the request (view, path
  with its query string, language, HTMX or not), the viewer (user id and every field of the
  user but ``last_login``; anonymous), and the counters of exactly the tables it read, plus
  ``*``, as they were *before* the page was built. Which tables a page read is kept beside it
  (its "manifest"), so the next request can work out the key before building anything. A write
  committed while a page was being built only makes that page's key older, never wrong.
* **Order.** The counter is bumped after the write committed and before the writer's response
  is sent, so a request that starts after a write's response reads the new counter and misses
  any page built before the write. (If a process dies between its commit and its bump, the
  pages that read those tables stay as they were until the next write of them.)
* **What is never cached**: anything but a GET or HEAD with status 200 and an HTML body; a
  request with messages waiting to be shown; a response that set a cookie; a page whose
  building wrote anything (e.g. a statistic counted on view); a page built while a
  per-process cache fed it data that the counters do not cover, or that depends on the clock
  more finely than the day the key holds: a task still running, whose progress lives in its
  process's memory and which is declared lost when its heartbeat grows old without any write
  (``uncacheable()``).
* **CSRF tokens** in a stored page are replaced by a placeholder and each hit gets the
  visitor's own token, as Django would have written it.
* **Pages kept for a kind of viewer.** A view may name (``cached_page(shared=…)``) a kind of
  logged-in viewer who all see the same page but for who they are (an initiative's page for
  every user of the same role whose organisation takes no part in it): the page is kept once
  for the kind, with the header's account menu (``core/_account.html``) and the signatures of
  private chart addresses left out and made for each response's own viewer. A page in which
  the viewer's name, e-mail address or organisation shows anyway is not kept for the kind.

Pages are stored in a file cache beside the chart pictures (``CACHES["pages"]``), shared by all
processes of the installation; entries expire after a day only to bound the disk, not for
correctness. ``PAGE_CACHE = False`` turns it off (the test suite does, except where a test
turns it on to prove it right).
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, overload

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import DatabaseError, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils import timezone, translation

from . import page_rows

log = logging.getLogger(__name__)

TABLE = "core_dataversion"
EVERYTHING = "*"
# Tables whose writes change nothing a cached page shows: the sessions (read before any page
# is built, by the middleware) and the counters themselves.
IGNORED = frozenset({TABLE, "django_session"})
SECONDS = 24 * 3600
# Changed whenever what a page depends on is counted differently (2: new rows, page_rows.py),
# so that no page kept by an older version is served after an upgrade.
KEY_FORMAT = 2

_WRITE_RE = re.compile(
    r'^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE)
_READ_ONLY_RE = re.compile(
    r"^\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|EXPLAIN|PRAGMA|VALUES)\b",
    re.IGNORECASE)
# A table a statement reads, with the alias Django may give it (``"t" T3``, ``"t" U0``).
_TABLES_RE = re.compile(r'\b(?:FROM|JOIN)\s+("?)(\w+)"?(?:\s+(?:AS\s+)?"?([A-Z]\d+)"?\b)?',
                        re.IGNORECASE)
# A column named with its table or alias, as Django names every column: "t"."c", T3."c".
_COLUMNS_RE = re.compile(r'(?:"(\w+)"|\b([A-Z]\d+))\."(\w+)"')
_COUNT_RE = re.compile(r'^\s*SELECT\s+COUNT\(\*\)\s+AS\s+"__count"\s+FROM', re.IGNORECASE)
# Django's update of the log-in time (``update_last_login``): shown on no page.
_LAST_LOGIN_RE = re.compile(
    r'^\s*UPDATE\s+"core_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE\s+"core_user"\."id"\s*=\s*%s\s*$',
    re.IGNORECASE)
_SET_COLUMN_RE = re.compile(r'"(\w+)"\s*=')
_TOKEN_RE = re.compile(r"\b[A-Za-z0-9]{64}\b")
_PLACEHOLDER = "\x00csrf\x00"
# In a page kept for every viewer of a kind (``cached_page(shared=…)``): where the header's
# account menu goes, and the signature of each private chart's address (lib/charts.py), both
# made again for each response's own viewer.
ACCOUNT = "\x00account\x00"
_SIGNATURE = "\x00signature\x00"
_CHART_ADDRESS_RE = re.compile(r"(/diagram/([0-9a-f]{64})\.svg)\?a=[A-Za-z0-9_:\-\x00]+")

_local = threading.local()


# --- Seeing the writes and the reads ------------------------------------------------------
#
# What is counted are "atoms": a table's set of rows ("t": bumped by every INSERT and DELETE,
# and by an UPDATE whose columns cannot be told), each of its columns ("t.c": bumped by an
# UPDATE that sets it) and any of its columns ("t.*": bumped by every UPDATE). A page that read
# columns c and d of t depends on "t", "t.c" and "t.d"; one that read t without naming its
# columns depends on "t" and "t.*". So an edit of an activity's description leaves the pages
# that never read a description as they were.

def _set_clause(sql: str, start: int) -> str:
    """The SET clause of an UPDATE: from ``start`` to its WHERE outside any parentheses."""
    depth, quoted = 0, False
    upper = sql.upper()
    for i in range(start, len(sql)):
        char = sql[i]
        if char in "\"'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and upper.startswith("WHERE", i) and sql[i - 1].isspace():
            return sql[start:i]
    return sql[start:]


def _written(sql: str, params: Any = None, many: bool = False) -> set[str] | None:
    """The atoms a statement changes ({EVERYTHING} if it may write and it is unclear what),
    or None if it only reads."""
    match = _WRITE_RE.match(sql)
    if match:
        verb, table = match.group(1).upper(), match.group(2)
        if table in IGNORED or _LAST_LOGIN_RE.match(sql):
            return None
        if verb == "UPDATE":
            at = re.search(r"\bSET\b", sql[match.end():], re.IGNORECASE)
            columns = (_SET_COLUMN_RE.findall(_set_clause(sql, match.end() + at.end()))
                       if at else [])
            if columns:
                return {f"{table}.*", *(f"{table}.{column}" for column in columns)}
            return {table, f"{table}.*"}
        if verb.startswith("REPLACE") or " OR " in verb:
            return {table, f"{table}.*"}
        return page_rows.inserted(sql, params, many) or {table}
    if _READ_ONLY_RE.match(sql):
        # ``WITH … UPDATE`` and ``SELECT … INTO`` write; anything with a write keyword after a
        # read-only start is taken as a write of everything, to be safe.
        if re.search(r"\b(?:INSERT|UPDATE|DELETE)\b", sql, re.IGNORECASE) and not re.search(
                r"\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b", sql, re.IGNORECASE):
            return {EVERYTHING}
        return None
    return {EVERYTHING}


def _read(sql: str, params: Any = None) -> set[str]:
    """The atoms a SELECT depends on: its tables' rows (and the new rows it can see,
    ``page_rows``) and the columns it names."""
    return set(_tables_and_columns(sql)) | page_rows.new_rows_read(sql, params)


# Worked out once per distinct SQL text: a page's statements repeat from request to request.
@functools.lru_cache(maxsize=1024)
def _tables_and_columns(sql: str) -> frozenset[str]:
    tables: dict[str, str] = {}  # the name or alias a table is referred to by -> the table
    named: set[str] = set()
    for quote, table, alias in _TABLES_RE.findall(sql):
        tables[alias or table] = table
        if not quote:
            named.add(table)  # a hand-written statement: its columns cannot be told
    atoms = set(tables.values())
    referred: set[str] = set()
    for qualifier, alias, column in _COLUMNS_RE.findall(sql):
        table = tables.get(qualifier or alias)
        if table is None:  # not a table of this statement: count every column of every one
            named.update(tables.values())
            continue
        referred.add(table)
        atoms.add(f"{table}.{column}")
    count_only = _COUNT_RE.match(sql) is not None
    for table in set(tables.values()):
        if table in named or (table not in referred and not count_only):
            atoms.add(f"{table}.*")
    return frozenset(atoms)


class _Bump:
    """The on-commit callback of one transaction: bumps the atoms its writes changed."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.atoms: set[str] = set()

    def __call__(self) -> None:
        bump(self.atoms, using=self.alias)


def bump(atoms: Iterable[str], using: str = "default") -> None:
    """Bumps counters (EVERYTHING: a new random number) in one statement, with the connection
    in autocommit (one commit, however many columns a write changed); a failure (no counter
    table yet, during the first migration) is only logged."""
    if _migrating:
        return
    names = sorted(atoms)  # the rows are locked in this order: no two bumps deadlock
    if not names:
        return
    values = [value for name in names
              for value in (name, secrets.randbelow(2**62) + 1 if name == EVERYTHING else 1)]
    upsert = (f"INSERT INTO {TABLE} (name, version) VALUES "  # noqa: S608 - constants only
              f"{', '.join(['(%s, %s)'] * len(names))} ON CONFLICT (name) DO UPDATE SET "
              f"version = CASE WHEN excluded.name = '{EVERYTHING}' THEN excluded.version "
              f"ELSE {TABLE}.version + 1 END")
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(upsert, values)
    except DatabaseError:
        log.warning("Could not bump the data versions of %s", names, exc_info=True)


def bump_everything(using: str = "default") -> None:
    """For writes that bypass Django's connection (a restore through psql): every cached
    page becomes unreachable."""
    bump([EVERYTHING], using=using)


def _note_write(alias: str, atoms: set[str]) -> None:
    tracker = getattr(_local, "tracker", None)
    if tracker is not None:
        tracker["wrote"] = True
    connection = connections[alias]
    if connection.in_atomic_block and not getattr(connection.atomic_blocks[0],
                                                  "_from_testcase", False):
        for queued in connection.run_on_commit:
            if isinstance(queued[1], _Bump):
                queued[1].atoms.update(atoms)
                return
        callback = _Bump(alias)
        callback.atoms.update(atoms)
        transaction.on_commit(callback, using=alias)
    elif not _migrating:
        # Autocommit; or inside a test case's own transaction, which never commits: bumped at
        # once, inside whatever savepoint the write is in (rolled back with it).
        bump(atoms, using=alias)


def _wrapper(alias: str) -> Callable[..., Any]:
    def execute(run: Callable[..., Any], sql: str, params: Any, many: bool,
                context: dict[str, Any]) -> Any:
        text = sql if isinstance(sql, str) else str(sql)
        atoms = _written(text, params, many)
        tracker = getattr(_local, "tracker", None)
        if atoms is None and tracker is not None and TABLE not in text:
            tracker["tables"].update(_read(text, params))
        result = run(sql, params, many, context)
        if atoms is not None:
            _note_write(alias, atoms)
        return result
    return execute


_migrating = False
# Bumped when a setting is changed while the process runs (only tests do): a page may depend
# on any setting. In production settings change only with a restart, which bumps everything.
_settings_generation = 0


@receiver(setting_changed)
def _setting_changed(**kwargs: Any) -> None:
    global _settings_generation
    _settings_generation += 1


@receiver(pre_migrate)
def _before_migrate(sender: Any, **kwargs: Any) -> None:
    global _migrating
    _migrating = True  # the counters' table may not be there yet: everything is bumped after


@receiver(post_migrate)
def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    global _migrating
    if _migrating:
        _migrating = False
        bump_everything(using)


@receiver(connection_created)
def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    # Only the configured databases hold pages' data; Django's own side connections (such as
    # PostgreSQL's "__no_db__", which creates the test database) are not in ``connections``.
    if connection.alias not in connections.settings:
        return
    if not any(getattr(w, "_mellanrum_versions", False) for w in connection.execute_wrappers):
        wrapper = _wrapper(connection.alias)
        wrapper._mellanrum_versions = True  # type: ignore[attr-defined]
        connection.execute_wrappers.append(wrapper)


def versions(using: str = "default") -> dict[str, int]:
    """Every counter, read in one statement."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT name, version FROM {TABLE}")  # noqa: S608 - a constant
        return {name: int(version) for name, version in cursor.fetchall()}


def _current() -> dict[str, int]:
    """The counters the page being built is keyed by, or (outside a page) as they are now."""
    snapshot: dict[str, int] | None = getattr(_local, "current", None)
    return snapshot if snapshot is not None else versions()


def remember(memo: dict[Any, Any], key: Any, make: Callable[[], Any], size: int = 1000) -> Any:
    """A per-process memo that is never stale: ``make()``'s value is kept with the tables it
    read and their counters, and reused only while none of them changed (and no setting did:
    tests change settings, and start each with the counters as they were); a page built from a
    kept value depends on those tables as if it had read them itself."""
    current = _current()
    kept = memo.get(key)
    if kept is not None:
        generation, seen, value = kept
        if generation == _settings_generation and all(
                current.get(table, 0) == version for table, version in seen):
            tracker = getattr(_local, "tracker", None)
            if tracker is not None:
                tracker["tables"].update(table for table, _version in seen)
            return value
    outer = getattr(_local, "tracker", None)
    inner: dict[str, Any] = {"tables": set(), "wrote": False}
    _local.tracker = inner
    try:
        value = make()
    finally:
        _local.tracker = outer
    if outer is not None:
        outer["tables"].update(inner["tables"])
        outer["wrote"] = outer["wrote"] or inner["wrote"]
    if not inner["wrote"]:
        if len(memo) >= size:
            memo.clear()
        seen = tuple((table, current.get(table, 0))
                     for table in sorted(inner["tables"] | {EVERYTHING}))
        memo[key] = (_settings_generation, seen, value)
    return value


def valid_for(seconds: float) -> None:
    """Called by code that put something into the page being built that stops working after
    ``seconds`` (a private chart's signed address): the page is not served after that."""
    tracker = getattr(_local, "tracker", None)
    if tracker is not None:
        until = time.time() + seconds
        tracker["until"] = min(tracker.get("until", until), until)


def needs(cache_alias: str, key: str) -> None:
    """The page being built refers to ``key`` in the cache ``cache_alias`` (a chart's
    description, which its picture is drawn from): the page is served only while it is there
    (building the page again puts it back)."""
    tracker = getattr(_local, "tracker", None)
    if tracker is not None:
        tracker.setdefault("needs", set()).add((cache_alias, key))


def uncacheable() -> None:
    """Called by code that fed the page being built from a per-process cache whose freshness
    the counters do not cover: the page is not stored."""
    tracker = getattr(_local, "tracker", None)
    if tracker is not None:
        tracker["wrote"] = True


# --- The cache of pages -------------------------------------------------------------------

def _store() -> Any:
    return caches["pages"]


def sharing() -> bool:
    """Whether the page being built is kept for every viewer of a kind, not one user."""
    tracker = getattr(_local, "tracker", None)
    return tracker is not None and tracker.get("shared", False)


def _viewer(request: HttpRequest) -> tuple[Any, ...]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ("anonymous",)
    return tuple((f.attname, str(getattr(user, f.attname))) for f in user._meta.concrete_fields
                 if f.attname != "last_login")


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _without_tokens(request: HttpRequest, body: str) -> str:
    from django.middleware import csrf

    unmask = csrf._unmask_cipher_token  # type: ignore[attr-defined] # Django's own decoding

    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return body

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        return _PLACEHOLDER if unmask(token) == secret else token

    return _TOKEN_RE.sub(replace, body)


Shared = Callable[..., "tuple[object, ...] | None"]
View = Callable[..., HttpResponse]


@overload
def cached_page(view: View) -> View: ...


@overload
def cached_page(view: None = None, *, shared: Shared | None = None) -> Callable[[View], View]: ...


def cached_page(view: View | None = None, *,
                shared: Shared | None = None) -> View | Callable[[View], View]:
    """Serves a GET view's page from the shared cache, or builds it and keeps it (see the
    module's docstring for when it is not kept).

    ``shared(request, *args, **kwargs)``, if given, may name a kind of logged-in viewer (a
    tuple) who all see the same page but for who they are: the page is then kept once for the
    kind instead of per user, with the header's account menu and the signatures of private
    chart addresses made again for each response. The view must show nothing else of the
    viewer; as a safeguard a page in which the viewer's name, e-mail address or organisation
    shows anyway is not kept for the kind."""
    if view is None:
        return functools.partial(cached_page, shared=shared)
    name = f"{view.__module__}.{view.__qualname__}"

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (not getattr(settings, "PAGE_CACHE", True) or request.method not in ("GET", "HEAD")
                or _has_messages(request)):
            return view(request, *args, **kwargs)
        kind = None
        user = getattr(request, "user", None)
        if shared is not None and user is not None and user.is_authenticated:
            kind = shared(request, *args, **kwargs)
        viewer = ("shared", kind) if kind is not None else _viewer(request)
        base = _digest(KEY_FORMAT, name, request.get_full_path(), translation.get_language(),
                       bool(request.headers.get("HX-Request")), viewer)
        store = _store()
        try:
            current = versions()
        except DatabaseError:
            return view(request, *args, **kwargs)
        manifest = store.get(f"m:{base}")
        if manifest is not None:
            entry = store.get(f"p:{_key(base, manifest[0], current)}")
            if entry is not None and _usable(entry):
                log.debug("page cache: hit %s", request.get_full_path())
                return _response(request, entry)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("page cache: stale %s, changed %s", request.get_full_path(),
                          _changed(manifest, current))
        _local.tracker = {"tables": set(), "wrote": False, "shared": kind is not None}
        _local.current = current
        try:
            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
            tracker = _local.tracker
        finally:
            _local.tracker = _local.current = None
        keep = (response.status_code == 200 and not tracker["wrote"] and not response.streaming
                and not response.cookies and not _has_messages(request)
                and response.get("Content-Type", "").startswith("text/html"))
        body = (response.content.decode(response.charset)
                if keep or (kind is not None and not response.streaming) else "")
        if kind is not None and ACCOUNT in body:
            # Every response of a page built for a kind of viewer is made for its own viewer,
            # this one's too.
            body = _CHART_ADDRESS_RE.sub(rf"\1?a={_SIGNATURE}", body)
            response.content = _personal(request, body)
            keep = keep and not _shows_viewer(request, body)
        elif kind is not None:
            keep = False  # not built from the base template: nothing to tell viewers apart
        if keep:
            tables = sorted(tracker["tables"] - IGNORED)
            body = _without_tokens(request, body)
            headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
            key = _key(base, tables, current)
            if manifest is not None and manifest[1] != key:
                store.delete(f"p:{manifest[1]}")  # an older version of this page
            log.debug("page cache: kept %s, read %s", request.get_full_path(), tables)
            store.set(f"m:{base}", (tables, key, _counters(tables, current)), SECONDS)
            store.set(f"p:{key}", {"body": body, "headers": headers,
                                   "until": tracker.get("until"),
                                   "needs": sorted(tracker.get("needs", ())),
                                   "shared": kind is not None}, SECONDS)
        else:
            log.debug("page cache: not kept %s (status %s, wrote or uncacheable %s)",
                      request.get_full_path(), response.status_code, tracker["wrote"])
        return response

    return wrapped


def _personal(request: HttpRequest, body: str) -> str:
    """A page kept for a kind of viewer, made for this request's viewer: its account menu,
    and its private charts' addresses signed for it."""
    from django.template.loader import render_to_string

    from mellanrum.lib.charts import private_token

    user = request.user
    body = body.replace(ACCOUNT, render_to_string("core/_account.html", request=request))
    return _CHART_ADDRESS_RE.sub(lambda m: f"{m.group(1)}?a={private_token(m.group(2), user)}",
                                 body)


def _shows_viewer(request: HttpRequest, body: str) -> bool:
    """Whether the viewer's name, e-mail address or organisation is in a page kept for a kind
    of viewer (outside its account menu): then it is not kept for the kind."""
    user: Any = request.user
    organisation = getattr(user, "organisation", None)
    names = [user.get_username(), getattr(user, "email", ""), user.get_full_name()]
    if organisation is not None:
        names += [organisation.name, organisation.short_name]
    text = html.unescape(body)
    return any(name and len(name) >= 3 and name in text for name in names)


def _key(base: str, tables: Iterable[str], current: dict[str, int]) -> str:
    # The day is part of the key: pages count days from today (procurement windows, answer
    # deadlines, the ledger's current year) without any write to tell them a day has passed.
    return _digest(base, current.get(EVERYTHING, 0), _settings_generation,
                   timezone.localdate().isoformat(), [(t, current.get(t, 0)) for t in tables])


def _counters(tables: Iterable[str], current: dict[str, int]) -> list[tuple[str, int]]:
    return [(t, current.get(t, 0)) for t in (EVERYTHING, *tables)]


def _changed(manifest: tuple[Any, ...], current: dict[str, int]) -> list[str]:
    """For the log (why a page was built again): the atoms whose counters moved since the page
    was kept; none when it expired, was culled, or needs what is gone."""
    kept = manifest[2] if len(manifest) > 2 else []
    return [t for t, version in kept if current.get(t, 0) != version]


def _usable(entry: dict[str, Any]) -> bool:
    if entry["until"] is not None and time.time() >= entry["until"]:
        return False
    return all(caches[alias].has_key(key) for alias, key in entry["needs"])


def _response(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    body, headers = entry["body"], entry["headers"]
    if entry.get("shared"):
        body = _personal(request, body)
    if _PLACEHOLDER in body:
        body = body.replace(_PLACEHOLDER, get_token(request))
    response = HttpResponse(body)
    for header, value in headers.items():
        response[header] = value
    return response
