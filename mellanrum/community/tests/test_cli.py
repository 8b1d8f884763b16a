"""`mellanrum community`: events, attendees, networks and counterparts from the shell."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from mellanrum.cli import main
from mellanrum.community import actions
from mellanrum.community.models import Event, Network
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity
from mellanrum.lib.xlsx import active_sheet


def test_events_lists_coming_events(seminar: Event) -> None:
    result = CliRunner().invoke(main, ["community", "events", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in json.loads(result.output)] == [seminar.pk]
    text = CliRunner().invoke(main, ["community", "events"])
    assert "Seminarium om e-tjänster" in text.output and "0/2" in text.output
    past = CliRunner().invoke(main, ["community", "events", "--past"])
    assert past.exit_code == 0 and "Seminarium" not in past.stdout


def test_events_as_a_user_hides_what_they_may_not_see(
    seminar: Event, closed_network: Network, alice: User, bob: User
) -> None:
    actions.do_update_event(seminar, acting_user=alice, network=closed_network)
    result = CliRunner().invoke(main, ["community", "events", "--user", "bob",
                                       "--format", "json"])
    assert json.loads(result.output) == []
    unknown = CliRunner().invoke(main, ["community", "events", "--user", "nobody"])
    assert unknown.exit_code == 1 and "no active user" in unknown.output
    assert len(unknown.output.strip().splitlines()) == 1


def test_attendees_exports_xlsx_and_refuses_others(
    seminar: Event, bob: User, tmp_path: Path
) -> None:
    actions.do_register(seminar, bob)
    out = tmp_path / "deltagare.xlsx"
    result = CliRunner().invoke(main, ["community", "attendees", str(seminar.pk), "--user",
                                       "alice", "-O", str(out)])
    assert result.exit_code == 0, result.output
    sheet = active_sheet(load_workbook(io.BytesIO(out.read_bytes())))
    assert sheet is not None and sheet.cell(2, 2).value == "bob"
    refused = CliRunner().invoke(main, ["community", "attendees", str(seminar.pk), "--user",
                                        "bob", "-O", str(tmp_path / "x.csv")])
    assert refused.exit_code == 1 and "may not export" in refused.output
    missing = CliRunner().invoke(main, ["community", "attendees", "999999", "-O",
                                        str(tmp_path / "y.csv")])
    assert missing.exit_code == 1 and "no event with id 999999" in missing.output
    assert not (tmp_path / "x.csv").exists()


def test_networks_lists_networks(network: Network) -> None:
    result = CliRunner().invoke(main, ["community", "networks", "--format", "json"])
    assert json.loads(result.output)[0]["title"] == "Bygglovsnätverket"


def test_counterparts_needs_an_analysed_activity(activity: Activity) -> None:
    result = CliRunner().invoke(main, ["community", "counterparts", str(activity.pk)])
    assert result.exit_code == 1 and "not in the latest commonality analysis" in result.output
    missing = CliRunner().invoke(main, ["community", "counterparts", "0"])
    assert missing.exit_code == 2
    huge = CliRunner().invoke(main, ["community", "counterparts", str(2**70)])
    assert huge.exit_code == 1 and "no activity" in huge.output
