"""Tests for building games from JSON-like data and completing missing coalitions (game.py)."""

from __future__ import annotations

import numpy as np
import pytest

from mellanrum.engines.fairshare import (
    CostModel,
    GameError,
    game_from_dict,
    game_from_json,
    game_from_model,
    game_from_values,
    require_table_memory,
)

EXAMPLE = {
    "kind": "cost",
    "players": [{"id": "A", "population": 85000, "demand": 6.7}, {"id": "B", "population": 30000}],
    "values": {"A": 21.95, "B": 17.08, "A,B": 34.5},
    "completion": "subadditive",
}


def test_it_reads_the_documented_example() -> None:
    g = game_from_dict(EXAMPLE)
    assert g.kind == "cost"
    assert g.players == ("A", "B")
    assert g.table().tolist() == [0.0, 21.95, 17.08, 34.5]
    assert g.attributes["A"] == {"population": 85000.0, "demand": 6.7}
    assert g.attributes["B"] == {"population": 30000.0}


def test_keys_in_any_order_with_spaces() -> None:
    g = game_from_values(
        "value",
        ["A", "B", "C"],
        {" C , A": 5, "A": 1, "B": 1, "C": 1, "B,A": 2, "C,B": 2, "B, C,A": 9},
    )
    assert g.value_of(["A", "C"]) == 5
    assert g.value_of(["A", "B", "C"]) == 9


def test_subadditive_completion_takes_the_cheapest_partition() -> None:
    g = game_from_values(
        "cost",
        ["A", "B", "C", "D"],
        {"A": 5, "B": 6, "C": 7, "D": 8, "A,B": 9, "C,D": 10, "A,B,C,D": 18},
    )
    assert g.value_of(["A", "B", "C"]) == 9 + 7  # {A,B} + {C} beats 5 + 6 + 7
    assert g.value_of(["A", "C", "D"]) == 5 + 10
    assert g.value_of(["B", "C"]) == 13


def test_superadditive_completion_takes_the_best_partition() -> None:
    g = game_from_values("value", ["A", "B", "C"], {"A": -1, "B": 0, "C": 2, "A,B": 3, "A,B,C": 6})
    assert g.value_of(["A", "B"]) == 3
    assert g.value_of(["A", "C"]) == 1
    assert g.value_of(["B", "C"]) == 2


def test_given_values_are_kept_even_if_a_partition_is_better() -> None:
    g = game_from_values("cost", ["A", "B"], {"A": 1, "B": 1, "A,B": 5})
    assert g.grand == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"values": {"A": 1, "A,C": 2, "A,B": 3, "B": 1}},
            'values: coalition "A,C" names unknown player "C"',
        ),
        ({"values": {"A": 1, "B": 2}}, "grand coalition"),
        ({"values": {"A": 1, "A,B": 2}}, 'coalition "B" is missing and cannot be built'),
        ({"values": {"A": 1, "B": 1, "A,B": "lots"}}, '"A,B": "lots" is not a number'),
        ({"values": {"A": 1, "B": 1, "A,B": 3, "B,A": 3}}, "are the same coalition"),
        ({"values": {"A": 1, "B": 1, "A,A": 3}}, 'names player "A" twice'),
        ({"values": {"A": 1, "B": 1, "A,,B": 3}}, "empty player id"),
        ({"values": {"A": 1, "B": 1, "A,B": True}}, "is not a number"),
        ({"kind": "profit"}, 'kind: "profit" must be "cost" or "value"'),
        ({"players": [{"id": "A"}, {"id": "A"}]}, 'duplicate id "A"'),
        ({"players": [{"id": "A"}, {"name": "B"}]}, "players[1]: must be an object with an id"),
        ({"players": [{"id": "A", "population": [1]}, {"id": "B"}]}, 'attribute "population"'),
        ({"completion": "none"}, None),
        ({"completion": "magic"}, 'completion: "magic"'),
        ({"extra": 1}, 'unknown field "extra"'),
    ],
)
def test_bad_games_are_rejected_with_a_clear_message(
    change: dict[str, object], message: str | None
) -> None:
    data = {**EXAMPLE, **change}
    if message is None:
        assert game_from_dict(data).grand == 34.5  # complete table with "none" is fine
        return
    with pytest.raises(GameError) as info:
        game_from_dict(data)
    assert message in str(info.value)


def test_completion_none_requires_every_coalition() -> None:
    with pytest.raises(GameError, match='coalition "B,C" is missing and completion is "none"'):
        game_from_values(
            "cost",
            ["A", "B", "C"],
            {"A": 1, "B": 1, "C": 1, "A,B": 2, "A,C": 2, "A,B,C": 3},
            completion="none",
        )


def test_a_table_beyond_the_memory_limit_is_refused_with_the_memory_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MELLANRUM_FAIRSHARE_MAX_MEMORY", "1GiB")
    ids = [f"P{i}" for i in range(28)]
    values = {**{p: 1.0 for p in ids}, ",".join(ids): 20.0}
    with pytest.raises(
        GameError,
        match=r"28 players need a table of 2\^28 coalition values:"
        r" 2.0 GiB, 3.0 GiB with working memory, but only 1.0 GiB",
    ):
        game_from_values("cost", ids, values)


def test_a_bad_memory_limit_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MELLANRUM_FAIRSHARE_MAX_MEMORY", "lots")
    with pytest.raises(GameError, match='MELLANRUM_FAIRSHARE_MAX_MEMORY: "lots" must be'):
        require_table_memory(24, 2.0, "shapley")
    # Tables of at most 16 MiB (with working memory) are never refused, so never read it.
    assert game_from_values("cost", ["A"], {"A": 1}).grand == 1.0


def test_bad_json_is_a_game_error() -> None:
    with pytest.raises(GameError, match="not valid JSON"):
        game_from_json("{'kind': 'cost'}")


def test_cost_model_from_json_matches_the_formula() -> None:
    data = {
        "kind": "cost",
        "players": [{"id": "A", "cases": 100, "alone": 40}, {"id": "B", "cases": 300, "alone": 60}],
        "model": {
            "fixed": 50,
            "unit_cost": 2,
            "exponent": 0.5,
            "volume": "cases",
            "own": "alone",
            "size_exponent": 0.25,
        },
    }
    g = game_from_dict(data)
    assert g.values is None
    expected_ab = 50 + 2 * 400**0.5 + 100 * 2**-0.25
    assert g.grand == pytest.approx(expected_ab)
    assert g.standalone() == pytest.approx([50 + 20 + 40, 50 + 2 * 300**0.5 + 60])
    assert g.table()[3] == pytest.approx(expected_ab)


def test_model_table_agrees_with_direct_evaluation() -> None:
    rng = np.random.default_rng(0)
    n = 9
    model = CostModel(
        volume=rng.uniform(0, 5, n),
        own=rng.uniform(10, 100, n),
        fixed=3.0,
        unit_cost=1.5,
        exponent=0.7,
        size_exponent=0.25,
    )
    g = game_from_model([f"P{i}" for i in range(n)], model)
    masks = np.arange(2**n)
    members = (masks[:, None] >> np.arange(n)) & 1
    assert g.table() == pytest.approx(model.cost(members.astype(bool)))


def test_model_with_unknown_attribute() -> None:
    with pytest.raises(GameError, match='model: volume: player "B" has no attribute "cases"'):
        game_from_dict(
            {
                "kind": "cost",
                "players": [{"id": "A", "cases": 1}, {"id": "B"}],
                "model": {"volume": "cases"},
            }
        )
