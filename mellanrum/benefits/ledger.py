"""The adapter from an initiative's ledger to the realisation engine
(``engines.realisation``): the valuation in force, and every partner's costs, benefits, net
present value and net gain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mellanrum.collaborations.models import Initiative
from mellanrum.engines import realisation as engine

from .models import DEFAULT_DISCOUNT_RATE_PERCENT, DEFAULT_HOURLY_COST, Economics, LedgerRow

__all__ = ["EconomicsValues", "LedgerView", "economics_values", "entries", "ledger_view",
           "net_gains"]


@dataclass(frozen=True)
class EconomicsValues:
    discount_rate_percent: Decimal
    hourly_cost: Decimal
    base_year: int
    base_year_is_default: bool
    is_default: bool  # no settings stored: the defaults apply

    @property
    def settings(self) -> engine.Settings:
        return engine.Settings(self.discount_rate_percent / 100, self.hourly_cost,
                               self.base_year)


def economics_values(initiative: Initiative, rows: Iterable[LedgerRow] = ()) -> EconomicsValues:
    return _economics_values(initiative, [r.year for r in rows])


def _economics_values(initiative: Initiative, years: list[int]) -> EconomicsValues:
    try:
        stored: Economics | None = initiative.economics
    except Economics.DoesNotExist:
        stored = None
    default_year = min(years) if years else timezone.localdate().year
    if stored is None:
        return EconomicsValues(DEFAULT_DISCOUNT_RATE_PERCENT, DEFAULT_HOURLY_COST, default_year,
                               True, True)
    return EconomicsValues(stored.discount_rate_percent, stored.hourly_cost,
                           stored.base_year or default_year, stored.base_year is None, False)


def entries(rows: Iterable[LedgerRow]) -> list[engine.LedgerEntry]:
    return [
        engine.LedgerEntry(r.organisation.code, r.year, r.kind, r.planned or Decimal(0),
                           r.realised)
        for r in rows if r.kind != LedgerRow.Kind.QUALITATIVE
    ]


@dataclass
class LedgerView:
    economics: EconomicsValues
    result: engine.LedgerResult
    names: dict[str, str]
    rows: list[LedgerRow]

    @property
    def qualitative(self) -> list[LedgerRow]:
        return [r for r in self.rows if r.is_qualitative]

    @property
    def quantitative(self) -> list[LedgerRow]:
        return [r for r in self.rows if not r.is_qualitative]

    def partner_rows(self) -> list[dict[str, Any]]:
        return [{"code": p.partner, "name": self.names.get(p.partner, p.partner), "result": p}
                for p in self.result.partners]

    def year_rows(self) -> list[dict[str, Any]]:
        return [{"code": y.partner, "name": self.names.get(y.partner, y.partner), "year": y}
                for y in self.result.years]


def ledger_view(initiative: Initiative) -> LedgerView:
    """The ledger of an initiative evaluated by the engine, every partner listed."""
    rows = list(initiative.ledger_rows.select_related("organisation", "updated_by"))
    partners = list(initiative.partners.select_related("organisation"))
    values = economics_values(initiative, rows)
    result = engine.evaluate(entries(rows), values.settings,
                             partners=[p.organisation.code for p in partners])
    names = {p.organisation.code: p.organisation.name for p in partners}
    names.update({r.organisation.code: r.organisation.name for r in rows})
    return LedgerView(values, result, names, rows)


def net_gains(initiatives: Iterable[Initiative]) -> dict[int, engine.LedgerResult]:
    """The evaluated ledger of each initiative that has one, by initiative id (select
    ``economics`` to keep the queries few). The rows of all of them are read in one query, as
    plain values: a national portfolio has thousands of ledger rows."""
    items = {initiative.pk: initiative for initiative in initiatives}
    years: dict[int, list[int]] = {}
    found_entries: dict[int, list[engine.LedgerEntry]] = {}
    rows = (LedgerRow.objects.filter(initiative__in=list(items))
            .order_by("initiative", "organisation__name", "year", "kind", "pk")
            .values_list("initiative_id", "organisation__code", "year", "kind", "planned",
                         "realised"))
    for initiative_id, code, year, kind, planned, realised in rows:
        years.setdefault(initiative_id, []).append(year)
        found_entries.setdefault(initiative_id, [])
        if kind != LedgerRow.Kind.QUALITATIVE:
            found_entries[initiative_id].append(
                engine.LedgerEntry(code, year, kind, planned or Decimal(0), realised))
    found: dict[int, engine.LedgerResult] = {}
    for pk, initiative in items.items():
        if pk not in years:
            continue
        values = _economics_values(initiative, years[pk])
        found[pk] = engine.evaluate(found_entries[pk], values.settings)
    return found
