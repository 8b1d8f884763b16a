"""Status of a goal's indicator: on track, at risk or deviating, from the baseline, the target
and the latest measured value compared with a straight path between them.

The rule
--------
The path runs in a straight line from the baseline (value ``b`` on ``start``) to the target
(value ``t`` on ``target_date``). On the date of the latest measured value ``v`` the path
expects ``e``; the share of the expected progress reached is ``r = (v - b) / (e - b)``.

* ``on_track`` (på väg): ``r >= 0.9``, or the value is already at or beyond the target;
* ``at_risk`` (risk): ``0.5 <= r < 0.9``;
* ``deviating`` (avviker): ``r < 0.5``, which includes moving away from the target.

When no progress is expected yet (the value is measured on or before the start), the value is on
track unless it has moved away from the target. Whether higher or lower is better follows from
the direction from baseline to target. Without a baseline, a target or a value there is no
status (``unknown``).

Examples
--------
>>> import datetime as dt
>>> goal_status(Decimal(45), Decimal(90), dt.date(2025, 1, 1), dt.date(2027, 1, 1),
...             [(dt.date(2026, 1, 1), Decimal(66))]).status
'on_track'
>>> goal_status(Decimal(14), Decimal(7), dt.date(2025, 1, 1), dt.date(2027, 1, 1),
...             [(dt.date(2026, 1, 1), Decimal(15))]).status
'deviating'
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["ON_TRACK_SHARE", "RISK_SHARE", "GoalStatus", "goal_status", "parse_number"]

ON_TRACK_SHARE = Decimal("0.9")
RISK_SHARE = Decimal("0.5")
_NUMBER = re.compile(r"[-−]?\d[\d\s\u00a0]*(?:[.,]\d+)?")


def parse_number(text: str) -> Decimal | None:
    """The first number in a baseline or target such as "45 %", "14 dagar" or "1 234,5 kr".

    >>> parse_number("1 234,5 kr")
    Decimal('1234.5')
    >>> parse_number("ingen") is None
    True
    """
    found = _NUMBER.search(text or "")
    if found is None:
        return None
    cleaned = re.sub(r"[\s\u00a0]", "", found.group()).replace(",", ".").replace("−", "-")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class GoalStatus:
    status: str  # "on_track", "at_risk", "deviating" or "unknown"
    latest: Decimal | None  # the latest measured value
    latest_date: datetime.date | None
    expected: Decimal | None  # where the straight path is on that date
    share: Decimal | None  # share of the expected progress reached


def _expected(baseline: Decimal, target: Decimal, start: datetime.date,
              target_date: datetime.date, when: datetime.date) -> Decimal:
    span = (target_date - start).days
    if span <= 0 or when >= target_date:
        return target
    if when <= start:
        return baseline
    return baseline + (target - baseline) * Decimal((when - start).days) / Decimal(span)


def goal_status(baseline: Decimal | None, target: Decimal | None, start: datetime.date | None,
                target_date: datetime.date,
                values: Sequence[tuple[datetime.date, Decimal]]) -> GoalStatus:
    """The status of one series of measured values (dated) against its goal."""
    if not values:
        return GoalStatus("unknown", None, None, None, None)
    when, latest = max(values, key=lambda item: item[0])
    if baseline is None or target is None or start is None or baseline == target:
        return GoalStatus("unknown", latest, when, None, None)
    direction = Decimal(1) if target > baseline else Decimal(-1)
    expected = _expected(baseline, target, start, target_date, when)
    if direction * (latest - target) >= 0:
        return GoalStatus("on_track", latest, when, expected, None)
    if expected == baseline:
        status = "on_track" if direction * (latest - baseline) >= 0 else "deviating"
        return GoalStatus(status, latest, when, expected, None)
    share = (latest - baseline) / (expected - baseline)
    if share >= ON_TRACK_SHARE:
        status = "on_track"
    elif share >= RISK_SHARE:
        status = "at_risk"
    else:
        status = "deviating"
    return GoalStatus(status, latest, when, expected, share.quantize(Decimal("0.01")))
