"""Tests for airport games (airport.py): closed forms against the table-based engine, against
hand-computed and published cases, with identical players (counts) and at scale."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mellanrum.engines.fairshare import (
    AirportModel,
    Game,
    check_core,
    game_from_dict,
    game_from_model,
    least_core,
    nucleolus,
    scrb,
    shapley_sample,
    shapley_values,
    solve,
)
from mellanrum.engines.fairshare.tests._helpers import satisfies_kohlberg

# Birmingham airport 1968-69 (Littlechild & Thompson 1977, as tabulated in the R package
# AirportProblems): annual capital cost of the runway each aircraft type needs (pounds),
# and its number of movements (landings and take-offs).
BIRMINGHAM_COST = [65899, 76725, 95200, 97200, 97436, 98142, 102496, 104849, 113322, 115440, 117676]
BIRMINGHAM_MOVES = [42, 9555, 288, 303, 151, 1315, 505, 1128, 151, 112, 22]


def unit_table_game(costs: Sequence[float], counts: list[int]) -> Game:
    """The airport game of the individual players as a plain table, built here by brute
    force (max over members), so the table-based engine solves it without any closed form."""
    unit_costs = [c for c, k in zip(costs, counts, strict=True) for _ in range(k)]
    n = len(unit_costs)
    values = np.zeros(1 << n)
    for mask in range(1, 1 << n):
        values[mask] = max(unit_costs[i] for i in range(n) if mask >> i & 1)
    return Game("cost", tuple(f"u{i}" for i in range(n)), values)


def per_id(unit_amounts: np.ndarray, counts: list[int]) -> np.ndarray:
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int)
    return np.add.reduceat(unit_amounts, starts)


def airport_game(costs: Sequence[float], counts: list[int] | None = None) -> Game:
    ids = [f"T{i}" for i in range(len(costs))]
    return game_from_model(ids, AirportModel(np.array(costs, dtype=float)), counts=counts)


small_airports = (
    st.integers(1, 5)
    .flatmap(
        lambda m: st.tuples(
            st.lists(st.integers(0, 12), min_size=m, max_size=m),
            st.lists(st.integers(1, 3), min_size=m, max_size=m),
        )
    )
    .filter(lambda cc: sum(cc[1]) <= 10)
)


def test_shapley_matches_littlechild_owen_published_example() -> None:
    """Littlechild & Owen (1973): runway costs 8, 11, 13, 18. Segment 8 is shared by 4,
    3 by 3, 2 by 2 and 5 by 1: A 2, B 2+1 = 3, C 2+1+1 = 4, D 2+1+1+5 = 9."""
    assert shapley_values(airport_game([8, 11, 13, 18])).amounts == pytest.approx([2, 3, 4, 9])


def test_nucleolus_matches_littlechild_worked_example() -> None:
    """Littlechild (1974) on costs 8, 11, 13, 18: the ratios c_j/(j+1) are 8/2, 11/3 and
    13/4; the smallest, 13/4 = 3.25, settles A, B and C; D pays 18 - 9.75 = 8.25."""
    result = nucleolus(airport_game([8, 11, 13, 18]))
    assert result.amounts == pytest.approx([3.25, 3.25, 3.25, 8.25])


def test_hand_computed_case_with_counts() -> None:
    """Three A (cost 8), one B (11), two C (13); six players in all.

    Shapley: segment 8 is shared by 6 (8/6 = 4/3 each), segment 3 by the 3 players of B and
    C (1 each), segment 2 by the 2 C (1 each): A 4/3, B 7/3, C 10/3 per player; totals A 4,
    B 7/3, C 20/3 (sum 13).

    Nucleolus (players sorted A A A B C C, candidates at the last A (j=3), B (j=4) and the
    fifth player (j=5)): 8/4 = 2, 11/5 = 2.2, 13/6 = 2.17, so the three A pay 2 each (6 in
    all). Then (11-6)/(4-3+1) = 2.5 and (13-6)/(5-3+1) = 7/3: B and the first C pay 7/3,
    the last C pays 13 - 6 - 14/3 = 7/3. Totals A 6, B 7/3, C 14/3.
    """
    game = airport_game([8, 11, 13], [3, 1, 2])
    sh = shapley_values(game)
    assert sh.amounts == pytest.approx([4, 7 / 3, 20 / 3])
    assert sh.details["per_unit"] == pytest.approx({"T0": 4 / 3, "T1": 7 / 3, "T2": 10 / 3})
    nu = nucleolus(game)
    assert nu.amounts == pytest.approx([6, 7 / 3, 14 / 3])
    assert nu.details["per_unit"] == pytest.approx({"T0": 2, "T1": 7 / 3, "T2": 7 / 3})


@settings(max_examples=60, deadline=None)
@given(small_airports)
def test_closed_form_shapley_equals_the_table_engine(case: tuple[list[int], list[int]]) -> None:
    costs, counts = case
    closed = shapley_values(airport_game(costs, counts)).amounts
    table = shapley_values(unit_table_game(costs, counts)).amounts
    assert closed == pytest.approx(per_id(table, counts), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(small_airports)
def test_closed_form_nucleolus_equals_the_table_engine(case: tuple[list[int], list[int]]) -> None:
    """Against the LP nucleolus of the individual players (counts expanded), and Kohlberg's
    criterion; many ties (equal costs, zero costs) come up."""
    costs, counts = case
    closed = nucleolus(airport_game(costs, counts)).amounts
    units = unit_table_game(costs, counts)
    table = nucleolus(units).amounts
    assert closed == pytest.approx(per_id(table, counts), abs=1e-7)
    per_unit = np.repeat(closed / np.array(counts), counts)
    assert satisfies_kohlberg(units, per_unit)


@settings(max_examples=60, deadline=None)
@given(small_airports, st.data())
def test_closed_form_core_check_agrees_with_the_table(
    case: tuple[list[int], list[int]], data: st.DataObject
) -> None:
    """Any split (negative shares too): same verdict and same largest gain as checking
    every coalition of the individual players."""
    costs, counts = case
    game = airport_game(costs, counts)
    per_unit = np.array(
        data.draw(st.lists(st.integers(-3, 10), min_size=len(costs), max_size=len(costs))),
        dtype=float,
    )
    per_unit[-1] += (max(costs) - float(np.dot(per_unit, counts))) / counts[-1]  # efficient
    closed = check_core(game, per_unit * np.array(counts))
    table = check_core(unit_table_game(costs, counts), np.repeat(per_unit, counts))
    assert closed.in_core == table.in_core
    if table.blocking:
        assert closed.blocking[0].excess == pytest.approx(table.blocking[0].excess)
    else:
        assert closed.blocking == ()


def test_other_methods_with_counts_equal_the_table_engine_on_individual_players() -> None:
    costs, counts = [8.0, 11.0, 13.0], [3, 1, 2]
    game = airport_game(costs, counts)
    units = unit_table_game(costs, counts)
    lc = least_core(game)
    assert lc.amounts == pytest.approx(per_id(least_core(units).amounts, counts))
    assert lc.details["epsilon"] == pytest.approx(least_core(units).details["epsilon"])
    assert scrb(game).amounts == pytest.approx(per_id(scrb(units).amounts, counts))
    assert solve(game, "equal").amounts == pytest.approx([6.5, 13 / 6, 13 / 3])


def test_sampled_shapley_with_counts_covers_the_closed_form() -> None:
    game = airport_game([8, 11, 13, 18], [30, 5, 12, 2])
    exact = shapley_values(game).amounts
    est = shapley_sample(game, samples=4000, seed=2)
    assert est.amounts.sum() == pytest.approx(18.0)
    for i, p in enumerate(game.players):
        low, high = est.details["confidence_interval"][p]
        assert low - 1e-9 <= exact[i] <= high + 1e-9


def test_birmingham_airport_by_closed_form() -> None:
    """13 572 movements of 11 aircraft types. Hand-computed: the Fokker's segment
    (65 899) is shared by all 13 572 movements, 4.8555 each; the Viscount adds
    (76 725 - 65 899) / (13 572 - 42) = 0.8001, 5.6556 per movement. The nucleolus's
    first ratio is smallest at the Comet 4B, the eighth type: 104 849 / (13 287 + 1) =
    7.8905, against 76 725 / 9 598 = 7.9939 (Viscount) and 117 676 / 13 572 = 8.6705
    (Boeing 707), so the first eight types pay 7.8905 per movement."""
    game = airport_game([float(c) for c in BIRMINGHAM_COST], BIRMINGHAM_MOVES)
    sh = shapley_values(game).details["per_unit"]
    assert sh["T0"] == pytest.approx(65899 / 13572)
    assert sh["T1"] == pytest.approx(65899 / 13572 + 10826 / 13530)
    assert sum(
        sh[p] * k for p, k in zip(game.players, BIRMINGHAM_MOVES, strict=True)
    ) == pytest.approx(117676)
    nu = nucleolus(game).details["per_unit"]
    for p in game.players[:8]:
        assert nu[p] == pytest.approx(104849 / 13288)
    assert nu["T8"] > nu["T0"]
    assert check_core(game, nucleolus(game)).in_core is True
    assert check_core(game, shapley_values(game)).in_core is True


def test_birmingham_costs_one_movement_each_match_the_lp_nucleolus() -> None:
    """The 11 Birmingham costs with one movement per type, against the LP engine."""
    costs = [float(c) for c in BIRMINGHAM_COST]
    closed = nucleolus(airport_game(costs)).amounts
    lp = nucleolus(unit_table_game(costs, [1] * 11)).amounts
    assert closed == pytest.approx(lp, rel=1e-9)


def test_thousands_of_players_are_solved_in_closed_form() -> None:
    # Over 500,000 players: no coalition table could be built, so an answer proves the
    # closed forms were used (speed is measured in bench/fairshare.py, not here).
    rng = np.random.default_rng(7)
    m = 3000
    costs = rng.uniform(1, 1000, m).round(0)
    counts = rng.integers(1, 400, m)
    players = [{"id": f"T{i}", "count": int(counts[i])} for i in range(m)]
    data = {
        "kind": "cost",
        "players": players,
        "model": {"type": "airport", "cost": {f"T{i}": costs[i] for i in range(m)}},
    }
    game = game_from_dict(data)
    sh = solve(game, "shapley")
    nu = solve(game, "nucleolus")
    check = check_core(game, nu)
    assert game.units == int(counts.sum()) > 500_000
    assert sh.total == pytest.approx(costs.max()) and nu.total == pytest.approx(costs.max())
    assert check.in_core is True
    # Larger runways never pay less per movement (both rules are monotone in the cost).
    order = np.argsort(costs, kind="stable")
    for alloc in (sh, nu):
        per = np.array([alloc.details["per_unit"][f"T{i}"] for i in order])
        assert np.all(np.diff(per) >= -1e-9)


def test_airport_table_is_the_largest_cost_in_each_coalition() -> None:
    model = AirportModel(np.array([5.0, 2.0, 9.0]))
    assert model.table().tolist() == [0, 5, 2, 5, 9, 9, 9, 9]
    assert model.prefix_costs(np.array([[1, 0, 2]])).tolist() == [[0, 2, 5, 9]]
