"""Backup and restore on the live database, on SQLite and (with DB=postgres) PostgreSQL.

On SQLite the tests swap the default connection for one to a fresh WAL-mode database *file*
(pytest-django's in-memory test database cannot be copied by another connection, and WAL
behaviour is what production runs on). On PostgreSQL they use the real test database, with
transactional tests so pg_dump and pg_restore, which connect separately, see committed data.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections

from mellanrum.core import backup as backup_module
from mellanrum.core.actions import do_create_user
from mellanrum.core.backup import BackupError, do_backup, do_restore
from mellanrum.core.cli import backup as backup_command
from mellanrum.core.cli import restore as restore_command
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.actions import (
    do_create_activity,
    do_delete_activity,
    do_load_reference_data,
    do_save_contact,
    do_update_activity,
)
from mellanrum.landscape.models import Activity, Contact, Organisation


@pytest.fixture
def live_db(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    default = connections[DEFAULT_DB_ALIAS]
    if default.vendor != "sqlite":
        yield
        return
    settings_dict = {**default.settings_dict, "NAME": str(tmp_path / "live.sqlite3")}
    file_connection = type(default)(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = file_connection
    try:
        # As Django creates test databases: apps without migrations get tables too.
        call_command("migrate", interactive=False, verbosity=0, run_syncdb=True)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        yield
    finally:
        file_connection.close()
        connections[DEFAULT_DB_ALIAS] = default


def _make_edits() -> None:
    do_load_reference_data()
    nacka = Organisation.objects.get(code="0182")
    editor = do_create_user("redaktor", password="x-Very-long-pass-99", organisation=nacka,
                            role=User.Role.EDITOR)
    bygglov = do_create_activity(
        nacka, acting_user=editor, key="bygglov", name="Ansökan om bygglov", kind="eservice",
        annual_cost_sek=Decimal("4250000.50"), systems=[("Castor", "Sokigo")],
    )
    do_update_activity(bygglov, acting_user=editor, expected_version=1,
                       lead_time_days=Decimal("28"), description="Ändrad – åäö ✓")
    do_create_activity(nacka, acting_user=editor, key="hemtjanst", name="Hemtjänst",
                       kind="service", annual_cost_sek=Decimal("90000000"))
    temporary = do_create_activity(nacka, acting_user=editor, key="tillfallig", name="Tillfällig")
    do_delete_activity(temporary, acting_user=editor)
    do_save_contact(nacka, acting_user=editor, name="Anna Andersson", role="Bygglovschef",
                    email="anna.andersson@nacka.example")
    varmdo = Organisation.objects.get(code="0120")
    do_create_activity(varmdo, acting_user=None, key="bygglov", name="Bygglov – ansök")


def _state() -> dict[str, Any]:
    return {
        "organisations": sorted(Organisation.objects.values_list("code", "name")),
        "activities": sorted(
            (a.organisation.code, a.key, a.name, a.description, a.kind, a.annual_cost_sek,
             a.lead_time_days, a.version, a.updated_by_id,
             tuple(sorted(a.systems.values_list("product", "vendor"))))
            for a in Activity.objects.select_related("organisation")
        ),
        "contacts": sorted(Contact.objects.values_list("organisation__code", "name", "email")),
        "users": sorted(User.objects.values_list("username", "organisation__code", "role")),
        "passwords": sorted(User.objects.values_list("password", flat=True)),
        "audit": sorted(AuditEntry.objects.values_list("pk", "action", "object_repr")),
    }


def _destroy() -> None:
    Activity.objects.all().delete()
    User.objects.all().delete()
    AuditEntry.objects.all().delete()
    Organisation.objects.filter(code="0182").update(name="Förstörd kommun")
    nacka = Organisation.objects.get(code="0182")
    do_create_activity(nacka, acting_user=None, key="efter", name="Efter säkerhetskopian")
    with connection.cursor() as cursor:
        cascade = " CASCADE" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TABLE {Contact._meta.db_table}{cascade}")


def test_it_restores_every_edit_after_destruction(live_db: None, tmp_path: Path) -> None:
    _make_edits()
    before = _state()
    assert len(before["activities"]) == 3 and len(before["contacts"]) == 1
    path = tmp_path / "mellanrum.backup"

    info = do_backup(path)

    assert info.engine == connection.vendor and path.stat().st_size == info.size_bytes
    sidecar = json.loads((tmp_path / "mellanrum.backup.json").read_text(encoding="utf-8"))
    assert sidecar["engine"] == connection.vendor
    assert ["core", "0001_initial"] in sidecar["migrations"]
    _destroy()
    assert Activity.objects.count() == 1 and not User.objects.exists()

    restored = do_restore(path)

    assert restored.engine == connection.vendor and not restored.migrated
    assert _state() == before
    assert not Activity.objects.filter(key="efter").exists()
    if connection.vendor == "sqlite":
        fresh = sqlite3.connect(connection.settings_dict["NAME"])
        assert fresh.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        fresh.close()


def test_backup_is_consistent_while_another_connection_writes(
    live_db: None, tmp_path: Path
) -> None:
    _make_edits()
    before = _state()
    other = _other_connection()
    try:
        cursor = other.cursor()
        if connection.vendor == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")  # holds the write lock during the backup
        cursor.execute(
            f"UPDATE {Activity._meta.db_table} SET name = 'Halvfärdig' WHERE key = 'bygglov'"
        )
        do_backup(tmp_path / "under-write.backup")
        other.commit()
    finally:
        other.close()
    assert Activity.objects.filter(name="Halvfärdig").count() == 2

    do_restore(tmp_path / "under-write.backup")

    assert _state() == before


def test_restore_while_another_connection_holds_data(live_db: None, tmp_path: Path) -> None:
    _make_edits()
    before = _state()
    do_backup(tmp_path / "live.backup")
    Activity.objects.filter(key="bygglov").delete()
    table = Activity._meta.db_table
    other = _other_connection()
    try:
        cursor = other.cursor()
        if connection.vendor == "sqlite":
            cursor.execute("BEGIN")
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == 1
        # The other connection is inside a read transaction; on PostgreSQL restore has to wait
        # for it, so end it a little later from another thread.
        releaser = threading.Timer(0.5, other.commit)
        releaser.start()
        started = time.monotonic()
        do_restore(tmp_path / "live.backup")
        releaser.join()
        if connection.vendor == "postgresql":
            assert time.monotonic() - started >= 0.4
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == 3
        other.commit()
    finally:
        other.close()
    assert _state() == before


def _other_connection() -> Any:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return sqlite3.connect(settings_dict["NAME"], isolation_level=None, timeout=20,
                               check_same_thread=False)
    import psycopg

    return psycopg.connect(
        host=settings_dict["HOST"], port=settings_dict["PORT"], user=settings_dict["USER"],
        password=settings_dict["PASSWORD"], dbname=settings_dict["NAME"],
    )


def _foreign_engine_file(path: Path) -> None:
    if connection.vendor == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(range(256)) * 4)
    else:
        foreign = sqlite3.connect(path)
        foreign.execute("CREATE TABLE django_migrations (id, app, name, applied)")
        foreign.commit()
        foreign.close()


def _foreign_sqlite(path: Path) -> None:
    foreign = sqlite3.connect(path)
    foreign.execute("CREATE TABLE recipes (name TEXT)")
    foreign.commit()
    foreign.close()


def _truncated_backup(path: Path) -> None:
    do_backup(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _scrambled_backup(path: Path) -> None:
    do_backup(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = bytes(4096)
    data[100:200] = b"\xff" * 100
    path.write_bytes(bytes(data))


def _newer_backup(path: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('landscape', '9999_from_the_future', %s)",
            ["2030-01-01 00:00:00+00:00"],
        )
    do_backup(path)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE name = '9999_from_the_future'")


BAD_FILES = {
    "text": lambda path: path.write_text("Det här är ingen säkerhetskopia\n", encoding="utf-8"),
    "empty": lambda path: path.write_bytes(b""),
    "foreign engine": _foreign_engine_file,
    "foreign sqlite database": _foreign_sqlite,
    "truncated": _truncated_backup,
    "scrambled": _scrambled_backup,
    "newer migrations": _newer_backup,
}
REFUSALS = {
    "text": "not a Mellanrum backup",
    "empty": "not a Mellanrum backup",
    "foreign engine": "can only be restored into the same kind of database",
    "foreign sqlite database": "",
    "truncated": "",
    "scrambled": "",
    "newer migrations": "newer code",
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_it_refuses_a_bad_file_and_changes_nothing(
    live_db: None, tmp_path: Path, kind: str
) -> None:
    _make_edits()
    path = tmp_path / "bad.backup"
    BAD_FILES[kind](path)
    Activity.objects.filter(key="hemtjanst").update(name="Hemtjänst efter säkerhetskopian")
    before = _state()

    with pytest.raises(BackupError) as excinfo:
        do_restore(path)

    message = str(excinfo.value)
    assert "\n" not in message
    assert str(path) in message
    assert REFUSALS[kind] in message
    assert _state() == before


def test_a_sqlite_backup_cannot_go_into_postgresql_or_back(live_db: None, tmp_path: Path) -> None:
    path = tmp_path / "other.backup"
    _foreign_engine_file(path)
    with pytest.raises(BackupError, match="backup, but this installation uses"):
        do_restore(path)


def test_missing_postgresql_tools_give_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mellanrum.core.backup.shutil.which", lambda name: None)
    monkeypatch.setattr("mellanrum.core.backup.glob.glob", lambda pattern: [])
    with pytest.raises(BackupError, match="pg_dump was not found on PATH"):
        backup_module.find_pg_binary("pg_dump")


def test_postgresql_tools_are_found_outside_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mellanrum.core.backup.shutil.which", lambda name: None)
    monkeypatch.setattr(
        "mellanrum.core.backup.glob.glob",
        lambda pattern: [pattern.replace("*", v) for v in ("9.6", "15", "13")],
    )
    assert backup_module.find_pg_binary("pg_restore") == "/usr/lib/postgresql/15/bin/pg_restore"


def test_the_commands_back_up_and_restore(live_db: None, tmp_path: Path) -> None:
    _make_edits()
    before = _state()
    path = tmp_path / "cli.backup"
    runner = CliRunner()

    made = runner.invoke(backup_command, [str(path)])

    assert made.exit_code == 0, made.output
    assert f"to {path}" in made.output
    Activity.objects.all().delete()
    refused = runner.invoke(restore_command, [str(path)], input="n\n")
    assert refused.exit_code != 0 and "Aborted" in refused.output
    assert Activity.objects.count() == 0

    done = runner.invoke(restore_command, [str(path), "--yes"])

    assert done.exit_code == 0, done.output
    assert "Restored" in done.output
    assert _state() == before


def test_the_restore_command_fails_on_one_line(live_db: None, tmp_path: Path) -> None:
    path = tmp_path / "junk.backup"
    path.write_bytes(b"\x00" * 1000)
    result = CliRunner().invoke(restore_command, [str(path), "--yes"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


def test_the_backup_command_fails_on_one_line(live_db: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(backup_command, [str(tmp_path / "missing" / "x.backup")])
    assert result.exit_code == 1
    assert result.output == f"Error: the directory {tmp_path / 'missing'} does not exist\n"


def _back_up_with_the_previous_core_migration(path: Path) -> str:
    """Back up as the code before core's latest migration would, then migrate back up;
    returns that latest migration's name."""
    from django.db.migrations.loader import MigrationLoader

    names = [name for app, name in MigrationLoader(None).disk_migrations if app == "core"]
    latest = max(names)
    previous = max(name for name in names if name < latest)
    call_command("migrate", "core", previous, interactive=False, verbosity=0)
    do_backup(path)
    call_command("migrate", interactive=False, verbosity=0)
    return latest


def test_a_backup_from_older_code_is_migrated_after_restore(
    live_db: None, tmp_path: Path
) -> None:
    _make_edits()
    before = _state()
    latest = _back_up_with_the_previous_core_migration(tmp_path / "old.backup")
    Activity.objects.all().delete()

    info = do_restore(tmp_path / "old.backup")

    assert info.migrated
    assert ("core", latest) not in info.migrations
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM django_migrations WHERE app = 'core'")
        assert latest in {name for (name,) in cursor.fetchall()}
    assert _state() == before


@pytest.mark.skipif(os.getenv("DB") != "postgres",
                    reason="the drop-then-restore transaction is PostgreSQL's path (CI runs both)")
def test_a_failed_restore_of_an_older_backup_keeps_the_newer_tables(
    live_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_edits()
    _back_up_with_the_previous_core_migration(tmp_path / "old.backup")
    tables_before = set(connection.introspection.table_names())
    Activity.objects.filter(key="hemtjanst").update(name="Hemtjänst efter säkerhetskopian")
    before = _state()
    # Another session reads activities and does not let go: the restore, which drops the
    # newer tables first, then times out on the activity table and must undo everything.
    monkeypatch.setattr(backup_module, "PG_LOCK_TIMEOUT", "300ms")
    other = _other_connection()
    try:
        other.cursor().execute(f"SELECT count(*) FROM {Activity._meta.db_table}")
        with pytest.raises(BackupError, match="nothing was changed"):
            do_restore(tmp_path / "old.backup")
    finally:
        other.rollback()
        other.close()
    assert set(connection.introspection.table_names()) == tables_before
    assert _state() == before
