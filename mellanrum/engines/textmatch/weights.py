"""Weights of the analyser's feature kinds."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FeatureWeights"]


@dataclass(frozen=True)
class FeatureWeights:
    """Relative weight of each kind of feature produced by the analyser.

    Attributes
    ----------
    concept : float
        A thesaurus concept found in the text (``c:`` features).
    word : float
        The stem of a word that is not a compound (``w:`` features).
    part : float
        A top-level compound part, e.g. ``bygglov`` in ``bygglovsansökan``.
    whole : float
        The stem of a compound word that was split.
    leaf : float
        A finer part, e.g. ``äldre`` in ``äldreomsorgsboende``.
    gram : float
        Each character n-gram of a content word (``g:`` features).
    weak : float
        Factor for words that say how, not what (``ansök``, ``blankett``).
    covered : float
        Factor for words already represented by a thesaurus concept.
    title : float
        A concept learned from real titles of a service (``c:`` features the thesaurus does
        not give; see ``service_titles.py``).

    Examples
    --------
    >>> FeatureWeights().concept > FeatureWeights().word
    True
    """

    concept: float = 2.0
    word: float = 1.0
    part: float = 1.0
    whole: float = 0.5
    leaf: float = 0.4
    gram: float = 0.25
    weak: float = 0.15
    covered: float = 0.3
    title: float = 2.0
