"""Split Swedish compound words into lexicon words."""

from __future__ import annotations

from functools import cache

from mellanrum.engines.textmatch.lexicon import Lexicon

__all__ = ["split_compound"]

LINKING_LETTERS = "seauo"
MIN_PART = 3


def split_compound(
    word: str, lexicon: Lexicon | None = None, *, keep_known: bool = True
) -> tuple[str, ...]:
    """Split a compound `word` into lexicon words.

    Every part must be a lexicon word.  Parts may be joined by one of the
    linking letters s, e, a, u or o; a part other than the last may drop a
    final ``a`` (``förskola`` → ``förskol-e-plats``); the last part may be
    inflected (``hemtjänsten``).  Among the possible splits the one with the
    fewest parts wins, then the most linking letters (a linking ``s`` usually
    marks the main boundary: ``äldreomsorg-s-boende``), then the longest
    first part.  Parts are returned in their lexicon (base) form.

    Parameters
    ----------
    word : str
        A normalised word.
    lexicon : Lexicon, optional
        Known words; the shipped Swedish lexicon by default.
    keep_known : bool, default True
        If True, a word that is itself in the lexicon is returned whole.  If
        False, it is split into smaller lexicon words when possible (used to
        find ``äldre`` + ``omsorg`` inside ``äldreomsorg``).

    Returns
    -------
    tuple of str
        The parts, or ``(word,)`` when no split is found.

    Examples
    --------
    >>> split_compound("bygglovsansökan")
    ('bygglov', 'ansökan')
    >>> split_compound("äldreomsorgsboende")
    ('äldreomsorg', 'boende')
    >>> split_compound("äldreomsorg", keep_known=False)
    ('äldre', 'omsorg')
    >>> split_compound("förskoleplatser")
    ('förskola', 'plats')
    >>> split_compound("far")
    ('far',)
    """
    lex = lexicon if lexicon is not None else Lexicon.default("sv")
    if keep_known:
        base = lex.base_form(word)
        if base is not None:
            return (base,)
    result = _best_split(word, lex, not keep_known)
    return result if result is not None else (word,)


def _best_split(word: str, lex: Lexicon, require_split: bool) -> tuple[str, ...] | None:
    words = lex.words

    @cache
    def best(start: int) -> tuple[tuple[int, int, int], tuple[str, ...]] | None:
        """Best split of word[start:] as ((parts, -links, -first_len), parts)."""
        candidates: list[tuple[tuple[int, int, int], tuple[str, ...]]] = []
        tail = word[start:]
        if len(tail) >= MIN_PART and not (require_split and start == 0):
            base = lex.base_form(tail)
            if base is not None:
                candidates.append(((1, 0, -len(tail)), (base,)))
        for end in range(start + MIN_PART, len(word) - MIN_PART + 1):
            piece = word[start:end]
            if piece in words:
                form = piece
            elif piece + "a" in words:
                form = piece + "a"
            else:
                continue
            nexts = [(end, 0)]
            if word[end] in LINKING_LETTERS:
                nexts.append((end + 1, 1))
            for nxt, link in nexts:
                rest = best(nxt) if len(word) - nxt >= MIN_PART else None
                if rest is None:
                    continue
                (n_parts, n_links, _), parts = rest
                candidates.append(((n_parts + 1, n_links - link, -len(piece)), (form, *parts)))
        return min(candidates) if candidates else None

    found = best(0)
    if found is None or len(found[1]) < 2:
        return None
    return found[1]
