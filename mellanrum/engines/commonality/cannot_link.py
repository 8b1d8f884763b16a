"""Must-not-link pairs of names: what people said are different things stays apart.

A pair ``("Tillfälligt serveringstillstånd", "Serveringstillstånd")`` means that
no activity named the one is ever linked by similarity with an activity named
the other, whichever organisations they belong to.  Human decisions (pins)
still win: a person may put them together by hand.

The constraint rides on the clustering nodes' exclusions: every activity
whose normalised name is in a pair carries a side token of that pair, and
:func:`conflict` refuses a merge of two clusters holding opposite sides.
Both the one-process and the cluster path build their nodes through
:func:`exclusions`, so they give the same concepts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["Marks", "conflict", "exclusions", "marks_of", "normalised_pairs"]

PREFIX = "\x00apart:"
Marks = Mapping[str, frozenset[str]]


def normalised_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs of normalised names, each sorted, without repeats or self-pairs, sorted.

    Examples
    --------
    >>> normalised_pairs([("Arkivering", " ARKIVERING"), ("B", "a"), ("A", "b")])
    [('a', 'b')]
    """
    found: set[tuple[str, str]] = set()
    for a, b in pairs:
        x, y = normalise(a), normalise(b)
        if x and y and x != y:
            found.add((min(x, y), max(x, y)))
    return sorted(found)


def marks_of(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Normalised name -> the side tokens it carries (one per pair it is in).

    Examples
    --------
    >>> marks = marks_of([("Bygglov", "Marklov")])
    >>> conflict(marks["bygglov"], marks["marklov"]), conflict(marks["bygglov"], marks["bygglov"])
    (True, False)
    """
    marks: dict[str, set[str]] = defaultdict(set)
    for x, y in normalised_pairs(pairs):
        pair = f"{PREFIX}{x}\x1f{y}\x1e"
        marks[x].add(pair + "0")
        marks[y].add(pair + "1")
    return {name: frozenset(tokens) for name, tokens in marks.items()}


def exclusions(
    excluded: Mapping[str, Collection[str]], activity_id: str, name: str, marks: Marks
) -> tuple[str, ...]:
    """A node's exclusions: the activity's excluded concepts plus its name's side tokens."""
    out = excluded.get(activity_id, ())
    mark = marks.get(name) if marks else None
    if mark:
        return tuple(sorted({*out, *mark}))
    return tuple(sorted(out))


def conflict(a: Collection[str], b: Collection[str]) -> bool:
    """Whether exclusions `a` and `b` hold opposite sides of a must-not-link pair."""
    if not a or not b:
        return False
    for token in a:
        if token.startswith(PREFIX):
            opposite = token[:-1] + ("1" if token.endswith("0") else "0")
            if opposite in b:
                return True
    return False
