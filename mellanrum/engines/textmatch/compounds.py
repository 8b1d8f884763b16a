"""Split Swedish compound words into lexicon words."""

from __future__ import annotations

from functools import cache

from mellanrum.engines.textmatch.lexicon import Lexicon

__all__ = ["split_compound", "split_open"]

LINKING_LETTERS = "seauo"
MIN_PART = 3


def split_compound(
    word: str,
    lexicon: Lexicon | None = None,
    *,
    keep_known: bool = True,
    agent_forms: bool = False,
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
    agent_forms : bool, default False
        If True, a part other than the last may also be a lexicon word in
        ``-are`` without its final ``e``, as agent nouns are written inside
        compounds (``medborgar-ceremoni``, ``läkar-intyg``).

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
    result = _best_split(word, lex, not keep_known, agent_forms)
    return result if result is not None else (word,)


def split_open(
    word: str,
    lexicon: Lexicon,
    heads: Lexicon | None = None,
    *,
    min_modifier: int = MIN_PART,
    min_head: int = 4,
) -> tuple[str, ...] | None:
    """Split a compound whose head is known but whose modifier is not.

    A Swedish compound is modifier + (linking letter) + head, and the head says
    what the thing is.  When no split into lexicon words exists, the longest
    known head (a word of `heads`, the lexicon by default, possibly inflected) of at least
    `min_head` letters is taken, and the rest, without a linking ``s`` of its own, is the
    modifier (longer than `min_modifier` letters, or a lexicon word) (split further into
    lexicon words when it can be).  ``hygienverksamhet`` → hygien + verksamhet,
    ``villatomtkön`` → villa + tomtkö.

    Returns
    -------
    tuple of str or None
        The parts (modifier parts, then the head in its base form), or None.

    Examples
    --------
    >>> split_open("hygienverksamhet", Lexicon(["verksamhet"]))
    ('hygien', 'verksamhet')
    >>> split_open("villatomtkön", Lexicon(["villa"]), Lexicon(["tomtkö"]))
    ('villa', 'tomtkö')
    >>> split_open("parkering", Lexicon(["bygglov"])) is None
    True
    """
    head_lexicon = heads if heads is not None else lexicon
    for start in range(min_modifier, len(word) - min_head + 1):
        head = head_lexicon.base_form(word[start:])
        modifier = word[:start]
        # A short modifier must be a word ("val-affischering"; not "för-äldra", "festi-valer").
        if (
            head is None
            or len(head) < min_head
            or (len(modifier) <= min_modifier and modifier not in lexicon.words)
        ):
            continue
        # A linking "s" belongs to the boundary, not to the modifier ("registrerings-").
        if modifier.endswith("s") and len(modifier) > min_modifier:
            modifier = modifier[:-1]
        if modifier.endswith("ar") and modifier + "e" in lexicon.words:
            return (modifier + "e", head)  # an agent noun's compound form (medborgar-)
        return (*split_compound(modifier, lexicon, agent_forms=True), head)
    return None


def _best_split(
    word: str, lex: Lexicon, require_split: bool, agent_forms: bool = False
) -> tuple[str, ...] | None:
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
            elif agent_forms and piece.endswith("ar") and piece + "e" in words:
                form = piece + "e"
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
