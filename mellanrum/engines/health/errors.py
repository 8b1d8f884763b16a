"""The one exception of the health engine."""

from __future__ import annotations

__all__ = ["HealthError"]


class HealthError(ValueError):
    """Survey input that cannot be scored, with a message naming the problem."""
