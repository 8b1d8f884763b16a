"""The result of analysing one text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Analysis"]


@dataclass(frozen=True)
class Analysis:
    """Weighted features of a text, ready for a sparse vector.

    Feature keys have a kind prefix: ``c:`` thesaurus concept, ``w:`` word or
    compound-part stem, ``g:`` character n-gram.

    Attributes
    ----------
    text : str
        The analysed text.
    features : mapping of str to float
        Feature key → weight (positive).
    labels : mapping of str to str
        Feature key → readable form, for explanations (no n-grams).
    concepts : tuple of str
        Thesaurus concept ids found, sorted.
    qualifiers : tuple of str
        Stems of qualifying words found (``tillfäl`` in "Tillfälligt
        serveringstillstånd"), sorted: words that make a different service of
        the same thing (``data/qualifiers_<language>.txt``).
    uncovered : tuple of str
        Stems of the content words no thesaurus concept covers, in order.

    Examples
    --------
    >>> a = Analysis("Dagis", {"c:forskola": 2.0}, {"c:forskola": "förskola"}, ("forskola",))
    >>> a.evidence()
    ('förskola',)
    """

    text: str
    features: Mapping[str, float]
    labels: Mapping[str, str]
    concepts: tuple[str, ...]
    qualifiers: tuple[str, ...] = ()
    uncovered: tuple[str, ...] = ()

    def evidence(self, keys: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """Return readable labels of `keys` (all labelled features by default)."""
        chosen = self.labels.keys() if keys is None else keys
        return tuple(dict.fromkeys(self.labels[k] for k in chosen if k in self.labels))
