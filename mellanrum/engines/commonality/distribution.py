"""Summary of a distribution of numbers with IQR outliers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Distribution"]


@dataclass(frozen=True)
class Distribution:
    """Quartiles, deciles and outliers of values keyed by activity id.

    Quantiles use linear interpolation (numpy's default).  Outliers are
    values below ``q1 - 1.5 * IQR`` or above ``q3 + 1.5 * IQR`` (Tukey's
    rule).  `spread` is ``p90 / p10`` (None when p10 is not positive).

    Examples
    --------
    >>> d = Distribution.of({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0, "e": 100.0})
    >>> d.median, d.q1, d.q3, d.outliers
    (3.0, 2.0, 4.0, ('e',))
    >>> Distribution.of({}) is None
    True
    """

    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    p10: float
    p90: float
    spread: float | None
    outliers: tuple[str, ...]

    @classmethod
    def of(cls, values: Mapping[str, float]) -> Distribution | None:
        """Summarise `values` (activity id → value); None when empty."""
        if not values:
            return None
        keys = sorted(values)
        data = np.array([float(values[k]) for k in keys])
        p10, q1, median, q3, p90 = (float(x) for x in np.percentile(data, [10, 25, 50, 75, 90]))
        iqr = q3 - q1
        low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
        outliers = tuple(k for k, v in zip(keys, data, strict=True) if v < low or v > high)
        return cls(
            count=len(keys),
            minimum=float(data.min()),
            q1=q1,
            median=median,
            q3=q3,
            maximum=float(data.max()),
            p10=p10,
            p90=p90,
            spread=p90 / p10 if p10 > 0 else None,
            outliers=outliers,
        )
