"""``mellanrum health`` through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result
from django.conf import settings
from openpyxl import load_workbook

from mellanrum.cli import main
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User
from mellanrum.health import actions
from mellanrum.health.models import Invitation, Round


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["health", *args], catch_exceptions=False)


def test_open_links_answer_results_close(initiative: Initiative, alice: User,
                                         tmp_path: Path) -> None:
    opened = run("open", str(initiative.pk), "--title", "Våren 2026", "--user", "alice")
    assert opened.exit_code == 0, opened.output
    round_ = Round.objects.get()
    links = run("links", str(round_.pk), "--partner", "9902", "--count", "3",
                "--user", "alice")
    assert links.exit_code == 0, links.output
    rows = list(csv.reader(io.StringIO(links.stdout)))
    assert rows[0] == ["organisation", "recipient", "link", "valid_until"]
    assert len(rows) == 4 and all(r[2].startswith(f"{settings.SITE_ROOT}/enkat/")
                                  for r in rows[1:])
    for row in rows[1:]:
        token = row[2].rstrip("/").rsplit("/", 1)[1]
        actions.do_submit_response(token, answers=dict.fromkeys(
            round_.instrument.item_keys, 4))
    listed = run("rounds", str(initiative.pk))
    assert "Våren 2026" in listed.stdout and "\topen\t-\t" in listed.stdout
    early = json.loads(run("results", str(round_.pk), "--user", "alice").stdout)
    assert early["released"] is False and early["responses"] is None
    assert run("close", str(round_.pk), "--user", "alice").exit_code == 0
    results = run("results", str(round_.pk), "--user", "alice")
    data = json.loads(results.stdout)
    assert data["responses"] == 3 and data["factors"][0]["mean"] == 4.0
    out = tmp_path / "r.xlsx"
    assert run("results", str(round_.pk), "--format", "xlsx", "-O", str(out)).exit_code == 0
    first = load_workbook(out).worksheets[0]
    assert first.max_row == 1 + len(round_.instrument.factors)
    listed = run("rounds", str(initiative.pk))
    assert "Våren 2026" in listed.stdout and "closed" in listed.stdout
    assert "\t3\tVåren 2026" in listed.stdout
    assert not Round.objects.get().is_open


def test_partner_editor_cannot_open_or_invite(initiative: Initiative, round_: Round,
                                              charlie: User, dave: User) -> None:
    refused = run("links", str(round_.pk), "--partner", "9902", "--count", "2",
                  "--user", "charlie")
    assert refused.exit_code != 0 and "may not" in refused.output
    hidden = run("results", str(round_.pk), "--user", "dave")
    assert hidden.exit_code != 0 and "not found" in hidden.output
    assert run("open", "999999", "--title", "X").exit_code != 0
    bad = run("links", str(round_.pk), "--partner", "9903", "--count", "2")
    assert bad.exit_code != 0 and "partner" in bad.output
    assert not Invitation.objects.exists()
