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
    "fixed-variable": gettext_lazy("Fixed part + variable part per inhabitant"),
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
    "fixed-variable": gettext_lazy(
        "The key of most Swedish agreements (fast del + rörlig del per invånare): a fixed "
        "share of the joint cost is split equally, the rest in proportion to population."
    ),
}

# The fixed share of the "fast del + rörlig del" key unless the user gives another.
DEFAULT_FIXED_PERCENT = 30.0
# The game-theoretic methods: they use what coalitions cost, not only the grand total.
GAME_METHODS = ("shapley", "shapley-sample", "scrb", "nucleolus", "least-core")


def method_key(method: str) -> str:
    """The method without its argument for keys that take one (``fixed-variable:30``)."""
    return "fixed-variable" if method.startswith("fixed-variable:") else method


def method_label(method: str) -> str:
    """The method's name in the reader's language, with the fixed share of a key."""
    label = str(METHOD_LABELS.get(method_key(method), method))
    if method.startswith("fixed-variable:"):
        percent = method.split(":")[1]
        label += " " + _("(%(percent)s %% fixed)") % {"percent": percent}
    return label


def method_explanation(method: str) -> str:
    return str(METHOD_EXPLANATIONS.get(method_key(method), ""))


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
    # Only the stand-alone costs and the grand total are known (no subgroup or model).
    standalone_only: bool = False

    @property
    def costs_more_together(self) -> bool:
        """Doing it together costs more than every partner doing it alone."""
        return self.kind == "cost" and self.total > self.alone_total + 0.5

    @property
    def methods_agree(self) -> bool:
        """The game-theoretic methods all give every partner the same amount, within 1 kr."""
        found = [r for r in self.results if r.method in GAME_METHODS]
        return len(found) > 1 and all(
            abs(r.amounts[p] - found[0].amounts[p]) <= 1.0
            for r in found[1:] for p in found[0].amounts
        )

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


def methods_for(game: Game, fixed_percent: float = DEFAULT_FIXED_PERCENT,
                ) -> tuple[list[str], list[tuple[str, str]]]:
    methods = ["equal", "proportional:standalone"]
    skipped: list[tuple[str, str]] = []
    for attribute in ("population", "usage"):
        if all(attribute in game.attributes[p] for p in game.players):
            methods.append(f"proportional:{attribute}")
    if all("population" in game.attributes[p] for p in game.players):
        methods.append(f"fixed-variable:{fixed_percent:g}")
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


def compare(data: Mapping[str, Any], names: Mapping[str, str] | None = None,
            fixed_percent: float = DEFAULT_FIXED_PERCENT) -> Comparison:
    """Solve the game by every suitable method and check each split against the core."""
    try:
        game = game_from_dict(data)
    except GameError as exc:
        raise CalculatorError(str(exc)) from None
    methods, skipped = methods_for(game, fixed_percent)
    results = []
    for method in methods:
        try:
            allocation = solve(game, method)
        except GameError as exc:
            skipped.append((method, str(exc)))
            continue
        check = check_core(game, allocation, max_blocking=5)
        details = _plain(allocation.details)
        if method == "nucleolus" and details.get("levels"):
            # The smallest gain of any group against going alone (minus the first excess).
            details["least_gain"] = -float(details["levels"][0])
        if method == "shapley" and game.counts is None:
            # What each partner adds when it joins all the others last, for its story.
            details["joining_last"] = {
                p: float(game.grand - game.value_of([q for q in game.players if q != p]))
                for p in game.players
            }
        results.append(
            MethodResult(
                method=method,
                label=method_label(method),
                explanation=method_explanation(method),
                amounts=allocation.as_dict(),
                savings=check.savings_vs_alone,
                in_core=check.in_core,
                blocking=[(b.coalition, b.excess) for b in check.blocking],
                blocking_count=check.blocking_count,
                details=details,
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
        standalone_only=_standalone_only(data, game),
    )


def _standalone_only(data: Mapping[str, Any], game: Game) -> bool:
    """Whether the game gives no cost of any group between one partner and all of them."""
    if "values" not in data or not isinstance(data["values"], Mapping):
        return False
    known = {str(k) for k in data["values"]}
    return all(len([c for c in key.split(",") if c.strip()]) in (1, game.n) for key in known)


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


# --- Each partner's story ---------------------------------------------------------------------


def _percent(part: float, whole: float) -> str:
    from django.utils.formats import number_format

    return number_format(round(100 * part / whole, 1) if whole else 0, decimal_pos=1)


def _why(method: str, code: str, amount: float, joint: float, n: int,
         details: Mapping[str, Any], capacity: bool) -> str:
    """Why the method gives this partner this share, in plain words."""
    key = method_key(method)
    if capacity and key == "shapley":
        return _capacity_steps(code, details.get("alone", {}))
    if key == "fixed-variable":
        percent = float(method.split(":")[1])
        fixed = joint * percent / 100 / n
        variable = amount - fixed
        rest = joint - joint * percent / 100
        return _("Of this, %(fixed)s kr is its equal part of the fixed share (%(percent)s %% "
                 "split equally between %(n)s partners) and %(variable)s kr is its share of "
                 "the rest by population (%(share)s %%).") % {
            "fixed": _kronor(fixed), "percent": method.split(":")[1], "n": n,
            "variable": _kronor(variable), "share": _percent(variable, rest)}
    if key == "shapley":
        last = details.get("joining_last", {}).get(code)
        if last is not None and not capacity:
            return _("It adds %(alone)s kr when it starts alone and %(last)s kr when it joins "
                     "all the others last; by the Shapley value it pays what it adds on "
                     "average over every order in which the partners could have joined.") % {
                "alone": _kronor(details.get("alone", {}).get(code, 0.0)),
                "last": _kronor(last)}
        return _("By the Shapley value this is its average added cost when it joins the "
                 "others, over every order in which the partners could have joined.")
    if key == "shapley-sample":
        return _("By the sampled Shapley value this is an estimate of its average added cost "
                 "when it joins the others.")
    if key == "scrb":
        separable = details.get("separable", {}).get(code)
        if separable is None:
            return _("By SCRB it pays the cost it alone causes and a share of the rest in "
                     "proportion to what it saves by taking part.")
        return _("By SCRB it first pays the %(separable)s kr that only it causes (what the "
                 "others save if it stays out), then a share of the rest in proportion to "
                 "what it saves by taking part.") % {"separable": _kronor(separable)}
    if key == "nucleolus" and details.get("least_gain") is not None and not capacity:
        return _("The group of partners that gains least from this split still gains "
                 "%(least)s kr against doing it on its own; the nucleolus makes that gain as "
                 "large as possible, then the next group's, and so on.") % {
            "least": _kronor(float(details["least_gain"]))}
    if key == "nucleolus":
        return _("The nucleolus makes the gain of the least satisfied group of partners as "
                 "large as possible, then the next; this is its share in that split.")
    if key == "least-core":
        return _("The least core keeps the largest gain any group could make by leaving as "
                 "small as possible; this is its share in that split.")
    if key == "equal":
        return _("The equal split gives every partner the same: the joint cost divided by "
                 "%(n)s.") % {"n": n}
    if key == "proportional:population":
        return _("It pays in proportion to its population: %(share)s %% of the cost.") % {
            "share": _percent(amount, joint)}
    if key == "proportional:usage":
        return _("It pays in proportion to its usage: %(share)s %% of the cost.") % {
            "share": _percent(amount, joint)}
    if key == "proportional:standalone":
        return _("It pays in proportion to what it would cost it alone: %(share)s %% of the "
                 "cost.") % {"share": _percent(amount, joint)}
    return ""


def _capacity_steps(code: str, alone: Mapping[str, float]) -> str:
    """The capacity steps a partner needs and its part of each (Shapley of an airport game,
    Littlechild & Owen): each step is shared equally by the partners that need it."""
    own = float(alone.get(code, 0.0))
    levels = sorted({float(v) for v in alone.values() if float(v) <= own})
    parts = []
    previous = 0.0
    for level in levels:
        sharing = sum(1 for v in alone.values() if float(v) >= level)
        parts.append(_("%(part)s kr of the step from %(low)s to %(high)s kr, shared by "
                       "%(n)s") % {"part": _kronor((level - previous) / sharing),
                                   "low": _kronor(previous), "high": _kronor(level),
                                   "n": sharing})
        previous = level
    return _("In the capacity model the partner with the largest need sizes the shared "
             "system; each capacity step is shared equally by the partners that need it. It "
             "pays %(parts)s.") % {"parts": "; ".join(parts)}


def partner_stories(method: str, amounts: Mapping[str, float], standalone: Mapping[str, Any],
                    names: Mapping[str, str], details: Mapping[str, Any] | None = None,
                    capacity: bool = False) -> list[dict[str, str]]:
    """A plain paragraph per partner: what it pays, what it saves against going alone and why
    the method gives it that share (in the reader's language)."""
    joint = float(sum(amounts.values()))
    stories = []
    for code, amount in amounts.items():
        name = names.get(code, code)
        alone = float(standalone.get(code) or 0)
        saving = alone - float(amount)
        values = {"name": name, "amount": _kronor(amount), "alone": _kronor(alone),
                  "saving": _kronor(abs(saving)), "share": _percent(abs(saving), alone)}
        if saving >= 0.5:
            text = _("%(name)s pays %(amount)s kr. Alone it would pay %(alone)s kr, so it saves "
                     "%(saving)s kr (%(share)s %%).") % values
        elif saving <= -0.5:
            text = _("%(name)s pays %(amount)s kr. Alone it would pay %(alone)s kr, so it pays "
                     "%(saving)s kr more than going alone.") % values
        else:
            text = _("%(name)s pays %(amount)s kr, the same as going alone.") % values
        facts = {**(details or {}), "alone": {c: float(v or 0) for c, v in standalone.items()}}
        why = _why(method, code, float(amount), joint, len(amounts), facts, capacity)
        stories.append({"code": code, "name": name, "text": f"{text} {why}".strip()})
    return stories
