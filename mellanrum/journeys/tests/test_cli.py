"""The CLI contract that external checks rely on: `mellanrum journey` and `mellanrum find`."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from mellanrum.journeys.cli import find, journey
from mellanrum.journeys.models import LifeEvent
from mellanrum.landscape.models import Activity


def _run(command: click.Command, args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(command, args)
    return result.exit_code, result.stdout, result.stderr


def test_journey_json_across_a_county_border(
    activities: dict[tuple[str, str], Activity]
) -> None:
    code, out, _err = _run(journey, ["flytta-till-annan-kommun", "--municipality", "0114",
                                     "--to", "1280", "--format", "json"])
    assert code == 0
    result = json.loads(out)
    assert result["life_event"]["id"] == "flytta-till-annan-kommun"
    steps = result["steps"]
    assert steps[0]["organisation"]["name"] == "Skatteverket"
    assert steps[2]["organisation"]["code"] == "1280"
    assert steps[2]["activity"]["name"] == "Söka plats i förskola"
    assert steps[2]["activity"]["activity_id"] == str(activities[("1280", "forskoleplats")].pk)
    analysis = result["analysis"]
    assert analysis["borders"] == {"municipal": 1, "regional": 1, "state": 2}
    assert analysis["organisation_count"] == len(analysis["organisations"])
    assert analysis["handoff_count"] == len(analysis["handoffs"]) > 0
    assert analysis["repeated_information"][0]["item"] == "adress"
    assert analysis["total_lead_time_days"] == sum(
        s["lead_time_days"] or 0 for s in steps)
    assert analysis["gap_count"] == len([s for s in steps if s["gap"]])


def test_find_json_has_the_contract_shape_best_first(
    activities: dict[tuple[str, str], Activity]
) -> None:
    code, out, _err = _run(find, ["mamma klarar sig inte hemma längre", "--municipality",
                                  "0182", "--format", "json"])
    assert code == 0
    result = json.loads(out)
    assert set(result) >= {"life_events", "services"}
    first = result["life_events"][0]
    assert (first["id"], first["label"]) == ("aldras-stod-hemma", "Bli äldre och behöva stöd hemma")
    scores = [e["score"] for e in result["life_events"]]
    assert scores == sorted(scores, reverse=True)
    service = result["services"][0]
    assert {"activity_id", "name", "organisation"} <= set(service)
    assert (service["name"], service["organisation"]) == ("Hemtjänst", "Nacka kommun")
    assert service["activity_id"] == str(activities[("0182", "hemtjanst")].pk)


def test_the_commands_load_the_catalogue_when_the_database_has_none(reference: None) -> None:
    assert not LifeEvent.objects.exists()
    code, out, _err = _run(find, ["jag vill starta ett kafé", "--municipality", "0182"])
    assert code == 0
    assert json.loads(out)["life_events"][0]["id"] == "oppna-restaurang"
    assert LifeEvent.objects.exists()


def test_table_format(activities: dict[tuple[str, str], Activity]) -> None:
    code, out, _err = _run(journey, ["fa-barn", "--municipality", "0182", "--format", "table"])
    assert code == 0
    assert "Nacka kommun" in out
    assert "väntetid (kritisk linje)" in out and "(väntar på 2)" in out
    assert "kunde hämtas: inkomst" in out
    code, out, _err = _run(find, ["flyttar", "--format", "table"])
    assert code == 0
    assert "flytta-till-annan-kommun" in out


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        (journey, ["fa-barn", "--municipality", "9999"], "unknown municipality code"),
        (journey, ["fa-barn", "--municipality", "0182", "--to", "12345"], "--to"),
        (journey, ["finns-inte", "--municipality", "0182"], "unknown life event"),
        (journey, ["fa-barn"], "--municipality"),
        (journey, ["fa-barn", "--municipality", "0182", "--format", "xml"], "--format"),
        (find, ["", "--municipality", "0182"], "empty"),
        (find, ["x" * 10_000, "--municipality", "0182"], "longer than"),
        (find, ["flyttar", "--municipality", "Atlantis"], "unknown municipality code"),
    ],
)
def test_errors_are_one_line_on_stderr_with_a_non_zero_exit(
    catalogue: None, command: click.Command, args: list[str], message: str
) -> None:
    code, out, err = _run(command, args)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_a_municipality_may_also_be_given_by_its_exact_name(
    activities: dict[tuple[str, str], Activity]
) -> None:
    code, out, _err = _run(find, ["hemtjänst", "--municipality", "Nacka"])
    assert code == 0
    assert json.loads(out)["services"][0]["organisation"] == "Nacka kommun"
    code, _out, err = _run(find, ["hemtjänst", "--municipality", "Nackka"])
    assert code == 1
    assert "unknown municipality" in err
