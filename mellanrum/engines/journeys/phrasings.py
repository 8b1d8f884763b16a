"""Tables of everyday phrasings with their expected life events, and the finder's accuracy.

A table is CSV with the columns ``text``, ``expected`` and ``kind`` (everyday, typo, slang,
indirect, english, multi, ...).  ``expected`` holds one life-event id, alternatives joined by
``|`` (either is right: "pappa känner inte igen mig" is dementia or growing old), or several
needs joined by ``+`` (a sentence with several needs: top-1 is right when the first event is
one of them, top-3 when all of them are among the first three).  ``NONE`` marks a need that
no life event covers; such rows are not counted.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mellanrum.engines.journeys.finder import Finder

__all__ = ["Phrasing", "Score", "evaluate", "hits", "read_phrasings"]


@dataclass(frozen=True)
class Phrasing:
    text: str
    expected: str
    kind: str = ""


@dataclass(frozen=True)
class Score:
    """Top-1 and top-3 hits on a table, with the rows missed at either."""

    total: int
    top1: int
    top3: int
    misses: tuple[tuple[Phrasing, tuple[str, ...]], ...]

    @property
    def top1_share(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_share(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def read_phrasings(path: Path) -> list[Phrasing]:
    """The rows of a phrasing table."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [Phrasing(r["text"], r["expected"], r.get("kind") or "")
                for r in csv.DictReader(handle)]


def hits(expected: str, ranked: Sequence[str]) -> tuple[bool, bool]:
    """Whether `ranked` (life-event ids, best first) is right at top-1 and at top-3.

    Examples
    --------
    >>> hits("fa-barn", ["fa-barn", "skaffa-bostad"])
    (True, True)
    >>> hits("anhorig-demens|aldras-stod-hemma", ["fa-barn", "aldras-stod-hemma"])
    (False, True)
    >>> hits("skilsmassa+skaffa-bostad", ["skaffa-bostad", "fa-barn", "gifta-sig"])
    (True, False)
    """
    if "+" in expected:
        needs = expected.split("+")
        return bool(ranked) and ranked[0] in needs, all(n in ranked[:3] for n in needs)
    options = expected.split("|")
    return bool(ranked) and ranked[0] in options, any(o in ranked[:3] for o in options)


def evaluate(finder: Finder, rows: Sequence[Phrasing]) -> Score:
    """Score `finder`'s life-event ranking on `rows` (rows expecting NONE are skipped)."""
    total = top1 = top3 = 0
    misses = []
    for row in rows:
        if row.expected == "NONE":
            continue
        ranked = tuple(m.event.id for m in finder.score_events(row.text))
        one, three = hits(row.expected, ranked)
        total += 1
        top1 += one
        top3 += three
        if not (one and three):
            misses.append((row, ranked[:3]))
    return Score(total, top1, top3, tuple(misses))
