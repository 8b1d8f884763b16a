"""Benchmark of the fair-sharing engine against peer packages, in one run.

Run by hand (not part of the tests)::

    .venv/bin/pip install -e ".[bench]"                # coopgame-py (tucoopy optional)
    .venv/bin/python bench/fairshare.py                # about 7 minutes on 2 cores
    .venv/bin/python bench/fairshare.py --quick        # smaller sizes, about a minute
    .venv/bin/python bench/fairshare.py --least-core   # only the least core, 3..25 players

Measures airport games by closed form (against the table engine and coopgame, and with
identical players: Birmingham 1968-69 and 600 000 players), the peak memory of every table
method in tables, exact Shapley for 10..25 players on the fair benchmark game of
docs/fairshare.md (stand-alone costs uniform 10..100 with a fixed seed,
c(S) = (sum c_i) |S|^-0.25), the nucleolus on that game and on multi-level games
(coopgame's Game.bnf), the least core at every size from 3 to 25, and sampling accuracy
for 290 players against the closed-form Shapley value, on the model and on a Python
function. Peers solve the same games in the same run; the script asserts that the numbers
agree and prints time ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import timeit
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mellanrum.engines.fairshare import (  # noqa: E402
    AirportModel,
    CostModel,
    Game,
    GameError,
    check_core,
    game_from_function,
    game_from_model,
    least_core,
    nucleolus,
    require_table_memory,
    shapley_sample,
    shapley_values,
    table_bytes,
)

try:
    import coopgame
except ImportError:  # pragma: no cover - optional peer
    coopgame = None
try:
    import tucoopy
except ImportError:  # pragma: no cover - optional peer
    tucoopy = None

SEED = 2026
EXPONENT = 0.25
AGREE = 1e-6  # relative to the grand coalition's cost


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {_version('scipy')}, coopgame "
        f"{getattr(coopgame, '__version__', _version('coopgame-py')) if coopgame else 'absent'},"
        f" tucoopy {_version('tucoopy') if tucoopy else 'absent'}"
    )


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "absent"


def fair_game(n: int, seed: int = SEED) -> tuple[Game, np.ndarray]:
    """The fair benchmark cost game and its stand-alone costs."""
    costs = np.random.default_rng(seed).uniform(10, 100, n)
    model = CostModel(volume=np.zeros(n), own=costs, size_exponent=EXPONENT)
    return game_from_model([f"P{i}" for i in range(n)], model), costs


def closed_form_shapley(costs: np.ndarray, a: float = EXPONENT) -> np.ndarray:
    """Exact Shapley value of c(S) = (sum c_i) |S|^-a, which is linear in the costs:
    phi_i = 1/n sum_{s=0}^{n-1} [(s m_i + c_i)(s+1)^-a - s m_i s^-a], m_i = (C - c_i)/(n-1)."""
    n = len(costs)
    s = np.arange(n, dtype=np.float64)[:, None]
    mean_other = (costs.sum() - costs) / (n - 1)
    safe = np.where(s > 0, s, 1.0)
    marg = (s * mean_other + costs) * (s + 1) ** -a - s * mean_other * safe**-a
    return np.asarray(marg.mean(axis=0), dtype=np.float64)


def _allocation(result: Any) -> Any:
    return result["allocation"] if isinstance(result, dict) else result


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def best_of(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """Run ``fn(*args)`` three times and return its result and the fastest time."""
    out, best = timed(fn, *args)
    for _ in range(2):
        best = min(best, timed(fn, *args)[1])
    return out, best


def check(ours: np.ndarray, theirs: np.ndarray, scale: float, what: str) -> float:
    diff = float(np.max(np.abs(np.asarray(ours) - np.asarray(theirs))))
    assert diff <= AGREE * max(1.0, scale), f"{what}: results differ by {diff}"
    return diff


def bench_shapley(sizes: list[int], peer_limit: float) -> None:
    print("\n## Exact Shapley, fair benchmark game (seconds, best of 3; tucoopy one run)")
    print("n  | table  | ours   | coopgame | ratio | tucoopy | ratio | max abs diff")
    tucoopy_on = tucoopy is not None
    for n in sizes:
        game, costs = fair_game(n)
        table, t_table = timed(game.table)
        allocation, t_ours = best_of(shapley_values, game)
        ours = allocation.amounts
        exact = closed_form_shapley(costs)
        diffs = [check(ours, exact, game.grand, f"shapley n={n} vs closed form")]
        row = f"{n:<2} | {t_table:6.3f} | {t_ours:6.3f} |"
        if coopgame is not None:
            cg_game = coopgame.Game(table[1:])
            theirs, t_cg = best_of(coopgame.shapley, cg_game)
            diffs.append(check(ours, theirs, game.grand, f"coopgame shapley n={n}"))
            row += f" {t_cg:8.3f} | {t_cg / t_ours:5.1f} |"
            del cg_game
        else:
            row += "        - |     - |"
        if tucoopy_on:
            tg = tucoopy.Game(n, {m: float(table[m]) for m in range(1 << n)})
            theirs, t_tu = timed(tucoopy.shapley_value, tg)
            diffs.append(check(ours, theirs, game.grand, f"tucoopy shapley n={n}"))
            row += f" {t_tu:7.3f} | {t_tu / t_ours:5.0f} |"
            del tg
            tucoopy_on = t_tu < peer_limit
        else:
            row += "       - |     - |"
        print(row + f" {max(diffs[1:], default=diffs[0]):.1e}", flush=True)
        del table


def bench_nucleolus(sizes: list[int], limit: float) -> None:
    print("\n## Nucleolus, fair benchmark cost game (seconds)")
    print("n  | ours   | levels | LPs | coopgame | ratio | max abs diff")
    ours_on, peer_on = True, coopgame is not None
    for n in sizes:
        if not ours_on:
            break
        game, _ = fair_game(n)
        game.table()
        result, t_ours = timed(nucleolus, game)
        ours_on = t_ours < limit
        row = (
            f"{n:<2} | {t_ours:6.3f} | {len(result.details['levels']):6} |"
            f" {result.details['linear_programs']:3} |"
        )
        if peer_on:
            cg_game = coopgame.Game(game.table()[1:])
            theirs, t_cg = timed(coopgame.cost_nucleolus, cg_game)
            theirs = _allocation(theirs)
            diff = check(result.amounts, theirs, game.grand, f"coopgame nucleolus n={n}")
            row += f" {t_cg:8.3f} | {t_cg / t_ours:5.1f} | {diff:.1e}"
            peer_on = t_cg < limit
        print(row, flush=True)
    bench_least_core(list(range(3, sizes[-1] + 1)), limit)


def paired_times(fns: list[Callable[[], Any]], rounds: int = 20) -> tuple[list[Any], list[float]]:
    """Time functions that do the same job the same way; return their results and seconds
    per call.

    Each is called once untimed (its result; ours builds its per-size matrices there, once
    per process) and once timed (an estimate, which counts as a sample), then timed in
    alternating rounds -- the order flips every round, so a load spike on the shared machine
    hits both -- each round a batch of calls taking about 2 ms (``timeit``, garbage
    collection off), keeping each function's fastest. Rounds: up to ``rounds``, fewer when a
    call takes over 50 ms (none from one second: the timed call is the sample).
    """
    results = [fn() for fn in fns]
    best = [timed(fn)[1] for fn in fns]
    rounds = min(rounds, int(1.0 / max(max(best), 1e-9)))
    batches = [max(1, int(0.002 / max(t, 1e-9))) for t in best]
    for r in range(rounds):
        for i in range(len(fns)) if r % 2 == 0 else reversed(range(len(fns))):
            elapsed = timeit.Timer(fns[i]).timeit(batches[i]) / batches[i]
            best[i] = min(best[i], elapsed)
    return results, best


def bench_least_core(sizes: list[int], limit: float) -> None:
    print("\n## Least core, fair benchmark cost game (milliseconds per call; both sides timed")
    print("alike: a warm-up call, a timed call, up to 20 alternating rounds of ~2 ms batches;")
    print("fastest; ratio = coopgame / ours; epsilon vs coopgame.least_core)")
    print("n  | ours     | coopgame | ratio | epsilon diff")
    for n in sizes:
        game, _ = fair_game(n)
        game.table()
        fns: list[Callable[[], Any]] = [partial(least_core, game)]
        if coopgame is not None:
            fns.append(partial(coopgame.least_core, coopgame.Game(-game.table()[1:])))
        results, times = paired_times(fns)
        eps, t_ours = results[0].details["epsilon"], times[0]
        row = f"{n:<2} | {1000 * t_ours:8.4f} |"
        if coopgame is not None:
            theirs, t_cg = results[1], times[1]
            diff = abs(eps - theirs["epsilon"])
            assert diff <= AGREE * game.grand, f"least core n={n}: {eps} vs {theirs}"
            row += f" {1000 * t_cg:8.4f} | {t_cg / t_ours:5.2f} | {diff:.1e}"
        print(row, flush=True)
        if t_ours > limit:
            break
    print(f"load average after the table: {os.getloadavg()[0]:.1f}")


def airport_table_game(costs: np.ndarray) -> Game:
    """The airport game as a plain table (so the LP/table engine solves it)."""
    n = len(costs)
    return Game("cost", tuple(f"P{i}" for i in range(n)), AirportModel(costs).table())


def bench_airport(sizes: list[int]) -> None:
    print("\n## Airport games: closed forms vs the table engine and coopgame (seconds)")
    print("n  | closed Shapley | closed nucleolus | coopgame shapley | coopgame nucleolus |"
          " max abs diff")
    rng = np.random.default_rng(SEED)
    for n in sizes:
        costs = rng.uniform(10, 100, n).round(1)
        game = game_from_model([f"P{i}" for i in range(n)], AirportModel(costs))
        sh, t_sh = best_of(shapley_values, game)
        nu, t_nu = best_of(nucleolus, game)
        table = airport_table_game(costs)
        diffs = [check(sh.amounts, shapley_values(table).amounts, costs.max(), f"airport sh {n}")]
        if n <= 14:
            diffs.append(
                check(nu.amounts, nucleolus(table).amounts, costs.max(), f"airport nu {n}")
            )
        row = f"{n:<2} | {t_sh:14.5f} | {t_nu:16.5f} |"
        if coopgame is not None:
            cg = coopgame.Game(table.table()[1:])
            theirs, t_cg = timed(coopgame.shapley, cg)
            diffs.append(check(sh.amounts, theirs, costs.max(), f"coopgame airport sh {n}"))
            theirs, t_cgn = timed(coopgame.cost_nucleolus, cg)
            diffs.append(
                check(nu.amounts, _allocation(theirs), costs.max(), f"coopgame airport nu {n}")
            )
            row += f" {t_cg:16.4f} | {t_cgn:18.4f} |"
        print(row + f" {max(diffs):.1e}", flush=True)
    print("\nAirport games with identical players (closed forms only; no peer takes counts):")
    birmingham_cost = np.array([65899, 76725, 95200, 97200, 97436, 98142, 102496, 104849,
                                113322, 115440, 117676], dtype=float)
    birmingham_moves = [42, 9555, 288, 303, 151, 1315, 505, 1128, 151, 112, 22]
    cases = [("Birmingham 1968-69, 11 types", birmingham_cost, birmingham_moves)]
    m = 3000
    cases.append((f"{m} ids", rng.uniform(1, 1000, m).round(0),
                  rng.integers(1, 400, m).tolist()))
    for label, costs, counts in cases:
        game = game_from_model([f"T{i}" for i in range(len(costs))], AirportModel(costs),
                               counts=counts)
        sh, t_sh = timed(shapley_values, game)
        nu, t_nu = timed(nucleolus, game)
        ok, t_core = timed(check_core, game, nu)
        print(f"{label}, {game.units} players: Shapley {t_sh:.4f} s, nucleolus {t_nu:.4f} s,"
              f" core check {t_core:.4f} s (nucleolus in core: {ok.in_core})")


def bench_memory(sizes: list[int]) -> None:
    print("\n## Peak memory in tables of 2^n float64 (tracemalloc; table built before)")
    print("n  | table MiB | shapley | core check | nucleolus | least core")
    for n in sizes:
        game, _ = fair_game(n)
        row = f"{n:<2} | {table_bytes(n) / 2**20:9.0f} |"
        game.table()
        for fn in (shapley_values, lambda g: check_core(g, shapley_values(g)), nucleolus,
                   least_core):
            tracemalloc.start()
            fn(game)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            row += f" {1 + peak / table_bytes(n):7.2f} |"
        print(row, flush=True)
    try:
        require_table_memory(32, 2.0, "shapley")
    except GameError as exc:
        print(f"32 players, this machine: {exc}")


def bench_multilevel(sizes: list[int], limit: float) -> None:
    if coopgame is None:
        print("\n(coopgame not installed: multi-level nucleolus games skipped)")
        return
    print("\n## Nucleolus on multi-level games, coopgame.Game.bnf types 1-5 (seconds)")
    print("type | n  | ours   | levels | coopgame | ratio | max abs diff")
    least_core_checked: list[tuple[int, int]] = []
    for kind in (1, 2, 3, 4, 5):
        for n in sizes:
            cg_game = coopgame.Game.bnf(kind, n, seed=SEED)
            values = np.concatenate([[0.0], np.asarray(cg_game.values(), dtype=np.float64)])
            game = Game("value", tuple(f"P{i}" for i in range(n)), values)
            result, t_ours = timed(nucleolus, game)
            theirs, t_cg = timed(coopgame.nucleolus, cg_game)
            theirs = _allocation(theirs)
            diff = check(result.amounts, theirs, float(np.abs(values).max()), f"bnf {kind} {n}")
            print(
                f"{kind:4} | {n:<2} | {t_ours:6.3f} | {len(result.details['levels']):6} |"
                f" {t_cg:8.3f} | {t_cg / t_ours:5.1f} | {diff:.1e}",
                flush=True,
            )
            if n <= 15:
                ours_eps = least_core(game).details["epsilon"]
                their_eps = coopgame.least_core(cg_game)["epsilon"]
                assert abs(ours_eps - their_eps) <= AGREE * float(np.abs(values).max()), (
                    f"least core epsilon differs: {ours_eps} vs {their_eps}"
                )
                least_core_checked.append((kind, n))
            if max(t_ours, t_cg) > limit:
                break
    print(f"least-core epsilon agrees with coopgame on {len(least_core_checked)} of these games")


def bench_tucoopy_nucleolus() -> None:
    if tucoopy is None or coopgame is None:
        print("\n(tucoopy or coopgame not installed: tucoopy nucleolus check skipped)")
        return
    print("\n## tucoopy nucleolus on multi-level games (n = 8): disagreements with ours")
    wrong, total = 0, 0
    for kind in (1, 2, 3, 4, 5):
        for seed in range(4):
            cg_game = coopgame.Game.bnf(kind, 8, seed=seed)
            values = np.concatenate([[0.0], np.asarray(cg_game.values(), dtype=np.float64)])
            game = Game("value", tuple(f"P{i}" for i in range(8)), values)
            ours = nucleolus(game).amounts
            tg = tucoopy.Game(8, {m: float(values[m]) for m in range(256)})
            try:
                theirs = np.asarray(tucoopy.nucleolus(tg).x, dtype=np.float64)
                bad = float(np.max(np.abs(ours - theirs))) > 1e-6 * np.abs(values).max()
            except Exception as exc:  # noqa: BLE001 - report any peer failure
                print(f"  type {kind} seed {seed}: tucoopy failed ({type(exc).__name__})")
                bad = True
            wrong += bad
            total += 1
    print(f"tucoopy differs from ours (and coopgame) on {wrong} of {total} games")


def bench_sampling(n: int, sample_sizes: list[int]) -> None:
    print(f"\n## Shapley by sampling, {n} players, fair benchmark game vs closed form")
    game, costs = fair_game(n)
    exact = closed_form_shapley(costs)
    print("samples | seconds | max abs error | mean abs error | mean 95% half-width | coverage")
    for m in sample_sizes:
        result, t = timed(shapley_sample, game, samples=m, seed=1)
        err = np.abs(result.amounts - exact)
        half = result.details["half_width"]
        covered = float(np.mean(err <= half))
        print(
            f"{m:7} | {t:7.2f} | {err.max():13.4f} | {err.mean():14.4f} |"
            f" {half.mean():19.4f} | {covered:7.1%}",
            flush=True,
        )
    if coopgame is not None:
        own = costs.tolist()

        def cost(coalition: tuple[int, ...]) -> float:
            return float(sum(own[i] for i in coalition) * len(coalition) ** -EXPONENT)

        peer = coopgame.FunctionGame(n, cost)
        m = 1000
        res, t = timed(coopgame.shapley_sampling, peer, m, seed=1)
        ours, t_ours = timed(shapley_sample, game, samples=m, seed=1)
        err = np.abs(np.asarray(res["values"]) - exact)
        ids = list(game.players)
        index = {p: i for i, p in enumerate(ids)}
        fgame = game_from_function(ids, lambda s: cost(tuple(index[p] for p in s)))
        ours_f, t_f = timed(shapley_sample, fgame, samples=m, seed=1)
        half = ours_f.details["half_width"]
        err_f = np.abs(ours_f.amounts - exact)
        print(
            f"coopgame.shapley_sampling, {m} permutations (Python callback): {t:.2f} s,"
            f" max abs error {err.max():.4f}; ours on the model {t_ours:.2f} s,"
            f" max abs error {np.abs(ours.amounts - exact).max():.4f}; ours on the same Python"
            f" function {t_f:.2f} s, max abs error {err_f.max():.4f}, coverage of the 95 %"
            f" intervals {np.mean(err_f <= half):.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument(
        "--least-core", action="store_true", help="only the least core, 3 to 25 players"
    )
    args = parser.parse_args()
    print("# Fair-sharing benchmark")
    print(machine())
    print(f"load average {os.getloadavg()[0]:.1f} (the machine may be shared)")
    if args.least_core:
        bench_least_core(list(range(3, 26)), args.limit)
        return
    if coopgame is None:
        print("coopgame-py not installed: peer comparisons skipped")
    if tucoopy is None:
        print("tucoopy not installed: its comparisons skipped")
    top = 20 if args.quick else 25
    bench_airport([8, 10, 12, 14] if args.quick else [8, 10, 12, 14, 16, 18, 20])
    bench_memory([20, 22] if args.quick else [22, 24, 25, 26])
    bench_shapley(list(range(10, top + 1)), peer_limit=10.0 if args.quick else 30.0)
    bench_nucleolus(list(range(10, top + 1)), limit=args.limit)
    bench_multilevel([10, 15, 18] if args.quick else [10, 15, 18, 20, 22, 24], args.limit)
    bench_tucoopy_nucleolus()
    samples = [100, 1000, 10000] if args.quick else [100, 1000, 10000, 100000]
    bench_sampling(290, samples)
    print(f"\nAll comparisons agree within {AGREE:g} x max(1, |v(N)|).")


if __name__ == "__main__":
    main()
