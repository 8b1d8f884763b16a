"""Split normalised text into word tokens."""

from __future__ import annotations

from mellanrum.engines.textmatch.normalise import normalise

__all__ = ["tokenise"]


def tokenise(text: str) -> list[str]:
    """Return the word tokens of `text` after :func:`normalise`.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        Lower-case tokens in their original order.

    Examples
    --------
    >>> tokenise("Ansökan om bygglov (e-tjänst)")
    ['ansökan', 'om', 'bygglov', 'etjänst']
    """
    normalised = normalise(text)
    return normalised.split(" ") if normalised else []
