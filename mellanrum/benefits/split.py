"""The adapter from an initiative's split of the joint cost to the fair-sharing engine
(through the calculator's adapter ``analysis``): the game of the paying partners, every method
compared, the comparison as stored, what the page says about it and each partner's story."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mellanrum.collaborations.models import Initiative

from . import analysis
from .payers import paying_partners
from .split_input import SplitOptions

__all__ = ["SplitFacts", "comparison_snapshot", "compare_split", "localised_methods",
           "split_facts", "split_stories"]


def compare_split(initiative: Initiative, joint_cost: Decimal,
                  standalone: Mapping[str, Decimal],
                  options: SplitOptions | None = None) -> analysis.Comparison:
    """Every fair-sharing method for the joint cost against the partners' stand-alone costs,
    the subgroup costs people know, or the capacity model (an airport game).

    Raises ``analysis.CalculatorError`` when the engine refuses the game.
    """
    options = options or SplitOptions()
    partners = paying_partners(initiative)
    players = [
        analysis.Partner(code=p.organisation.code, name=p.organisation.name,
                        alone=float(standalone[p.organisation.code]),
                        population=(float(p.organisation.population)
                                    if p.organisation.population else None))
        for p in partners
    ]
    groups = {codes: float(cost) for codes, cost in options.groups.items()}
    data = analysis.game_data("cost", players, float(joint_cost), groups)
    if options.capacity:
        del data["values"], data["completion"]
        data["model"] = {"type": "airport", "cost": {p.code: p.alone for p in players}}
    elif options.formula is not None:
        del data["values"], data["completion"]
        for player in data["players"]:
            player["volume"] = float(options.volumes[player["id"]])
        data["model"] = {"fixed": float(options.formula["fixed"]),
                         "unit_cost": float(options.formula["unit_cost"]),
                         "exponent": float(options.formula["exponent"]), "volume": "volume"}
    return analysis.compare(data, {p.code: p.name for p in players},
                           fixed_percent=float(options.fixed_percent))


def comparison_snapshot(comparison: analysis.Comparison) -> list[dict[str, Any]]:
    """Every method's result as plain JSON, with its core check in words."""
    return [
        {
            "method": r.method, "label": r.label, "explanation": r.explanation,
            "amounts": {code: round(value, 2) for code, value in r.amounts.items()},
            "in_core": r.in_core,
            "blocking": [[list(members), round(gain, 2)] for members, gain in r.blocking],
            "blocking_count": r.blocking_count,
            "stability": analysis.stability_sentence(comparison, r),
            **({"details": _story_details(r.details)} if _story_details(r.details) else {}),
        }
        for r in comparison.results
    ]


def _story_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """What each partner's story needs of a method's details, rounded to öre."""
    found: dict[str, Any] = {
        key: {c: round(v, 2) for c, v in details[key].items()}
        for key in ("separable", "joining_last") if key in details}
    if "least_gain" in details:
        found["least_gain"] = round(float(details["least_gain"]), 2)
    return found


def _stability(in_core: bool | None, blocking: list[Any], blocking_count: int,
               names: Mapping[str, str]) -> str:
    """The core check in words, in the reader's language (as the calculator words it)."""
    partners = [analysis.Partner(code=c, name=n, alone=0.0) for c, n in names.items()]
    comparison = analysis.Comparison("cost", partners, 0.0, 0.0, [], [], False)
    result = analysis.MethodResult(
        method="", label="", explanation="", amounts={}, savings={}, in_core=in_core,
        blocking=[(tuple(members), float(gain)) for members, gain in blocking],
        blocking_count=blocking_count,
    )
    return analysis.stability_sentence(comparison, result)


def localised_methods(comparison: list[dict[str, Any]],
                      names: Mapping[str, str]) -> list[dict[str, Any]]:
    """A stored comparison with labels, explanations and core checks in the reader's
    language; the stored texts are those the chooser saw."""
    return [
        {**m, "label": analysis.method_label(m["method"]),
         "explanation": analysis.method_explanation(m["method"]) or m["explanation"],
         "stability": _stability(m["in_core"], m["blocking"], m["blocking_count"], names)}
        for m in comparison
    ]


@dataclass(frozen=True)
class SplitFacts:
    """What the page says about a comparison beside the table."""

    standalone_only: bool  # no subgroup cost and no model: every method shares equally
    methods_agree: bool  # the game-theoretic methods agree within 1 kr
    costs_more: Decimal | None  # how much more doing it together costs than alone, if so


def split_facts(comparison: list[dict[str, Any]], joint_cost: Decimal,
                standalone: Mapping[str, Any], options: SplitOptions) -> SplitFacts:
    game = [m for m in comparison if m["method"] in analysis.GAME_METHODS]
    agree = len(game) > 1 and all(
        abs(float(m["amounts"][c]) - float(game[0]["amounts"][c])) <= 1.0
        for m in game[1:] for c in game[0]["amounts"])
    alone = sum((Decimal(str(v)) for v in standalone.values()), Decimal(0))
    more = Decimal(joint_cost) - alone
    return SplitFacts(standalone_only=options.model == "known" and not options.groups,
                      methods_agree=agree, costs_more=more if more > 0 else None)


def split_stories(method: str, comparison: list[dict[str, Any]], standalone: Mapping[str, Any],
                  names: Mapping[str, str], options: SplitOptions) -> list[dict[str, str]]:
    """Each partner's story for the chosen (or previewed) method."""
    found = next((m for m in comparison if m["method"] == method), None)
    if found is None:
        return []
    return analysis.partner_stories(method, found["amounts"], standalone, names,
                                   found.get("details"), capacity=options.capacity)
