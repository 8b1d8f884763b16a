from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mellanrum.cli import main
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation

COMMANDS = [
    "demo", "init", "serve", "import", "export", "createuser", "share", "commonality", "journey",
    "find", "initiatives", "backup", "restore",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_the_installed_entry_point_runs() -> None:
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([bin_dir / "mellanrum", "--help"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0
    assert "import" in result.stdout


@pytest.mark.django_db
def test_import_and_export_round_trip(tmp_path: Path, alfa: Organisation) -> None:
    source = tmp_path / "verksamheter.csv"
    source.write_bytes(
        "Namn;Typ;Årskostnad (kr);Ledtid (dagar)\r\n"
        "Ansökan om bygglov;e-tjänst;1 234 567,50;28\r\n"
        "Hemtjänst;tjänst;90 000 000;\r\n".encode("cp1252")
    )
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source), "--organisation", alfa.code,
                                  "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output
    assert Activity.objects.get(name="Ansökan om bygglov").annual_cost_sek == 1234567.5

    again = runner.invoke(main, ["import", str(source), "--organisation", alfa.code])
    assert "0 nya" in again.output and Activity.objects.count() == 2

    out = tmp_path / "out.xlsx"
    exported = runner.invoke(main, ["export", "-o", alfa.code, "--format", "xlsx", "-O", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes()[:2] == b"PK"
    reimport = runner.invoke(main, ["import", str(out), "--organisation", alfa.code,
                                    "--language", "en"])
    assert "0 new, 0 changed" in reimport.output, reimport.output


@pytest.mark.django_db
def test_import_with_errors_changes_nothing_and_fails(tmp_path: Path, alfa: Organisation) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("Namn;Årskostnad (kr)\nBygglov;tolv\nHemtjänst;5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(source), "--organisation", alfa.code,
                                       "--language", "en"])
    assert result.exit_code != 0
    assert "row 2" in result.output
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_unknown_organisation_is_one_clear_line(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("Namn\nX\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(source), "--organisation", "0000",
                                       "--language", "en"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: no organisation with code '0000'")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.django_db
def test_import_as_user_of_other_organisation_is_refused(
    tmp_path: Path, alfa: Organisation, charlie: User
) -> None:
    source = tmp_path / "a.csv"
    source.write_text("Namn\nX\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["import", str(source), "--organisation", alfa.code, "--user", "charlie",
               "--language", "en"]
    )
    assert result.exit_code == 1
    assert "may not change" in result.output
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_createuser(alfa: Organisation) -> None:
    result = CliRunner().invoke(
        main, ["createuser", "dora", "-o", alfa.code, "--role", "editor",
               "--password", "a long enough passphrase"],
    )
    assert result.exit_code == 0, result.output
    dora = User.objects.get(username="dora")
    assert dora.organisation == alfa and dora.role == "editor"
    assert dora.check_password("a long enough passphrase")
    duplicate = CliRunner().invoke(
        main, ["createuser", "dora", "-o", alfa.code, "--password", "a long enough passphrase"],
    )
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output


@pytest.mark.django_db
def test_createuser_rejects_weak_password(alfa: Organisation) -> None:
    result = CliRunner().invoke(main, ["createuser", "eve", "-o", alfa.code, "--password", "123"])
    assert result.exit_code == 1
    assert not User.objects.filter(username="eve").exists()
