"""The one exception of the fair-sharing engine."""

from __future__ import annotations

__all__ = ["GameError"]


class GameError(ValueError):
    """A game description that cannot be used, with a message naming the problem."""
