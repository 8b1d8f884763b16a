"""Collaboration health: scoring short recurring partner surveys, trends and early warnings.

Plain Python (scipy for the t quantile). Take the :class:`Instrument` a round used from
:func:`get_instrument`, score the anonymous responses with :func:`score_round` (which applies
the anonymity threshold), follow factors over rounds with :func:`factor_trend` and ask
:func:`early_warnings` what the team should look at.

Examples
--------
>>> from mellanrum.engines.health import ResponseData, get_instrument, score_round
>>> v1 = get_instrument()
>>> rs = [ResponseData("A", {"vision_agree": a}) for a in (4, 5, 3)]
>>> score_round(v1, rs).factors["shared_vision"].mean
4.0
"""

from __future__ import annotations

from mellanrum.engines.health.errors import HealthError
from mellanrum.engines.health.instrument import (
    CURRENT_VERSION,
    INSTRUMENTS,
    SCALE_MAX,
    SCALE_MIN,
    Factor,
    Instrument,
    Item,
    ScalePoint,
    get_instrument,
)
from mellanrum.engines.health.scoring import (
    MIN_GROUP,
    FactorScore,
    PartnerScores,
    ResponseData,
    RoundScores,
    mean_interval,
    release_counts,
    score_round,
)
from mellanrum.engines.health.trends import (
    EarlyWarning,
    WarningRules,
    early_warnings,
    factor_trend,
)

__all__ = [
    "CURRENT_VERSION",
    "INSTRUMENTS",
    "MIN_GROUP",
    "SCALE_MAX",
    "SCALE_MIN",
    "EarlyWarning",
    "Factor",
    "FactorScore",
    "HealthError",
    "Instrument",
    "Item",
    "PartnerScores",
    "ResponseData",
    "RoundScores",
    "ScalePoint",
    "WarningRules",
    "early_warnings",
    "factor_trend",
    "get_instrument",
    "mean_interval",
    "release_counts",
    "score_round",
]
