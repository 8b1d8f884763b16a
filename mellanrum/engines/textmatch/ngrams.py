"""Character n-grams for robustness to typos."""

from __future__ import annotations

__all__ = ["char_ngrams"]


def char_ngrams(word: str, n: int = 3) -> tuple[str, ...]:
    """Return the character `n`-grams of `word` padded with ``#`` at both ends.

    Words shorter than `n` give the padded word as their only n-gram, so
    every non-empty word has at least one.

    Parameters
    ----------
    word : str
        A single normalised word.
    n : int, default 3
        Length of each n-gram.

    Returns
    -------
    tuple of str
        The n-grams in order of appearance, duplicates removed.

    Examples
    --------
    >>> char_ngrams("lov")
    ('#lo', 'lov', 'ov#')
    >>> char_ngrams("ab", n=4)
    ('#ab#',)
    """
    if not word:
        return ()
    padded = f"#{word}#"
    if len(padded) <= n:
        return (padded,)
    grams = (padded[i : i + n] for i in range(len(padded) - n + 1))
    return tuple(dict.fromkeys(grams))
