"""``mellanrum backup``, ``restore``, ``worker`` and ``apikey`` (registered by mellanrum/cli.py)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import click

from mellanrum.lib.cli import OneLineErrors


def _setup_django() -> None:
    from mellanrum.cli import setup_django

    setup_django()


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent backup of the database to PATH while the app keeps running.

    SQLite is copied with SQLite's online backup API; PostgreSQL with pg_dump (custom format).
    PATH.json beside it describes the backup (engine, time, version, migrations).
    """
    _setup_django()
    from mellanrum.core.backup import ENGINE_NAMES, BackupError, do_backup

    try:
        info = do_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Backed up the {ENGINE_NAMES[info.engine]} database to {info.path} "
        f"({info.size_bytes:,} bytes, {len(info.migrations)} migrations)"
    )


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup at PATH, while the app keeps running.

    The file is checked first: it must be a Mellanrum backup of the same kind of database
    (SQLite or PostgreSQL) made by this version of Mellanrum or an older one. Every change
    made since the backup is lost.
    """
    _setup_django()
    from django.db import connection

    from mellanrum.core.backup import ENGINE_NAMES, BackupError, do_restore

    if not yes:
        click.confirm(
            f"Replace everything in the {ENGINE_NAMES.get(connection.vendor, connection.vendor)} "
            f"database "
            f"{connection.settings_dict['NAME']} with {path}?",
            abort=True,
        )
    try:
        info = do_restore(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    made = f" (made {info.created_at})" if info.created_at else ""
    migrated = "; migrated to this version" if info.migrated else ""
    engine = ENGINE_NAMES[info.engine]
    click.echo(f"Restored the {engine} database from {info.path}{made}{migrated}")


@click.command()
@click.option("--once", is_flag=True,
              help="Run the jobs that are waiting, then exit (instead of waiting for more).")
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between looks at the queue when it is empty.")
@click.option("--max-jobs", type=click.IntRange(1), default=None,
              help="Exit after this many jobs (a supervisor starts a fresh process).")
def worker(once: bool, poll: float, max_jobs: int | None) -> None:
    """Run background jobs (imports, analyses) from the shared queue in the database.

    Start one or more beside the web processes and set TASKS_RUNNER=worker for the web
    processes, so that any of them can queue a job and show its progress. On SIGTERM or
    Ctrl-C the worker finishes its current job and exits. Jobs of a worker that was killed are
    marked failed at the next look (nothing of them was saved) and can be started again.
    """
    import signal
    import threading

    _setup_django()
    from mellanrum.core.tasks import work

    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        click.echo("Stopping after the current job ...", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    ran = work(once=once, poll=poll, max_tasks=max_jobs, stop=stop)
    click.echo(f"Ran {ran} job{'' if ran == 1 else 's'}.")


@click.group()
def apikey() -> None:
    """Personal API keys: make one for a user, list them, revoke one.

    The same rules as on the account page (/konto/): a key needs a name, a user has at most
    ten, a key lives at most 365 days and only its hash is stored, so the key itself is
    printed once, when it is made. Keys are sent as "Authorization: Bearer <key>".
    """


def _api_user(username: str) -> Any:
    from mellanrum.core.models import User

    try:
        if "\x00" in username:  # PostgreSQL refuses NUL in a query: no such user
            raise User.DoesNotExist
        return User.objects.get_by_natural_key(username)
    except User.DoesNotExist:
        raise click.ClickException(f"--user: no user named {username[:50]!r}") from None


def _expiry_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise click.ClickException(
            f"--expires: {text[:30]!r} is not a date; write it as YYYY-MM-DD") from None


@apikey.command("create", cls=OneLineErrors)
@click.option("--user", "username", required=True, help="The user the key acts as.")
@click.option("--name", default=None,
              help="What the key is for, e.g. the script that uses it "
              "(default: 'Skapad på kommandoraden' and today's date).")
@click.option("--expires", default=None, metavar="YYYY-MM-DD",
              help="The day the key stops working (at midnight, Swedish time); at most 365 "
              "days ahead (default: in 90 days).")
def apikey_create(username: str, name: str | None, expires: str | None) -> None:
    """Make an API key for a user and print it (once: only its hash is stored)."""
    expires_on = _expiry_date(expires) if expires is not None else None
    _setup_django()
    from django.core.exceptions import ValidationError
    from django.utils import timezone, translation

    from mellanrum.core.actions import do_create_api_token_until

    user = _api_user(username)
    today = timezone.localdate()
    try:
        with translation.override("en"):
            token, key = do_create_api_token_until(
                user, name=name if name is not None else f"Skapad på kommandoraden {today}",
                expires_on=expires_on or today + datetime.timedelta(days=90),
                acting_user=None)
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None
    click.echo(key)
    click.echo(f"API key {token.pk} ({token.name!r}) for {user.get_username()}, valid until "
               f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}. Store it now: it is "
               f"not shown again.", err=True)


@apikey.command("list", cls=OneLineErrors)
@click.option("--user", "username", default=None, help="Only this user's keys.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def apikey_list(username: str | None, fmt: str) -> None:
    """List API keys (never the keys themselves): id, user, name, first characters, made,
    expires, last used and whether the key works."""
    _setup_django()
    from django.utils import timezone

    from mellanrum.core.models import ApiToken

    tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
    if username is not None:
        tokens = tokens.filter(user=_api_user(username))
    now = timezone.now()

    def when(value: datetime.datetime | None) -> str:
        return "" if value is None else f"{timezone.localtime(value):%Y-%m-%d %H:%M}"

    rows = [{"id": t.pk, "user": t.user.get_username(), "name": " ".join(t.name.split()),
             "prefix": t.prefix, "created_at": when(t.created_at),
             "expires_at": when(t.expires_at), "last_used_at": when(t.last_used_at),
             "status": ("expired" if t.expires_at <= now
                        else "user inactive" if not t.user.is_active else "active")}
            for t in tokens]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo("\t".join([str(row["id"]), str(row["user"]), str(row["name"]),
                              f"{row['prefix']}…", str(row["created_at"]),
                              str(row["expires_at"]), str(row["last_used_at"] or "never"),
                              str(row["status"])]))
    if not rows:
        click.echo("No API keys.", err=True)


@apikey.command("revoke", cls=OneLineErrors)
@click.argument("key_id", type=click.IntRange(min=1))
def apikey_revoke(key_id: int) -> None:
    """Revoke the API key with this id (see `mellanrum apikey list`); it stops working at once."""
    _setup_django()
    from mellanrum.core.actions import do_revoke_any_api_token

    token = do_revoke_any_api_token(key_id, acting_user=None)
    if token is None:
        raise click.ClickException(f"no API key with id {key_id}; see `mellanrum apikey list`")
    click.echo(f"Revoked API key {key_id} ({token.name!r}) of {token.user.get_username()}.")
