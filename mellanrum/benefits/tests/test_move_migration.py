"""Moving the ledger to the benefits app keeps the rows that were stored before the move."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("collaborations", "0005_costsplit_game"), ("benefits", None)]
AFTER = [("collaborations", "0006_ledger_and_split_to_benefits"),
         ("benefits", "0001_ledger_and_split_from_collaborations")]


@pytest.mark.django_db(transaction=True)
def test_a_ledger_row_stored_before_the_move_is_read_by_the_benefits_app() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(("collaborations", "0005_costsplit_game")).apps
    organisation = old.get_model("landscape", "Organisation").objects.create(
        code="9901", name="Alfa kommun", kind="municipality")
    initiative = old.get_model("collaborations", "Initiative").objects.create(
        title="Före flytten", purpose="Syfte")
    old.get_model("collaborations", "LedgerRow").objects.create(
        initiative=initiative, organisation=organisation, year=2025, kind="money",
        planned=Decimal("1234.50"), description="Sparad före flytten")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    row = new.get_model("benefits", "LedgerRow").objects.get()
    assert (row.initiative_id, row.planned, row.description) == (
        initiative.pk, Decimal("1234.50"), "Sparad före flytten")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
