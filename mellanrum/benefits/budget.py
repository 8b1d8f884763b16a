"""One partner's budget sheet for an initiative: its share of the joint cost and its ledger in
its own budget language — the committee (nämnd) and activity (verksamhet) it names, operating
costs (drift) against investments, the planned cost, saving and net of each year with the dip
before the gain, the payback year, the net present value at the initiative's discount rate,
and the goals the initiative serves (the shared goals and the partner's own)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mellanrum.collaborations.models import Goal, Initiative, Statement
from mellanrum.engines import realisation as engine
from mellanrum.landscape.models import Organisation

from .ledger import LedgerView, entries, ledger_view
from .models import CostSplit, LedgerRow, PartnerBudget
from .payers import paying_partners

__all__ = ["BudgetSheet", "budget_sheet", "sheet_as_json", "sheet_organisations"]


@dataclass
class BudgetSheet:
    initiative: Initiative
    organisation: Organisation
    committee: str
    activity: str
    view: LedgerView
    years: list[engine.BudgetYear]
    split: CostSplit | None
    share: Decimal | None  # the partner's share of the current split, kr a year
    share_confirmed: bool
    payback_year: int | None
    npv: Decimal  # planned net present value at the initiative's discount rate
    shared_goals: list[Goal]
    own_goals: list[Statement]
    qualitative: list[LedgerRow]

    @property
    def operating(self) -> Decimal:
        return sum((y.operating for y in self.years), Decimal(0))

    @property
    def investment(self) -> Decimal:
        return sum((y.investment for y in self.years), Decimal(0))

    @property
    def saving(self) -> Decimal:
        return sum((y.saving for y in self.years), Decimal(0))

    @property
    def net(self) -> Decimal:
        return sum((y.net for y in self.years), Decimal(0))

    @property
    def dip(self) -> Decimal:
        """The lowest running total of the nets (0 if it never goes below zero)."""
        return min([Decimal(0), *(y.cumulative for y in self.years)])


def sheet_organisations(initiative: Initiative) -> list[Organisation]:
    """The partners that have a budget sheet: those that pay a share."""
    return [p.organisation for p in paying_partners(initiative)]


def budget_sheet(initiative: Initiative, organisation: Organisation) -> BudgetSheet:
    view = ledger_view(initiative)
    mine = [r for r in view.rows if r.organisation_id == organisation.pk]
    years = engine.budget_years(entries(mine), organisation.code, view.economics.hourly_cost)
    split = initiative.cost_splits.first()
    share = None
    confirmed = False
    if split is not None and organisation.code in split.amounts:
        share = Decimal(str(split.amounts[organisation.code])).quantize(Decimal("0.01"))
        rows = [r for r in mine if r.cost_split_id == split.pk]
        confirmed = bool(rows) and all(r.confirmed_at is not None for r in rows)
    budget = PartnerBudget.objects.filter(initiative=initiative,
                                          organisation=organisation).first()
    result = view.result.partner(organisation.code)
    return BudgetSheet(
        initiative=initiative, organisation=organisation,
        committee=budget.committee if budget else "", activity=budget.activity if budget else "",
        view=view, years=years, split=split, share=share, share_confirmed=confirmed,
        payback_year=engine.payback_year(years),
        npv=result.npv_planned if result else Decimal(0),
        shared_goals=list(initiative.goals.all()),
        own_goals=list(initiative.statements.filter(organisation=organisation,
                                                    kind=Statement.Kind.GOAL)),
        qualitative=[r for r in mine if r.is_qualitative],
    )


def sheet_as_json(sheet: BudgetSheet) -> dict[str, object]:
    """The budget sheet as plain JSON (strings for kronor), for the API and the CLI."""
    return {
        "initiative": sheet.initiative.pk, "organisation": sheet.organisation.code,
        "name": sheet.organisation.name, "committee": sheet.committee,
        "activity": sheet.activity,
        "share": None if sheet.share is None else str(sheet.share),
        "share_confirmed": sheet.share_confirmed,
        "payback_year": sheet.payback_year, "npv_planned": str(sheet.npv),
        "discount_rate_percent": str(sheet.view.economics.discount_rate_percent),
        "years": [{"year": y.year, "operating": str(y.operating),
                   "investment": str(y.investment), "saving": str(y.saving),
                   "net": str(y.net), "cumulative": str(y.cumulative)} for y in sheet.years],
        "totals": {"operating": str(sheet.operating), "investment": str(sheet.investment),
                   "saving": str(sheet.saving), "net": str(sheet.net), "dip": str(sheet.dip)},
        "own_goals": [g.text for g in sheet.own_goals],
        "shared_goals": [g.title for g in sheet.shared_goals],
        "is_illustrative": sheet.initiative.is_illustrative,
    }
