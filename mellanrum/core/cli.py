"""``mellanrum backup`` and ``mellanrum restore`` (registered by mellanrum/cli.py)."""

from __future__ import annotations

from pathlib import Path

import click


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
