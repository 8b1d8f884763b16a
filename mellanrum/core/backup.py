"""Online backup and restore of the Mellanrum database, SQLite or PostgreSQL.

Both work while the app is serving requests:

- SQLite: SQLite's online backup API copies the live database in one read transaction, so
  the copy is a consistent snapshot even while others write (WAL mode lets them carry on).
  Restore validates the file, then copies it into the live database through the app's own
  connection with the same API, in one write transaction: other connections see either the
  old or the restored database, never a mixture.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot) and
  ``pg_restore --clean --if-exists --no-owner --single-transaction`` (all or nothing).

A backup is one file in the engine's native format; a small JSON sidecar ``PATH.json``
describes it for people (engine, time, version, migrations). Restore checks the file itself,
not the sidecar: its format must match this installation's engine, and the migrations recorded
in its ``django_migrations`` table must all be known to this code.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["BackupError", "BackupInfo", "RestoreInfo", "do_backup", "do_restore"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# How long pg_restore waits for a lock held by a running request before giving up (and, being
# one transaction, changing nothing).
PG_LOCK_TIMEOUT = "60s"

Migration = tuple[str, str]


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line for the user."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    engine: str
    created_at: str
    version: str
    size_bytes: int
    migrations: list[Migration] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        return {
            "format": "mellanrum-backup",
            "engine": self.engine,
            "created_at": self.created_at,
            "mellanrum_version": self.version,
            "migrations": [list(m) for m in self.migrations],
        }


@dataclass(frozen=True)
class RestoreInfo:
    path: Path
    engine: str
    migrations: list[Migration]
    migrated: bool
    created_at: str = ""


def do_backup(path: str | Path, *, using: str = DEFAULT_DB_ALIAS) -> BackupInfo:
    """Write a consistent copy of the live database to ``path`` (and ``path.json``)."""
    path = Path(path)
    connection = connections[using]
    engine = _engine(connection)
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a directory; give the name of the backup file")
    if not path.parent.is_dir():
        raise BackupError(f"the directory {path.parent} does not exist")
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    # Write next to the target and rename at the end, so a failed backup never leaves a
    # half-written file under the name the user asked for.
    partial = path.with_name(f".{path.name}.partial")
    try:
        if engine == "sqlite":
            _sqlite_backup(connection, partial)
            migrations = _sqlite_migrations(partial)
        else:
            migrations = _applied_migrations(connection)
            _pg_dump(connection, partial)
        os.replace(partial, path)
        info = BackupInfo(
            path=path, engine=engine, created_at=created_at, version=_version(),
            size_bytes=path.stat().st_size, migrations=migrations,
        )
        _sidecar(path).write_text(
            json.dumps(info.as_metadata(), indent=2) + "\n", encoding="utf-8"
        )
    except OSError as exc:
        raise BackupError(f"cannot write the backup {path}: {exc.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return info


def do_restore(path: str | Path, *, using: str = DEFAULT_DB_ALIAS) -> RestoreInfo:
    """Replace the live database's contents with the backup at ``path``.

    The file is validated first; anything that is not a Mellanrum backup of this engine, or
    that was made by newer code, is refused and nothing changes. A backup made before later
    migrations is brought up to date with ``migrate`` afterwards.
    """
    path = Path(path)
    connection = connections[using]
    engine = _engine(connection)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a database transaction")
    try:
        found = _detect_engine(path)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if found is None:
        raise BackupError(f"{path} is not a Mellanrum backup (neither SQLite nor pg_dump format)")
    if found != engine:
        raise BackupError(
            f"{path} is a {ENGINE_NAMES[found]} backup, but this installation uses "
            f"{ENGINE_NAMES[engine]}; a backup can only be restored into the same kind of database"
        )
    if engine == "sqlite":
        migrations = _sqlite_migrations(path)
    else:
        migrations = _pg_dump_migrations(connection, path)
    missing = _check_migrations(path, migrations)
    if engine == "sqlite":
        _sqlite_restore(connection, path)
    else:
        _pg_restore(connection, path, _pg_newer_tables(connection, path) if missing else [])
    if missing:
        from django.core.management import call_command

        call_command("migrate", database=using, interactive=False, verbosity=0)
    # The restore wrote past Django's connection (psql, SQLite's backup API): no page kept in
    # the shared page cache may be served again.
    from .page_cache import bump_everything

    bump_everything(using)
    return RestoreInfo(
        path=path, engine=engine, migrations=migrations, migrated=bool(missing),
        created_at=read_metadata(path).get("created_at", ""),
    )


def read_metadata(path: Path) -> dict[str, Any]:
    """The sidecar's description of a backup, or {} when there is none (it is optional)."""
    try:
        data = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _version() -> str:
    try:
        return metadata.version("mellanrum")
    except metadata.PackageNotFoundError:
        return "unknown"


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in ENGINE_NAMES:
        raise BackupError(f"backups are not supported for the {connection.vendor} database")
    return str(connection.vendor)


def _detect_engine(path: Path) -> str | None:
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    return None


def _check_migrations(path: Path, migrations: list[Migration]) -> set[Migration]:
    """Refuse backups from newer code; return the known migrations the backup lacks."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = set(migrations)
    if not any(app == "core" for app, _name in applied):
        raise BackupError(f"{path} is not a Mellanrum backup (it has no Mellanrum migrations)")
    unknown = sorted(applied - known)
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"{path} was made by newer code (migration {app}.{name} is unknown here); "
            "upgrade Mellanrum before restoring it"
        )
    return known - applied


def _applied_migrations(connection: BaseDatabaseWrapper) -> list[Migration]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return [(str(app), str(name)) for app, name in cursor.fetchall()]


# SQLite ------------------------------------------------------------------------------------


def _sqlite_file(connection: BaseDatabaseWrapper) -> str:
    name = str(connection.settings_dict["NAME"])
    # Only SQLite's wrapper has is_in_memory_db; callers pass a SQLite connection.
    if connection.is_in_memory_db():  # type: ignore[attr-defined]
        raise BackupError("the database is in memory; only a database file can be backed up")
    return name


def _sqlite_backup(connection: BaseDatabaseWrapper, target: Path) -> None:
    source_name = _sqlite_file(connection)
    timeout = float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 20))
    source = dest = None
    try:
        # A connection of our own, so the copy never includes a caller's uncommitted work.
        source = sqlite3.connect(source_name, timeout=timeout)
        dest = sqlite3.connect(target)
        # pages=-1 copies everything in one step, i.e. in one read transaction: a consistent
        # snapshot, while WAL lets other connections keep writing.
        source.backup(dest, pages=-1)
        # A self-contained file: no -wal/-shm beside it, readable on a read-only medium.
        dest.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite backup to {target} failed: {exc}") from None
    finally:
        for open_connection in (dest, source):
            if open_connection is not None:
                open_connection.close()


def _open_sqlite_backup(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_migrations(path: Path) -> list[Migration]:
    try:
        backup = _open_sqlite_backup(path)
        try:
            check = backup.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite says: {check[0] if check else '?'})")
            has_table = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
            if not has_table:
                raise BackupError(f"{path} is not a Mellanrum backup (no django_migrations table)")
            rows = backup.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
        finally:
            backup.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a usable SQLite backup: {exc}") from None
    return [(str(app), str(name)) for app, name in rows]


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    _sqlite_file(connection)
    connection.ensure_connection()
    live = connection.connection
    source = _open_sqlite_backup(path)
    try:
        # One write transaction on the live database: other connections wait (busy timeout)
        # or keep reading their snapshot, and afterwards see the restored database.
        source.backup(live, pages=-1)
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite restore failed, nothing was changed: {exc}") from None
    finally:
        source.close()


# PostgreSQL --------------------------------------------------------------------------------


def find_pg_binary(name: str) -> str:
    """``pg_dump``/``pg_restore`` from PATH, else the newest in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parts[-3].split(".")],
    )
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin; "
        "install the PostgreSQL client tools (Debian: apt install postgresql-client)"
    )


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    # Credentials and target go through the environment, never the command line (ps shows it).
    for var, value in (("PGHOST", s.get("HOST")), ("PGPORT", s.get("PORT")),
                       ("PGUSER", s.get("USER")), ("PGPASSWORD", s.get("PASSWORD")),
                       ("PGDATABASE", s.get("NAME"))):
        if value:
            env[var] = str(value)
        else:
            env.pop(var, None)
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(args, env=env, capture_output=True, check=False)
    except OSError as exc:
        raise BackupError(f"cannot run {args[0]}: {exc.strerror}") from None
    if result.returncode != 0:
        lines = [ln for ln in result.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        detail = lines[0] if lines else f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return result


def _pg_dump(connection: BaseDatabaseWrapper, target: Path) -> None:
    _run([find_pg_binary("pg_dump"), "--format=custom", "--no-password", f"--file={target}"],
         _pg_env(connection), "pg_dump")


def _pg_dump_migrations(connection: BaseDatabaseWrapper, path: Path) -> list[Migration]:
    """Read django_migrations out of a custom-format dump without touching the database."""
    pg_restore = find_pg_binary("pg_restore")
    env = _pg_env(connection)
    try:
        # Reading the whole dump into nothing finds truncation and damage before anything
        # in the live database is touched.
        _run([pg_restore, f"--file={os.devnull}", str(path)], env, "reading the backup")
        result = _run(
            [pg_restore, "--data-only", "--table=django_migrations", "--file=-", str(path)],
            env, "reading the backup",
        )
    except BackupError as exc:
        raise BackupError(f"{path} is not a usable PostgreSQL backup ({exc})") from None
    rows: list[Migration] = []
    in_copy = False
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("COPY ") and "django_migrations" in line:
            in_copy = True
        elif in_copy and line == "\\.":
            in_copy = False
        elif in_copy:
            parts = line.split("\t")
            if len(parts) >= 3:
                rows.append((parts[1], parts[2]))
    if not rows:
        raise BackupError(f"{path} is not a Mellanrum backup (no django_migrations data)")
    return rows


def _pg_newer_tables(connection: BaseDatabaseWrapper, path: Path) -> list[str]:
    """Tables that later migrations created and the older backup does not have.

    ``pg_restore --clean`` replaces only the tables in the dump; a table added since (say
    ``core_task``) would survive the restore and make ``migrate`` fail to create it again,
    and one that points at a table of the dump (say ``core_apitoken`` at ``core_user``)
    stops ``--clean`` from dropping that table's key. A SQLite restore replaces the whole
    file, so it needs no such step.
    """
    listing = _run([find_pg_binary("pg_restore"), "--list", str(path)], _pg_env(connection),
                   "reading the backup").stdout.decode("utf-8", "replace")
    in_backup = set()
    for line in listing.splitlines():
        parts = line.split()
        if not line.startswith(";") and "TABLE" in parts:
            at = parts.index("TABLE")
            if len(parts) > at + 2 and parts[at + 1] == "public":
                in_backup.add(parts[at + 2])
    if "django_migrations" not in in_backup:
        return []  # not a listing we understand: leave everything alone
    return [t for t in connection.introspection.table_names() if t not in in_backup]


def _with_lock_timeout(raw: Path, script: Path) -> None:
    """Copy pg_restore's script, keeping our lock timeout: its header turns it off
    (``SET lock_timeout = 0;``), and a restore that waits for ever on a lock someone holds
    would keep the tables locked for everyone."""
    header_lines = 100  # the SET lines come first; data further down is copied as it is
    with raw.open("rb") as source, script.open("wb") as target:
        for number, line in enumerate(source):
            if number < header_lines and line.startswith(b"SET lock_timeout = 0;"):
                line = f"SET lock_timeout = '{PG_LOCK_TIMEOUT}';\n".encode()
                header_lines = 0
            target.write(line)


def _pg_restore(connection: BaseDatabaseWrapper, path: Path, drop_first: list[str]) -> None:
    """Restore the dump in one transaction, after dropping the tables `drop_first`.

    pg_restore writes the dump as SQL, and psql runs the drops and that script in a single
    transaction, so a failure anywhere changes nothing.
    """
    # Our own session must not hold locks the restore needs.
    drops = [f"DROP TABLE IF EXISTS {connection.ops.quote_name(t)} CASCADE;" for t in drop_first]
    connection.close()
    env = _pg_env(connection)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT}".strip()
    try:
        with tempfile.TemporaryDirectory(prefix="mellanrum-restore-") as scratch:
            raw, script = Path(scratch) / "dump.sql", Path(scratch) / "restore.sql"
            _run(
                [find_pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner",
                 f"--file={raw}", str(path)],
                env, "reading the backup (nothing was changed)",
            )
            _with_lock_timeout(raw, script)
            _run(
                [find_pg_binary("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
                 "--set=ON_ERROR_STOP=1", "--no-password",
                 f"--dbname={env.get('PGDATABASE', '')}",
                 *(arg for drop in drops for arg in ("--command", drop)),
                 f"--file={script}"],
                env, "restoring (nothing was changed)",
            )
    finally:
        # The app reconnects on its next query, to the restored tables.
        connection.close()
