"""``mellanrum share``: fair division of a joint cost or saving, from a JSON game file.

Imports only the plain-Python engine, never Django, so it starts fast and needs no project.
"""

from __future__ import annotations

import json
import math
from typing import Any

import click

from mellanrum.engines.fairshare import (
    Allocation,
    CoreCheck,
    Game,
    GameError,
    check_core,
    game_from_json,
    solve,
)
from mellanrum.lib.cli import OneLineErrors

METHOD_HELP = (
    "shapley, shapley-sample, nucleolus, least-core, scrb, equal, proportional:ATTRIBUTE "
    "(a player attribute such as population, or standalone) or fixed-variable:PERCENT "
    "(PERCENT of the cost split equally, the rest by population)"
)
MAX_BLOCKING = 50


@click.command(cls=OneLineErrors)
@click.argument("game_file", metavar="GAME.json")
@click.option("--method", "-m", default="shapley", show_default=True, help=METHOD_HELP)
@click.option(
    "--format",
    "output_format",
    default="json",
    show_default=True,
    help="json (machine readable) or table (human readable).",
)
@click.option(
    "--samples",
    type=click.IntRange(min=2),
    default=2000,
    show_default=True,
    help="Random orders for shapley-sample.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for shapley-sample.")
def share(game_file: str, method: str, output_format: str, samples: int, seed: int) -> None:
    """Share the joint cost or saving of GAME.json fairly between its players.

    GAME.json holds "kind" ("cost" or "value"), "players" (objects with an "id", numeric
    attributes and optionally "count", a number of identical players), "values" (coalition
    "A,B" to its stand-alone cost or value; the full coalition is required, missing ones are
    completed from the best partition) and optionally "completion" ("subadditive",
    "superadditive" or "none"), or instead of "values" a cost "model" such as
    {"type": "airport", "cost": {"A": 8, "B": 11}} (a group pays its largest cost). Prints
    each player's share (and, with counts, each single player's share), whether the split is
    in the core (no group gains by leaving), the groups that would gain and each player's
    saving against going alone. Tables of every coalition may use the memory set by
    MELLANRUM_FAIRSHARE_MAX_MEMORY (default: what is available). See docs/fairshare.md.
    """
    if output_format not in ("json", "table"):
        raise click.ClickException(f'--format: "{output_format}" must be "json" or "table"')
    try:
        with open(game_file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.ClickException(f"{game_file}: cannot read the file ({reason})") from None
    try:
        game = game_from_json(text)
        options: dict[str, Any] = {}
        if method == "shapley-sample":
            options = {"samples": samples, "seed": seed}
        allocation = solve(game, method, **options)
        check = check_core(game, allocation, max_blocking=MAX_BLOCKING)
    except GameError as exc:
        raise click.ClickException(_one_line(str(exc))) from None
    except MemoryError:
        raise click.ClickException(
            f"{method}: not enough memory for this game (lower the number of players, or use"
            " shapley-sample, scrb, equal or proportional)"
        ) from None
    result = result_dict(game, allocation, check)
    if output_format == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(format_table(game, allocation, check))


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def result_dict(game: Game, allocation: Allocation, check: CoreCheck) -> dict[str, Any]:
    """The JSON document printed by ``mellanrum share --format json``."""
    result: dict[str, Any] = {
        "method": allocation.method,
        "kind": game.kind,
        "allocation": {p: _number(x) for p, x in allocation.as_dict().items()},
        "total": _number(allocation.total),
        "grand_coalition": _number(game.grand),
        "in_core": check.in_core,
        "blocking_coalitions": [
            {"coalition": list(b.coalition), "excess": _number(b.excess)} for b in check.blocking
        ],
        "blocking_count": check.blocking_count,
        "savings_vs_alone": {p: _number(s) for p, s in check.savings_vs_alone.items()},
    }
    details = allocation.details
    if game.counts is not None:
        per_unit = allocation.amounts / game.counts
        result["per_unit"] = {p: _number(x) for p, x in zip(game.players, per_unit, strict=True)}
        result["counts"] = dict(zip(game.players, game.counts.tolist(), strict=True))
    if "confidence_interval" in details:
        result["confidence_interval"] = {
            p: [_number(lo), _number(hi)] for p, (lo, hi) in details["confidence_interval"].items()
        }
        result["samples"] = details["samples"]
        result["seed"] = details["seed"]
        result["confidence"] = details["confidence"]
    if "epsilon" in details:
        result["epsilon"] = _number(details["epsilon"])
    if "levels" in details:
        result["levels"] = [_number(e) for e in details["levels"]]
    return result


def format_table(game: Game, allocation: Allocation, check: CoreCheck) -> str:
    """A human-readable table of the shares, savings and core check."""
    pays = "Pays" if game.kind == "cost" else "Gets"
    alone = "Alone"
    interval = allocation.details.get("confidence_interval")
    width = max(6, *(len(p) for p in game.players))
    header = f"{'Player':<{width}}  {pays:>14}  {alone:>14}  {'Saving':>14}"
    if interval:
        header += f"  {'95% interval':>29}"
    players = f"{game.n} players"
    if game.counts is not None:
        players = f"{game.n} kinds of player, {game.units} players in all"
    lines = [
        f"Method: {allocation.method} ({game.kind} game, {players})",
        header,
        "-" * len(header),
    ]
    standalone = game.standalone()
    for i, p in enumerate(game.players):
        row = (
            f"{p:<{width}}  {allocation.amounts[i]:>14,.2f}  {standalone[i]:>14,.2f}"
            f"  {check.savings_vs_alone[p]:>14,.2f}"
        )
        if interval:
            lo, hi = interval[p]
            row += f"  {lo:>14,.2f}{hi:>15,.2f}"
        if game.counts is not None:
            count = int(game.counts[i])
            row += f"  ({count} x {allocation.amounts[i] / count:,.4f})"
        lines.append(row)
    lines.append("-" * len(header))
    lines.append(
        f"{'Total':<{width}}  {allocation.total:>14,.2f}  {standalone.sum():>14,.2f}"
        f"  {sum(check.savings_vs_alone.values()):>14,.2f}"
    )
    if check.in_core is None:
        lines.append("Core: not checked (too many players to try every group).")
    elif check.in_core:
        lines.append("Core: yes, no group of players would gain by leaving.")
    else:
        lines.append(f"Core: no, {check.blocking_count} group(s) would gain by leaving:")
        for b in check.blocking[:10]:
            lines.append(f"  {','.join(b.coalition)} would gain {b.excess:,.2f}")
        if abs(check.efficiency_gap) > 1e-9 * max(1.0, abs(game.grand)):
            lines.append(f"  the shares differ from the total by {check.efficiency_gap:,.2f}")
    return "\n".join(lines)
