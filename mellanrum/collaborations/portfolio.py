"""The portfolio: filtering visible initiatives, the prioritisation score and the XLSX export.

The score is a weighted mean of five 1–5 ratings set on each initiative. Risk counts inverted
(6 − risk), so a risky initiative scores lower. Weights are whole numbers 0–10; all zero falls
back to the defaults.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from mellanrum.benefits.ledger import net_gains
from mellanrum.lib.xlsx import active_sheet, safe_row

from .models import Alignment, Initiative, Partner

CRITERIA = ("citizen_value", "savings", "feasibility", "reach", "risk_level")
DEFAULT_WEIGHTS = {"citizen_value": 3, "savings": 2, "feasibility": 2, "reach": 2,
                   "risk_level": 1}
MAX_WEIGHT = 10


@dataclass(frozen=True)
class Weights:
    values: Mapping[str, int]
    errors: tuple[str, ...] = ()


def parse_weights(params: Mapping[str, str]) -> Weights:
    """Weights from GET parameters ``w_<criterion>``; bad values fall back to the default."""
    values: dict[str, int] = {}
    errors: list[str] = []
    for name in CRITERIA:
        raw = str(params.get(f"w_{name}", "")).strip()
        if raw == "":
            values[name] = DEFAULT_WEIGHTS[name]
            continue
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if not 0 <= value <= MAX_WEIGHT:
            errors.append(name)
            value = DEFAULT_WEIGHTS[name]
        values[name] = value
    if not any(values.values()):
        values = dict(DEFAULT_WEIGHTS)
        errors.append("all_zero")
    return Weights(values, tuple(errors))


def score(initiative: Initiative, weights: Mapping[str, int]) -> Decimal:
    total = sum(weights.values())
    points = 0
    for name in CRITERIA:
        rating = getattr(initiative, name)
        points += weights[name] * (6 - rating if name == "risk_level" else rating)
    return (Decimal(points) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def filter_initiatives(queryset: QuerySet[Initiative],
                       params: Mapping[str, str]) -> QuerySet[Initiative]:
    if phase := params.get("phase"):
        queryset = queryset.filter(phase=phase)
    if partner := params.get("partner"):
        queryset = queryset.filter(partners__organisation__code=partner)
    if concept := params.get("concept"):
        queryset = queryset.filter(concept_links__concept_id=concept)
    if life_event := params.get("life_event"):
        queryset = queryset.filter(steps__life_event__slug=life_event)
    conflicts = Count("statements__alignments", distinct=True,
                      filter=Q(statements__alignments__stance=Alignment.Stance.CONFLICTS))
    return (
        queryset.distinct()
        .annotate(conflict_count=conflicts)
        .select_related("economics")
        .prefetch_related("partners__organisation", "concept_links")
    )


@dataclass(frozen=True)
class Row:
    initiative: Initiative
    score: Decimal
    lead: str
    partners: tuple[str, ...]
    conflicts: int
    net_gain: Decimal | None = None  # all partners' forecast NPV; None without a ledger


def ranked(initiatives: Iterable[Initiative], weights: Mapping[str, int]) -> list[Row]:
    items = list(initiatives)
    ledgers = net_gains(items)
    rows = []
    for item in items:
        partners = list(item.partners.all())
        lead = next((p.organisation.name for p in partners if p.role == Partner.Role.LEAD), "")
        result = ledgers.get(item.pk)
        rows.append(Row(item, score(item, weights), lead,
                        tuple(p.organisation.name for p in partners),
                        getattr(item, "conflict_count", 0),
                        result.net_gain if result else None))
    rows.sort(key=lambda r: (-r.score, r.initiative.title))
    return rows


def to_xlsx(rows: list[Row], weights: Mapping[str, int]) -> bytes:
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = _("Portfolio")[:31]
    sheet.append([
        _("Initiative"), _("Phase"), _("Lead"), _("Partners"), _("Score"),
        _("Citizen value"), _("Savings"), _("Feasibility"), _("Reach"), _("Risk"),
        _("Conflicts"), _("Net gain (NPV, kr)"), _("Visible to all logged-in users"),
        _("Illustrative"),
    ])
    for row in rows:
        item = row.initiative
        sheet.append(safe_row([
            item.title, str(item.get_phase_display()), row.lead, ", ".join(row.partners),
            float(row.score), item.citizen_value, item.savings, item.feasibility, item.reach,
            item.risk_level, row.conflicts,
            None if row.net_gain is None else float(row.net_gain),
            bool(item.is_public), bool(item.is_illustrative),
        ]))
    notes = workbook.create_sheet(_("Weights")[:31])
    notes.append([_("Criterion"), _("Weight")])
    for name in CRITERIA:
        notes.append([name, weights[name]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
