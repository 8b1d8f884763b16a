"""The adapters to the engines: suggested alignments between partner statements and shared
goals (text engine), the benefits ledger (``engines.benefits``) and the split of the joint cost
(the fair-sharing engine, through the calculator's adapter ``benefits.analysis``).

Suggested alignments follow a small rule set that the page explains.

The rules, in order:

1. A statement and a goal are related when they share words or thesaurus concepts
   (``mellanrum.engines.textmatch.analyse``). Unrelated pairs are suggested neutral.
2. A budget ceiling (a budget rule, or an amount with "max", "högst", "tak", "inte överstiga")
   against a goal about cost or scope ("kostnad", "alla", "utöka", "dygnet runt", ...) is
   suggested as a conflict even without shared words.
3. A related statement with a negation or limit word ("inte", "får inte", "ej", "endast",
   "max", "ingen", ...) is suggested as a conflict.
4. Any other related pair is suggested as support.

Suggestions are never stored; people set the stance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mellanrum.benefits import analysis as sharing
from mellanrum.engines import benefits as engine
from mellanrum.engines.textmatch import analyse

from .models import (
    DEFAULT_DISCOUNT_RATE_PERCENT,
    DEFAULT_HOURLY_COST,
    Economics,
    Initiative,
    LedgerRow,
    Partner,
)
from .split_input import SplitOptions

__all__ = ["EconomicsValues", "LedgerView", "Suggestion", "ledger_view", "suggest"]

LIMIT_WORDS = (
    "får inte", "inte", "ej", "endast", "enbart", "bara", "max", "högst", "ingen", "inget",
    "inga", "aldrig", "förbjud", "undantag", "not", "only", "never", "no",
)
CEILING_WORDS = ("max", "högst", "tak", "överstiga", "budgetram", "ram ", "inom ram")
AMOUNT = re.compile(r"\d[\d\s]*(?:[.,]\d+)?\s*(?:kr|kronor|tkr|mkr|miljon|msek|sek)\b", re.I)
COST_OR_SCOPE_WORDS = (
    "kostnad", "budget", "investering", "finansier", "alla", "samtliga", "hela", "utöka",
    "utbyggnad", "fler", "dygnet runt", "öka", "bredda", "gemensam plattform", "ny tjänst",
)


@dataclass(frozen=True)
class Suggestion:
    stance: str  # "supports", "neutral" or "conflicts", as Alignment.Stance
    rule: str  # "ceiling", "unrelated", "limit" or "shared": which rule decided
    words: tuple[str, ...]  # the words that triggered the rule
    shared_terms: tuple[str, ...]


def _found(text: str, words: tuple[str, ...]) -> list[str]:
    lowered = f" {text.lower()} "
    found: list[str] = []
    for word in words:
        word = word.strip()
        if any(word in longer for longer in found):
            continue
        if re.search(rf"(?<!\w){re.escape(word)}", lowered):
            found.append(word)
    return found


def _shared_terms(first: str, second: str) -> tuple[str, ...]:
    a = analyse(first)
    b = analyse(second)
    keys = [k for k in a.features if k[:2] in {"w:", "c:"} and k in b.features]
    stop = set(LIMIT_WORDS)
    labels = [a.labels.get(k, k[2:]) for k in keys]
    return tuple(dict.fromkeys(label for label in labels if label.lower() not in stop))


def suggest(statement_text: str, statement_kind: str, goal_text: str) -> Suggestion:
    """Suggest a stance of a partner statement towards a shared goal, with its reasons."""
    shared = _shared_terms(statement_text, goal_text)
    limits = _found(statement_text, LIMIT_WORDS)
    is_ceiling = statement_kind == "budget_rule" or bool(
        AMOUNT.search(statement_text) and _found(statement_text, CEILING_WORDS)
    )
    cost_or_scope = _found(goal_text, COST_OR_SCOPE_WORDS)
    if is_ceiling and cost_or_scope:
        return Suggestion("conflicts", "ceiling", tuple(cost_or_scope), shared)
    if not shared:
        return Suggestion("neutral", "unrelated", (), shared)
    if limits:
        return Suggestion("conflicts", "limit", tuple(limits), shared)
    return Suggestion("supports", "shared", shared, shared)


# --- Benefits ledger ------------------------------------------------------------------------


@dataclass(frozen=True)
class EconomicsValues:
    discount_rate_percent: Decimal
    hourly_cost: Decimal
    base_year: int
    base_year_is_default: bool
    is_default: bool  # no settings stored: the defaults apply

    @property
    def settings(self) -> engine.Settings:
        return engine.Settings(self.discount_rate_percent / 100, self.hourly_cost,
                               self.base_year)


def economics_values(initiative: Initiative, rows: Iterable[LedgerRow] = ()) -> EconomicsValues:
    try:
        stored: Economics | None = initiative.economics
    except Economics.DoesNotExist:
        stored = None
    years = [r.year for r in rows]
    default_year = min(years) if years else timezone.localdate().year
    if stored is None:
        return EconomicsValues(DEFAULT_DISCOUNT_RATE_PERCENT, DEFAULT_HOURLY_COST, default_year,
                               True, True)
    return EconomicsValues(stored.discount_rate_percent, stored.hourly_cost,
                           stored.base_year or default_year, stored.base_year is None, False)


def _entries(rows: Iterable[LedgerRow]) -> list[engine.LedgerEntry]:
    return [
        engine.LedgerEntry(r.organisation.code, r.year, r.kind, r.planned or Decimal(0),
                           r.realised)
        for r in rows if r.kind != LedgerRow.Kind.QUALITATIVE
    ]


@dataclass
class LedgerView:
    economics: EconomicsValues
    result: engine.LedgerResult
    names: dict[str, str]
    rows: list[LedgerRow]

    @property
    def qualitative(self) -> list[LedgerRow]:
        return [r for r in self.rows if r.is_qualitative]

    @property
    def quantitative(self) -> list[LedgerRow]:
        return [r for r in self.rows if not r.is_qualitative]

    def partner_rows(self) -> list[dict[str, Any]]:
        return [{"code": p.partner, "name": self.names.get(p.partner, p.partner), "result": p}
                for p in self.result.partners]

    def year_rows(self) -> list[dict[str, Any]]:
        return [{"code": y.partner, "name": self.names.get(y.partner, y.partner), "year": y}
                for y in self.result.years]


def ledger_view(initiative: Initiative) -> LedgerView:
    """The ledger of an initiative evaluated by the engine, every partner listed."""
    rows = list(initiative.ledger_rows.select_related("organisation", "updated_by"))
    partners = list(initiative.partners.select_related("organisation"))
    values = economics_values(initiative, rows)
    result = engine.evaluate(_entries(rows), values.settings,
                             partners=[p.organisation.code for p in partners])
    names = {p.organisation.code: p.organisation.name for p in partners}
    names.update({r.organisation.code: r.organisation.name for r in rows})
    return LedgerView(values, result, names, rows)


def net_gains(initiatives: Iterable[Initiative]) -> dict[int, engine.LedgerResult]:
    """The evaluated ledger of each initiative that has one, by initiative id (prefetch
    ``ledger_rows__organisation`` and select ``economics`` to keep the queries few)."""
    found: dict[int, engine.LedgerResult] = {}
    for initiative in initiatives:
        rows = list(initiative.ledger_rows.all())
        if not rows:
            continue
        values = economics_values(initiative, rows)
        found[initiative.pk] = engine.evaluate(_entries(rows), values.settings)
    return found


# --- Split of the joint cost ------------------------------------------------------------------


def paying_partners(initiative: Initiative) -> list[Partner]:
    """The partners that take a share of the joint cost (``Partner.pays``): accepted leads and
    partners; invited and declined organisations, facilitators and observers pay nothing."""
    return [p for p in initiative.partners.select_related("organisation") if p.pays]


def compare_split(initiative: Initiative, joint_cost: Decimal,
                  standalone: Mapping[str, Decimal],
                  options: SplitOptions | None = None) -> sharing.Comparison:
    """Every fair-sharing method for the joint cost against the partners' stand-alone costs,
    the subgroup costs people know, or the capacity model (an airport game).

    Raises ``sharing.CalculatorError`` when the engine refuses the game.
    """
    options = options or SplitOptions()
    partners = paying_partners(initiative)
    players = [
        sharing.Partner(code=p.organisation.code, name=p.organisation.name,
                        alone=float(standalone[p.organisation.code]),
                        population=(float(p.organisation.population)
                                    if p.organisation.population else None))
        for p in partners
    ]
    groups = {codes: float(cost) for codes, cost in options.groups.items()}
    data = sharing.game_data("cost", players, float(joint_cost), groups)
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
    return sharing.compare(data, {p.code: p.name for p in players},
                           fixed_percent=float(options.fixed_percent))


def comparison_snapshot(comparison: sharing.Comparison) -> list[dict[str, Any]]:
    """Every method's result as plain JSON, with its core check in words."""
    return [
        {
            "method": r.method, "label": r.label, "explanation": r.explanation,
            "amounts": {code: round(value, 2) for code, value in r.amounts.items()},
            "in_core": r.in_core,
            "blocking": [[list(members), round(gain, 2)] for members, gain in r.blocking],
            "blocking_count": r.blocking_count,
            "stability": sharing.stability_sentence(comparison, r),
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
    partners = [sharing.Partner(code=c, name=n, alone=0.0) for c, n in names.items()]
    comparison = sharing.Comparison("cost", partners, 0.0, 0.0, [], [], False)
    result = sharing.MethodResult(
        method="", label="", explanation="", amounts={}, savings={}, in_core=in_core,
        blocking=[(tuple(members), float(gain)) for members, gain in blocking],
        blocking_count=blocking_count,
    )
    return sharing.stability_sentence(comparison, result)


def localised_methods(comparison: list[dict[str, Any]],
                      names: Mapping[str, str]) -> list[dict[str, Any]]:
    """A stored comparison with labels, explanations and core checks in the reader's
    language; the stored texts are those the chooser saw."""
    return [
        {**m, "label": sharing.method_label(m["method"]),
         "explanation": sharing.method_explanation(m["method"]) or m["explanation"],
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
    game = [m for m in comparison if m["method"] in sharing.GAME_METHODS]
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
    return sharing.partner_stories(method, found["amounts"], standalone, names,
                                   found.get("details"), capacity=options.capacity)
