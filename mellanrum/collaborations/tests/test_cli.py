"""`mellanrum initiatives list` and `export`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from mellanrum.collaborations.cli import initiatives
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User
from mellanrum.lib.xlsx import active_sheet


def test_list_as_json_and_per_user(initiative: Initiative, dave: User) -> None:
    result = CliRunner().invoke(initiatives, ["list", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["title"] == initiative.title
    hidden = CliRunner().invoke(initiatives, ["list", "--user", "dave"])
    assert hidden.exit_code == 0 and initiative.title not in hidden.output
    unknown = CliRunner().invoke(initiatives, ["list", "--user", "nobody"])
    assert unknown.exit_code != 0 and "nobody" in unknown.output


def test_export_xlsx(initiative: Initiative, tmp_path: Path) -> None:
    output = tmp_path / "portfolio.xlsx"
    result = CliRunner().invoke(initiatives, ["export", "--format", "xlsx", "-O", str(output)])
    assert result.exit_code == 0, result.output
    sheet = active_sheet(load_workbook(output))
    assert sheet.cell(2, 1).value == initiative.title
    assert sheet.cell(2, 5).value == 3.6
