"""The adapter to the text engine: suggested alignments between partner statements and shared
goals. (The ledger and the split of the joint cost are the benefits app's.)

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
from dataclasses import dataclass

from mellanrum.engines.textmatch import analyse

__all__ = ["Suggestion", "suggest"]

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
