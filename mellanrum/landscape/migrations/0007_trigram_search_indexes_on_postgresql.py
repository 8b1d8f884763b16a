"""Trigram indexes for the activity and organisation searches, on PostgreSQL only.

The searches filter with ``icontains``, which PostgreSQL runs as ``UPPER(col) LIKE UPPER('%q%')``:
without an index that reads every activity (about 90 ms at 45,000 activities, for the count and
again for the page). A GIN index of ``UPPER(col)`` with ``gin_trgm_ops`` answers the same LIKE.
SQLite has no such index and needs none at the sizes it is meant for.

``pg_trgm`` is a trusted extension (PostgreSQL 13+), so the database owner may create it. Where
the app's role may not, the indexes are skipped with a warning: search stays correct, only
slower.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, migrations, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

logger = logging.getLogger(__name__)

INDEXES = {
    "landscape_activity_name_trgm": ("landscape_activity", "name"),
    "landscape_activity_description_trgm": ("landscape_activity", "description"),
    "landscape_organisation_name_trgm": ("landscape_organisation", "name"),
}


def create_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        logger.warning("pg_trgm could not be created (%s); searches run without trigram "
                       "indexes", exc)
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("landscape", "0006_arrangement_and_activity_nature")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
