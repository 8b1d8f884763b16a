"""`mellanrum import` with --map, --format json and one language per run."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from mellanrum.cli import main
from mellanrum.landscape import actions
from mellanrum.landscape.models import Activity, ColumnMapping, Organisation

NACKA = Path(__file__).parent / "data" / "nacka_verksamhetskatalog.csv"
NACKA_MAPS = [
    "--map", "Verksamhet=Namn",
    "--map", "Kostnad (kr)=Annual cost (SEK)",
    "--map", "Handläggningstid=Ledtid (dagar)",
    "--map", "Kontaktperson=-",
    "--map", "Förvaltning=-",
]

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", *args])
    return result.exit_code, result.output


def test_map_options_import_a_municipality_file_and_print_json(alfa: Organisation) -> None:
    code, output = run(str(NACKA), "-o", alfa.code, "--format", "json", *NACKA_MAPS)

    assert code == 0, output
    assert json.loads(output) == {"new": 5, "changed": 0, "unchanged": 0, "kept": 0,
                                  "errors": []}
    assert Activity.objects.get(name="Färdtjänst").annual_cost_sek == Decimal("12500000.75")
    assert Activity.objects.get(name="Bygglov för enbostadshus").lead_time_days == 28
    assert not ColumnMapping.objects.exists()  # the command line does not change the web's

    code, output = run(str(NACKA), "-o", alfa.code, "--format", "json", "--dry-run",
                       *NACKA_MAPS)
    assert code == 0
    assert json.loads(output)["unchanged"] == 5


def test_unknown_columns_fail_with_the_map_to_give(alfa: Organisation) -> None:
    code, output = run(str(NACKA), "-o", alfa.code, "--format", "json")

    assert code == 1
    report = json.loads(output)
    assert (report["new"], report["changed"], report["unchanged"], report["kept"]) == (0, 0, 0, 0)
    by_column = {error["column"]: error for error in report["errors"]}
    assert set(by_column) == {"Verksamhet", "Kostnad (kr)", "Handläggningstid", "Kontaktperson",
                              "Förvaltning"}
    assert by_column["Handläggningstid"]["row"] == 3
    assert '--map "Handläggningstid=Ledtid (dagar)"' in by_column["Handläggningstid"]["reason"]
    assert '--map "Förvaltning=-"' in by_column["Förvaltning"]["reason"]
    assert not Activity.objects.exists()


def test_row_errors_are_listed_in_json_and_nothing_is_saved(
    alfa: Organisation, tmp_path: Path
) -> None:
    source = tmp_path / "fel.csv"
    source.write_text("Namn;Årskostnad (kr)\nBygglov;tolv\nHemtjänst;5\n", encoding="utf-8")
    code, output = run(str(source), "-o", alfa.code, "--format", "json", "--language", "en")

    assert code == 1
    assert json.loads(output)["errors"] == [{
        "row": 2, "column": "Årskostnad (kr)", "value": "tolv",
        "reason": "The value is not a number. Write for example 1 234,50 or 1234.5.",
    }]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("maps", "expected"),
    [
        (["--map", "Verksamhet=Namn", "--map", "Förvaltning=Namn"], "kopplade till samma fält"),
        (["--map", "Verksamhet=-"], "Ingen kolumn är kopplad till Namn"),
        (["--map", "Verksamhet=Rubrik"], "Fältet Rubrik i kopplingen Verksamhet=Rubrik finns inte"),
        (["--map", "Budget=Namn"], "Filen har ingen kolumn som heter ”Budget”"),
    ],
    ids=["two-columns-one-field", "no-name", "unknown-field", "unknown-header"],
)
def test_bad_maps_are_explained_and_save_nothing(
    alfa: Organisation, maps: list[str], expected: str
) -> None:
    complete = ["--map", "Kostnad (kr)=-", "--map", "Handläggningstid=-",
                "--map", "Kontaktperson=-", "--map", "Förvaltning=-"]
    code, output = run(str(NACKA), "-o", alfa.code, *complete, *maps)

    assert code == 1
    assert expected in output, output
    assert not Activity.objects.exists()


def test_a_run_speaks_one_language(alfa: Organisation, tmp_path: Path) -> None:
    source = tmp_path / "v.csv"
    source.write_text("Namn;Årskostnad (kr)\nBygglov;tolv\n", encoding="utf-8")
    _code, swedish = run(str(source), "-o", alfa.code)
    _code, english = run(str(source), "-o", alfa.code, "--language", "en")

    assert swedish.splitlines() == [
        "v.csv: rad 2, kolumn Årskostnad (kr): "
        "Värdet är inte ett tal. Skriv till exempel 1 234,50.",
        "Fel: 1 problem i v.csv; ingenting importerades.",
    ]
    assert english.splitlines()[-1] == "Error: 1 problem in v.csv; nothing was imported."
    assert not re.search(r"\b(rad|kolumn|Fel)\b", english)

    source.write_text("Namn\nBygglov\n", encoding="utf-8")
    _code, swedish = run(str(source), "-o", alfa.code, "--dry-run")
    assert swedish.strip() == ("Provkörning för Alfa kommun, ingenting sparades: 1 nya, "
                               "0 ändrade, 0 oförändrade, 0 behålls (finns inte i filen).")


def test_rows_without_a_key_are_matched_by_name(alfa: Organisation, tmp_path: Path) -> None:
    actions.do_create_activity(alfa, acting_user=None, key="x-1", name="Ansökan om bygglov")
    source = tmp_path / "v.csv"
    source.write_text("Namn;Ledtid (dagar)\nansökan om  BYGGLOV;21\n", encoding="utf-8")
    code, output = run(str(source), "-o", alfa.code, "--language", "en")

    assert code == 0, output
    assert "0 new, 1 changed" in output
    assert "1 row without a key was matched by name." in output
    assert Activity.objects.get().lead_time_days == 21
