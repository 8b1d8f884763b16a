"""Adapter between the cost-sharing calculator and the fair-sharing engine.

Builds a game from what the user entered, runs every method that suits its size and returns
one comparison that the page, the API and the XLSX export all show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mellanrum.engines.fairshare import (
    AirportModel,
    Game,
    GameError,
    check_core,
    game_from_dict,
    solve,
)

# The exact LP methods enumerate every coalition; keep the calculator responsive.
MAX_EXACT_LP_PLAYERS = 12
MAX_TABLE_PLAYERS = 20

METHOD_LABELS: dict[str, Any] = {
    "equal": gettext_lazy("Equal split"),
    "proportional:population": gettext_lazy("In proportion to population"),
    "proportional:usage": gettext_lazy("In proportion to usage"),
    "proportional:standalone": gettext_lazy("In proportion to stand-alone cost"),
    "shapley": gettext_lazy("Shapley value"),
    "shapley-sample": gettext_lazy("Shapley value (sampled)"),
    "nucleolus": gettext_lazy("Nucleolus"),
    "least-core": gettext_lazy("Least core"),
    "scrb": gettext_lazy("SCRB (separable costs, remaining benefits)"),
}

METHOD_EXPLANATIONS: dict[str, Any] = {
    "equal": gettext_lazy(
        "Every partner pays the same share, whatever its size or what it would cost alone."
    ),
    "proportional:population": gettext_lazy(
        "Each partner pays in proportion to its number of inhabitants."
    ),
    "proportional:usage": gettext_lazy("Each partner pays in proportion to how much it uses."),
    "proportional:standalone": gettext_lazy(
        "Each partner pays in proportion to what it would cost it to do this alone."
    ),
    "shapley": gettext_lazy(
        "Each partner pays its average extra cost when it joins the others, over every order "
        "in which the partners could have joined. Fair in the sense that equal partners pay "
        "the same and a partner that adds nothing pays nothing."
    ),
    "shapley-sample": gettext_lazy(
        "The Shapley value estimated from many random joining orders, with a margin of error; "
        "used when there are too many partners to compute it exactly."
    ),
    "nucleolus": gettext_lazy(
        "Makes the group that is worst off as well off as possible, then the next, and so on. "
        "Whenever some split exists that no group would leave, the nucleolus is one."
    ),
    "least-core": gettext_lazy(
        "The split that keeps the largest gain any group could make by leaving as small as "
        "possible."
    ),
    "scrb": gettext_lazy(
        "Each partner first pays the cost it alone causes (its separable cost); the remaining "
        "joint cost is shared in proportion to what each partner saves by taking part. A "
        "method long used for shared water and infrastructure projects."
    ),
}


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    alone: float
    population: float | None = None
    usage: float | None = None


@dataclass(frozen=True)
class MethodResult:
    method: str
    label: str
    explanation: str
    amounts: dict[str, float]
    savings: dict[str, float]
    in_core: bool | None
    blocking: list[tuple[tuple[str, ...], float]]
    blocking_count: int
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Comparison:
    kind: str
    partners: list[Partner]
    total: float
    alone_total: float
    results: list[MethodResult]
    skipped: list[tuple[str, str]]
    core_is_empty: bool

    def name_of(self, code: str) -> str:
        return next((p.name for p in self.partners if p.code == code), code)

    def names(self, codes: Sequence[str]) -> str:
        return ", ".join(self.name_of(c) for c in codes)


class CalculatorError(Exception):
    pass


def game_data(
    kind: str,
    partners: Sequence[Partner],
    total: float,
    groups: Mapping[tuple[str, ...], float] | None = None,
) -> dict[str, Any]:
    """The engine's JSON game (as used by `mellanrum share`) for the calculator's input."""
    players = []
    for partner in partners:
        player: dict[str, Any] = {"id": partner.code}
        if partner.population is not None:
            player["population"] = partner.population
        if partner.usage is not None:
            player["usage"] = partner.usage
        players.append(player)
    values = {p.code: p.alone for p in partners}
    for members, value in (groups or {}).items():
        values[",".join(members)] = value
    values[",".join(p.code for p in partners)] = total
    return {
        "kind": kind,
        "players": players,
        "values": values,
        "completion": "subadditive" if kind == "cost" else "superadditive",
    }


def methods_for(game: Game) -> tuple[list[str], list[tuple[str, str]]]:
    methods = ["equal", "proportional:standalone"]
    skipped: list[tuple[str, str]] = []
    for attribute in ("population", "usage"):
        if all(attribute in game.attributes[p] for p in game.players):
            methods.append(f"proportional:{attribute}")
    if isinstance(game.model, AirportModel):
        # Closed forms (Littlechild & Owen; Littlechild): exact at any size, counts included.
        methods += ["shapley", "scrb", "nucleolus"]
        if game.units <= MAX_EXACT_LP_PLAYERS:
            methods.append("least-core")
        return methods, skipped
    if game.n <= MAX_TABLE_PLAYERS and game.counts is None:
        methods += ["shapley", "scrb"]
    else:
        methods.append("shapley-sample")
    if game.n <= MAX_EXACT_LP_PLAYERS:
        methods += ["nucleolus", "least-core"]
    else:
        reason = _("more than %(n)s partners") % {"n": MAX_EXACT_LP_PLAYERS}
        skipped += [("nucleolus", reason), ("least-core", reason)]
    return methods, skipped


def compare(data: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Comparison:
    """Solve the game by every suitable method and check each split against the core."""
    try:
        game = game_from_dict(data)
    except GameError as exc:
        raise CalculatorError(str(exc)) from None
    methods, skipped = methods_for(game)
    results = []
    for method in methods:
        try:
            allocation = solve(game, method)
        except GameError as exc:
            skipped.append((method, str(exc)))
            continue
        check = check_core(game, allocation, max_blocking=5)
        results.append(
            MethodResult(
                method=method,
                label=str(METHOD_LABELS.get(method, method)),
                explanation=str(METHOD_EXPLANATIONS.get(method, "")),
                amounts=allocation.as_dict(),
                savings=check.savings_vs_alone,
                in_core=check.in_core,
                blocking=[(b.coalition, b.excess) for b in check.blocking],
                blocking_count=check.blocking_count,
                details=_plain(allocation.details),
            )
        )
    names = names or {}
    partners = [
        Partner(
            code=p,
            name=names.get(p, p),
            alone=float(game.standalone()[i]),
            population=game.attributes[p].get("population"),
            usage=game.attributes[p].get("usage"),
        )
        for i, p in enumerate(game.players)
    ]
    nucleolus = next((r for r in results if r.method == "nucleolus"), None)
    return Comparison(
        kind=game.kind,
        partners=partners,
        total=float(game.grand),
        alone_total=float(sum(p.alone for p in partners)),
        results=results,
        skipped=[(str(METHOD_LABELS.get(m, m)), why) for m, why in skipped],
        core_is_empty=nucleolus is not None and nucleolus.in_core is False,
    )


def _plain(details: Mapping[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for key, value in details.items():
        if hasattr(value, "tolist"):
            value = value.tolist()
        plain[str(key)] = value
    return plain


def stability_sentence(comparison: Comparison, result: MethodResult) -> str:
    """Why a split is or is not stable, in plain words."""
    if result.in_core is None:
        return _("Too many partners to check every group.")
    if result.in_core:
        return _("No group of partners would gain by leaving and doing it on its own.")
    members, gain = result.blocking[0]
    if len(members) == 1:
        text = _("%(names)s would gain %(amount)s kr by doing it alone.")
    else:
        text = _(
            "%(names)s would together gain %(amount)s kr by leaving and doing it on their own."
        )
    sentence = text % {"names": comparison.names(members), "amount": _kronor(gain)}
    if result.blocking_count > 1:
        sentence += " " + _("%(n)s groups in all would gain by leaving.") % {
            "n": result.blocking_count
        }
    return sentence


def _kronor(amount: float) -> str:
    from django.utils.formats import number_format

    return number_format(round(amount), force_grouping=True)
