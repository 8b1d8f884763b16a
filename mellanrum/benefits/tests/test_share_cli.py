"""Tests for the `mellanrum share` command (mellanrum/benefits/cli.py), through CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mellanrum.benefits.cli import share

GAME = {
    "kind": "cost",
    "players": [{"id": "A", "population": 85000, "demand": 6.7}, {"id": "B", "population": 30000}],
    "values": {"A": 21.95, "B": 17.08, "A,B": 34.5},
    "completion": "subadditive",
}
THREE = {
    "kind": "cost",
    "players": [{"id": "A"}, {"id": "B"}, {"id": "C"}],
    "values": {"A": 10, "B": 10, "C": 10, "A,B": 12, "A,C": 20, "B,C": 20, "A,B,C": 22},
}


def _write(tmp_path: Path, data: object, name: str = "game.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(share, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("method", ["shapley", "nucleolus", "least-core", "scrb", "shapley-sample"])
def test_two_players_split_the_saving_equally(tmp_path: Path, method: str) -> None:
    code, out, err = _run(_write(tmp_path, GAME), "--method", method, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    saving = 21.95 + 17.08 - 34.5
    assert result["method"] == method
    assert result["allocation"] == pytest.approx({"A": 21.95 - saving / 2, "B": 17.08 - saving / 2})
    assert result["total"] == pytest.approx(34.5)
    assert result["in_core"] is True
    assert result["blocking_coalitions"] == []
    assert result["savings_vs_alone"] == pytest.approx({"A": saving / 2, "B": saving / 2})


def test_proportional_to_population_reports_the_blocking_partner(tmp_path: Path) -> None:
    code, out, _ = _run(_write(tmp_path, GAME), "--method", "proportional:population")
    assert code == 0
    result = json.loads(out)
    assert result["allocation"] == pytest.approx({"A": 34.5 * 85 / 115, "B": 34.5 * 30 / 115})
    assert result["in_core"] is False
    assert result["blocking_coalitions"] == [
        {"coalition": ["A"], "excess": pytest.approx(34.5 * 85 / 115 - 21.95)}
    ]
    assert result["savings_vs_alone"]["A"] == pytest.approx(21.95 - 34.5 * 85 / 115)


def test_equal_split_and_standalone_key(tmp_path: Path) -> None:
    path = _write(tmp_path, THREE)
    _, out, _ = _run(path, "--method", "equal")
    equal = json.loads(out)
    assert equal["allocation"] == pytest.approx({"A": 22 / 3, "B": 22 / 3, "C": 22 / 3})
    assert [b["coalition"] for b in equal["blocking_coalitions"]] == [["A", "B"]]
    assert equal["blocking_coalitions"][0]["excess"] == pytest.approx(44 / 3 - 12)
    _, out, _ = _run(path, "--method", "proportional:standalone")
    assert json.loads(out)["allocation"] == pytest.approx({"A": 22 / 3, "B": 22 / 3, "C": 22 / 3})


def test_shapley_sample_reports_confidence_intervals(tmp_path: Path) -> None:
    path = _write(tmp_path, THREE)
    args = (path, "--method", "shapley-sample", "--samples", "400", "--seed", "3")
    _, out, _ = _run(*args)
    result = json.loads(out)
    assert result["samples"] == 400
    assert result["seed"] == 3
    for player, (low, high) in result["confidence_interval"].items():
        assert low <= result["allocation"][player] <= high
    assert _run(*args)[1] == out  # same seed, same output


def test_table_format(tmp_path: Path) -> None:
    code, out, _ = _run(_write(tmp_path, THREE), "--method", "equal", "--format", "table")
    assert code == 0
    assert "Method: equal (cost game, 3 players)" in out
    assert "Core: no, 1 group(s) would gain by leaving:" in out
    assert "A,B would gain 2.67" in out


def test_value_game_with_negative_values(tmp_path: Path) -> None:
    game = {"kind": "value", "players": ["A", "B"], "values": {"A": -2, "B": 1, "A,B": 3}}
    _, out, _ = _run(_write(tmp_path, game), "--method", "nucleolus")
    result = json.loads(out)
    assert result["allocation"] == pytest.approx({"A": 0.0, "B": 3.0})
    assert result["savings_vs_alone"] == pytest.approx({"A": 2.0, "B": 2.0})


def test_model_game_with_290_players(tmp_path: Path) -> None:
    players = [{"id": f"K{i:03d}", "alone": 10 + (i * 37) % 90} for i in range(290)]
    game = {"kind": "cost", "players": players, "model": {"own": "alone", "size_exponent": 0.25}}
    code, out, err = _run(_write(tmp_path, game), "--method", "shapley-sample", "--samples", "50")
    assert code == 0, err
    result = json.loads(out)
    assert len(result["allocation"]) == 290
    assert result["in_core"] is None
    assert result["total"] == pytest.approx(result["grand_coalition"])


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("{not json", (), "Error: not valid JSON"),
        (
            {**GAME, "values": {"A": 1, "B": 1, "A,C": 2, "A,B": 2}},
            (),
            'Error: values: coalition "A,C" names unknown player "C"',
        ),
        (GAME, ("--method", "banzhaf"), 'Error: unknown method "banzhaf"'),
        (GAME, ("--method", "proportional:demand"), 'player "B" has no attribute "demand"'),
        (GAME, ("--format", "xml"), 'Error: --format: "xml" must be "json" or "table"'),
        (GAME, ("--method", "shapley-sample", "--samples", "many"), "Error: Invalid value"),
        ({**GAME, "values": {"A": 1, "B": 2}}, (), "grand coalition"),
        ({**GAME, "kind": "benefit"}, (), 'Error: kind: "benefit" must be "cost" or "value"'),
        (
            {"kind": "value", "players": ["A", "B"], "values": {"A": 3, "B": 3, "A,B": 4}},
            ("--method", "nucleolus"),
            "Error: nucleolus: no allocation gives every player",
        ),
    ],
)
def test_bad_input_gives_one_error_line(
    tmp_path: Path, content: object, args: tuple[str, ...], message: str
) -> None:
    code, out, err = _run(_write(tmp_path, content), *args)
    assert code != 0
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = _run(str(tmp_path / "nope.json"))
    assert code != 0
    assert err.strip().splitlines() == [
        f"Error: {tmp_path / 'nope.json'}: cannot read the file (No such file or directory)"
    ]


def test_importing_the_command_does_not_import_django() -> None:
    code = "import sys; from mellanrum.benefits.cli import share; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


AIRPORT = {
    "kind": "cost",
    "players": [{"id": "A", "count": 3}, {"id": "B"}, {"id": "C", "count": 2}],
    "model": {"type": "airport", "cost": {"A": 8, "B": 11, "C": 13}},
}


def test_airport_game_with_counts_gives_totals_and_per_unit_shares(tmp_path: Path) -> None:
    """Shapley by segments: 8 shared by 6 players, 3 by 3, 2 by 2 (see test_airport.py)."""
    code, out, err = _run(_write(tmp_path, AIRPORT), "--method", "shapley", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["allocation"] == pytest.approx({"A": 4, "B": 7 / 3, "C": 20 / 3})
    assert result["per_unit"] == pytest.approx({"A": 4 / 3, "B": 7 / 3, "C": 10 / 3})
    assert result["counts"] == {"A": 3, "B": 1, "C": 2}
    assert result["total"] == pytest.approx(13) and result["grand_coalition"] == 13
    assert result["in_core"] is True
    assert result["savings_vs_alone"] == pytest.approx({"A": 20, "B": 26 / 3, "C": 58 / 3})


def test_airport_nucleolus_and_a_blocking_split(tmp_path: Path) -> None:
    path = _write(tmp_path, AIRPORT)
    result = json.loads(_run(path, "--method", "nucleolus")[1])
    assert result["per_unit"] == pytest.approx({"A": 2, "B": 7 / 3, "C": 7 / 3})
    # Equal split, 13/6 each: the three A pay 6.5 <= 8, the A and B 8.67 <= 11, and any five
    # players 10.83 <= 13, so nobody blocks.
    equal = json.loads(_run(path, "--method", "equal")[1])
    assert equal["in_core"] is True
    # Proportional to an attribute that loads everything on A: the A's would leave.
    heavy = {
        **AIRPORT,
        "players": [
            {"id": "A", "count": 3, "w": 1},
            {"id": "B", "w": 0},
            {"id": "C", "count": 2, "w": 0},
        ],
    }
    result = json.loads(_run(_write(tmp_path, heavy, "h.json"), "--method", "proportional:w")[1])
    assert result["allocation"] == pytest.approx({"A": 13, "B": 0, "C": 0})
    assert result["in_core"] is False
    assert result["blocking_coalitions"][0] == {"coalition": ["A"], "excess": pytest.approx(5)}


def test_airport_with_thousands_of_players_and_the_sampler(tmp_path: Path) -> None:
    players = [{"id": f"T{i}", "count": 50 + i} for i in range(40)]
    game = {
        "kind": "cost",
        "players": players,
        "model": {"type": "airport", "cost": {f"T{i}": 10.0 + i for i in range(40)}},
    }
    path = _write(tmp_path, game)
    code, out, err = _run(path, "--method", "shapley")
    assert code == 0, err
    exact = json.loads(out)
    assert sum(exact["allocation"].values()) == pytest.approx(49.0)
    code, out, err = _run(path, "--method", "shapley-sample", "--samples", "200")
    assert code == 0, err
    sampled = json.loads(out)
    assert sampled["total"] == pytest.approx(49.0)
    assert (
        set(sampled["per_unit"]) == set(sampled["confidence_interval"]) == set(exact["allocation"])
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            {**AIRPORT, "model": {"type": "airport", "cost": {"A": 8, "B": -1, "C": 13}}},
            'Error: model: cost of "B" is negative (-1)',
        ),
        (
            {**AIRPORT, "model": {"type": "airport", "cost": {"A": 8, "C": 13}}},
            'Error: model: cost: the cost of "B" is missing',
        ),
        (
            {**AIRPORT, "model": {"type": "airport", "cost": {"A": 8, "B": "x", "C": 1}}},
            'Error: model: cost of "B": "x" is not a number',
        ),
        (
            {**AIRPORT, "model": {"type": "airport"}},
            'Error: model: an airport model needs "cost"',
        ),
        (
            {**AIRPORT, "model": {"type": "runway", "cost": {}}},
            'Error: model: type "runway" must be "formula" (the default) or "airport"',
        ),
        (
            {**AIRPORT, "players": [{"id": "A", "count": 0}, "B", "C"]},
            'Error: players: count of "A" must be a positive integer, not 0',
        ),
        (
            {**AIRPORT, "players": [{"id": "A", "count": 2.5}, "B", "C"]},
            'Error: players: count of "A" must be a positive integer, not 2.5',
        ),
        (
            {**AIRPORT, "players": [{"id": "A", "count": "3"}, "B", "C"]},
            'Error: players: count of "A" must be a positive integer, not "3"',
        ),
        (
            {**AIRPORT, "players": [{"id": "A", "count": True}, "B", "C"]},
            'Error: players: count of "A" must be a positive integer, not true',
        ),
        (
            {**GAME, "players": [{"id": "A", "count": 2}, {"id": "B"}]},
            'Error: players: "count" (identical players) needs a "model"',
        ),
        (
            '{"kind": "cost", "players": ["A", "B"],'
            ' "values": {"A": 1, "B": 2, "A,B": 2.5, "A,B": 3}}',
            'Error: values: coalition "A,B" is listed twice',
        ),
        (
            '{"kind": "cost", "players": ["A", "B"],'
            ' "values": {"A": 1, "B": 2, "A,B": 2.5, "B, A": 3}}',
            'Error: values: coalitions "A,B" and "B, A" are the same coalition',
        ),
        (
            '{"kind": "cost", "players": ["A", "B"], "model": {"type": "airport",'
            ' "cost": {"A": 1, "B": 2, "A": 3}}}',
            'Error: model: cost: player "A" is listed twice',
        ),
    ],
)
def test_bad_airport_input_gives_one_error_line(
    tmp_path: Path, content: object, message: str
) -> None:
    code, out, err = _run(_write(tmp_path, content), "--method", "shapley")
    assert code == 1
    assert out == ""
    assert err.strip() == message or err.startswith(message), err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_game_too_large_for_memory_is_refused_with_what_it_needs(tmp_path: Path) -> None:
    players = [{"id": f"P{i}", "alone": 10 + i} for i in range(27)]
    game = {"kind": "cost", "players": players, "model": {"own": "alone", "size_exponent": 0.25}}
    path = _write(tmp_path, game)
    result = CliRunner(env={"MELLANRUM_FAIRSHARE_MAX_MEMORY": "512MiB"}).invoke(
        share, [path, "--method", "nucleolus"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "Error: nucleolus: 27 players need a table of 2^27 coalition values: 1.0 GiB, 3.3 GiB"
        " with working memory, but only 0.5 GiB is available (MELLANRUM_FAIRSHARE_MAX_MEMORY);"
        " use shapley-sample, scrb, equal or proportional"
    )
    # Within the limit, a method that needs no table still answers (core not checked).
    result = CliRunner(env={"MELLANRUM_FAIRSHARE_MAX_MEMORY": "512MiB"}).invoke(
        share, [path, "--method", "scrb"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["in_core"] is None


def test_least_core_of_thousands_of_identical_players_is_refused_not_attempted(
    tmp_path: Path,
) -> None:
    game = {**AIRPORT, "players": [{"id": "A", "count": 30000}, {"id": "B"}, {"id": "C"}]}
    code, out, err = _run(_write(tmp_path, game), "--method", "least-core")
    assert code == 1 and out == ""
    assert err.strip() == (
        "Error: least core: 30002 players need a table of 2^30002 coalition values, far more"
        " than any memory; use shapley-sample, scrb, equal or proportional"
    )
    code, out, _ = _run(_write(tmp_path, game, "g2.json"), "--method", "nucleolus")
    assert code == 0
    assert json.loads(out)["total"] == pytest.approx(13)


def test_fixed_variable_key_from_the_command_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GAME)
    code, out, err = _run(path, "--method", "fixed-variable:20")
    assert code == 0, err
    # 20 % of 34.5 split equally (3.45 each), 27.6 by population 85 000 / 30 000.
    assert json.loads(out)["allocation"] == pytest.approx(
        {"A": 3.45 + 27.6 * 85 / 115, "B": 3.45 + 27.6 * 30 / 115})
    code, _, err = _run(path, "--method", "fixed-variable:150")
    assert code != 0 and "between 0 and 100" in err
