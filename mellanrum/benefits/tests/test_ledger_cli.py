"""`mellanrum initiatives ledger` (export) and `ledger-import` (all or nothing)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from mellanrum.benefits import actions as ledger_actions
from mellanrum.benefits.models import LedgerRow
from mellanrum.collaborations.cli import initiatives
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db

GOOD = ("organisation;year;kind;planned;realised;description\n"
        "9902;2025;money;12 500,50;;Porto\n"
        "9902;2025;qualitative;;;Nöjdare invånare\n")


def run(*args: str) -> Result:
    return CliRunner().invoke(initiatives, list(args))


def test_import_then_export_round_trips(initiative: Initiative, charlie: User,
                                        tmp_path: Path) -> None:
    source = tmp_path / "ledger.csv"
    source.write_text(GOOD, encoding="utf-8")
    result = run("ledger-import", str(initiative.pk), str(source), "--user", "charlie")
    assert result.exit_code == 0, result.output
    assert LedgerRow.objects.count() == 2
    assert LedgerRow.objects.get(kind="money").planned == Decimal("12500.50")
    exported = run("ledger", str(initiative.pk), "--format", "csv")
    assert exported.exit_code == 0, exported.output
    assert "9902,2025,money,12500.50,,Porto" in exported.output
    again = tmp_path / "again.csv"
    again.write_text(exported.output, encoding="utf-8")
    LedgerRow.objects.all().delete()
    assert run("ledger-import", str(initiative.pk), str(again), "--user",
               "charlie").exit_code == 0
    assert LedgerRow.objects.count() == 2


def test_a_partner_cannot_import_rows_for_another_partner(initiative: Initiative,
                                                          charlie: User,
                                                          tmp_path: Path) -> None:
    source = tmp_path / "ledger.csv"
    source.write_text(GOOD + "9901;2025;money;100;;Alfas rad\n", encoding="utf-8")
    result = run("ledger-import", str(initiative.pk), str(source), "--user", "charlie")
    assert result.exit_code != 0
    assert "line 4" in result.output and "9901" in result.output
    assert not LedgerRow.objects.exists()


def test_row_errors_are_listed_and_nothing_is_written(initiative: Initiative, alice: User,
                                                      tmp_path: Path) -> None:
    source = tmp_path / "ledger.csv"
    source.write_text("organisation,year,kind,planned,realised,description\n"
                      "9901,2025,money,100,,ok\n"
                      "9901,1850,money,100,,old\n"
                      "9901,2025,money,-4,,negative\n"
                      "9901,2025,gift,1,,kind\n", encoding="utf-8")
    result = run("ledger-import", str(initiative.pk), str(source), "--user", "alice")
    assert result.exit_code != 0
    for line in ("line 3", "line 4", "line 5"):
        assert line in result.output
    assert "line 2" not in result.output
    assert not LedgerRow.objects.exists()


def test_dry_run_and_bad_files(initiative: Initiative, alice: User, dave: User,
                               tmp_path: Path) -> None:
    source = tmp_path / "ledger.csv"
    source.write_text("organisation,year,kind,planned\n9901,2025,money,5\n", encoding="utf-8")
    result = run("ledger-import", str(initiative.pk), str(source), "--user", "alice",
                 "--dry-run")
    assert result.exit_code == 0 and "Would import 1" in result.output
    assert not LedgerRow.objects.exists()
    hidden = run("ledger-import", str(initiative.pk), str(source), "--user", "dave")
    assert hidden.exit_code != 0 and not LedgerRow.objects.exists()
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert run("ledger-import", str(initiative.pk), str(binary), "--user",
               "alice").exit_code != 0
    headerless = tmp_path / "y.csv"
    headerless.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("ledger-import", str(initiative.pk), str(headerless), "--user", "alice")
    assert result.exit_code != 0 and "Missing columns" in result.output


def test_export_json_and_xlsx(initiative: Initiative, alice: User, dave: User,
                              alfa: Organisation, tmp_path: Path) -> None:
    ledger_actions.do_add_ledger_row(initiative, acting_user=alice, organisation=alfa, year=2025,
                              kind="money", planned=Decimal(1000))
    data = json.loads(run("ledger", str(initiative.pk), "--format", "json").output)
    assert data["summary"]["net_gain"] == "1000.00"
    assert data["rows"][0]["organisation"] == "9901"
    output = tmp_path / "l.xlsx"
    assert run("ledger", str(initiative.pk), "--format", "xlsx", "-O",
               str(output)).exit_code == 0
    assert load_workbook(output).worksheets[2].max_row == 2
    assert run("ledger", str(initiative.pk), "--format", "xlsx").exit_code != 0
    hidden = run("ledger", str(initiative.pk), "--user", "dave")
    assert hidden.exit_code != 0 and "No initiative" in hidden.output
    assert run("ledger", "999999").exit_code != 0
