"""The adapter to the goal-status engine (``engines.goals``): a shared goal's measured values,
per partner or jointly, with the partner municipalities' stored Kolada values filled in, and
each series' status; and what the initiative page shows about consent and decisions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.engines import goals as engine
from mellanrum.kolada.analysis import kolada_code
from mellanrum.kolada.models import KoladaValue
from mellanrum.landscape.models import Organisation

from .consent_models import GoalTracking, Measurement
from .models import Goal

__all__ = ["STATUS_SYMBOLS", "GoalView", "Point", "Series", "goal_view", "status_label"]

# Status in words and a symbol, never colour alone.
STATUS_SYMBOLS = {"on_track": "✓", "at_risk": "!", "deviating": "✗", "unknown": "–"}
# The worst status of the series decides the goal's status.
_ORDER = ["deviating", "at_risk", "on_track", "unknown"]


def status_label(status: str) -> str:
    return {
        "on_track": _("On track"),
        "at_risk": _("At risk"),
        "deviating": _("Deviating"),
        "unknown": _("No status yet"),
    }[status]


@dataclass(frozen=True)
class Point:
    period_end: datetime.date
    value: Decimal
    source: str  # "" for a value recorded in Mellanrum, else its attribution (Källa: Kolada)
    measurement: Measurement | None = None


@dataclass
class Series:
    organisation: Organisation | None
    points: list[Point] = field(default_factory=list)
    status: engine.GoalStatus | None = None

    @property
    def label(self) -> str:
        return self.organisation.name if self.organisation else _("All partners together")

    @property
    def status_word(self) -> str:
        return status_label(self.status.status if self.status else "unknown")

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOLS[self.status.status if self.status else "unknown"]


@dataclass
class GoalView:
    goal: Goal
    tracking: GoalTracking | None
    baseline: Decimal | None
    target: Decimal | None
    start: datetime.date | None
    series: list[Series]
    status: str

    @property
    def status_word(self) -> str:
        return status_label(self.status)

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOLS[self.status]

    @property
    def per_partner(self) -> bool:
        return bool(self.tracking and self.tracking.per_partner)

    @property
    def points(self) -> list[tuple[Series, Point]]:
        return [(s, p) for s in self.series for p in s.points]


def _start(goal: Goal, tracking: GoalTracking | None) -> datetime.date | None:
    if tracking and tracking.baseline_date:
        return tracking.baseline_date
    return goal.initiative.start_date


def _kolada_points(kpi: str, organisation: Organisation) -> list[Point]:
    values = KoladaValue.objects.filter(
        kpi_id=kpi, municipality_code=kolada_code(organisation),
        gender=KoladaValue.Gender.TOTAL, value__isnull=False,
    ).order_by("year")
    today = timezone.localdate()
    return [Point(datetime.date(v.year, 12, 31), Decimal(str(v.value)), v.attribution)
            for v in values if datetime.date(v.year, 12, 31) <= today]


def goal_view(goal: Goal) -> GoalView:
    """A goal's series of measured values and their statuses (see ``engines.goals``).

    Per partner, every accepted paying partner has a series; values recorded in Mellanrum come
    first, and a Kolada value fills a period the partner has not recorded itself."""
    tracking = GoalTracking.objects.filter(goal=goal).first()
    baseline, target = engine.parse_number(goal.baseline), engine.parse_number(goal.target)
    start = _start(goal, tracking)
    recorded = list(goal.measurements.select_related("organisation"))
    series: list[Series] = []
    if tracking and tracking.per_partner:
        partners = [p for p in goal.initiative.partners.select_related("organisation")
                    if p.pays]
        for partner in partners:
            organisation = partner.organisation
            own = {m.period_end: Point(m.period_end, m.value, "", m) for m in recorded
                   if m.organisation_id == organisation.pk}
            if tracking.kolada_kpi:
                for point in _kolada_points(tracking.kolada_kpi, organisation):
                    own.setdefault(point.period_end, point)
            series.append(Series(organisation, sorted(own.values(),
                                                      key=lambda p: p.period_end)))
    else:
        series.append(Series(None, [Point(m.period_end, m.value, "", m) for m in recorded
                                    if m.organisation_id is None]))
    for item in series:
        item.status = engine.goal_status(baseline, target, start, goal.target_date,
                                         [(p.period_end, p.value) for p in item.points])
    statuses = [s.status.status for s in series if s.status and s.status.status != "unknown"]
    overall = min(statuses, key=_ORDER.index) if statuses else "unknown"
    return GoalView(goal, tracking, baseline, target, start, series, overall)


def chart_rows(view: GoalView) -> list[tuple[str, str, float]]:
    """The trend chart's rows: each series' values, and the straight path to the target
    (dashed, its name marked with "~")."""
    rows = [(s.label, p.period_end.isoformat(), float(p.value))
            for s in view.series for p in s.points]
    if rows and view.baseline is not None and view.target is not None and view.start:
        path = "~" + _("Path to the target")
        rows.append((path, view.start.isoformat(), float(view.baseline)))
        rows.append((path, view.goal.target_date.isoformat(), float(view.target)))
    return rows
