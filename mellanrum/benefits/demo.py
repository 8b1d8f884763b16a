"""The demo initiatives' ledgers, cost splits and budget lines (illustrative figures).

Each demo initiative's joint investment is split by a different kind of knowledge, so that the
methods differ and the page has something to compare: subgroup costs the partners know, a cost
model (a fixed part and a volume part with economies of scale) and a capacity model (the
partner with the largest need sizes the shared system). The chosen split becomes every paying
partner's planned investment in its own ledger; the partners confirm it (the last partner of
the first initiative has not yet, so the page shows both). Each partner names the committee
(nämnd) and activity of its budget sheet.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from mellanrum.collaborations.models import Initiative, Partner

from . import actions
from .payers import paying_partners

__all__ = ["LEDGER_LENGTH", "LAST_REALISED_YEAR", "add_demo_ledger", "ledger_years"]

# Each ledger covers five years from the year its initiative started; a year has realised
# figures once it is over (the demo's "today" is in December 2026).
LEDGER_LENGTH = 5
LAST_REALISED_YEAR = 2025
# Realised as a share of planned, per kind, so the follow-up shows both over- and under-run.
REALISED_SHARE = {"investment": Decimal("1.12"), "running": Decimal("0.95"),
                  "money": Decimal("0.80"), "hours": Decimal("0.70")}
# The committee (nämnd) and activity (verksamhet) by a word of the initiative's title.
BUDGET_LINES = {
    "bistånd": ("Socialnämnden", "Ekonomiskt bistånd"),
    "bygglov": ("Miljö- och byggnadsnämnden", "Bygglov"),
    "hemtjänst": ("Vård- och omsorgsnämnden", "Hemtjänst"),
}
# Cases a year, for the cost model, and the capacity each partner's own system would need.
VOLUME_WEIGHTS = (Decimal(1), Decimal("0.4"), Decimal("0.25"), Decimal("0.15"))
CAPACITY_WEIGHTS = (Decimal(1), Decimal("0.4"), Decimal("0.8"), Decimal("0.3"))


def ledger_years(start: datetime.date) -> tuple[int, ...]:
    return tuple(range(start.year, start.year + LEDGER_LENGTH))


def _weight(partner: Partner, index: int) -> Decimal:
    return Decimal(1) if partner.role == Partner.Role.LEAD else Decimal(6 - index) / 10


def _ledger_plan(investment: int, weight: Decimal,
                 years: tuple[int, ...]) -> list[tuple[int, str, Decimal, str]]:
    """(year, kind, planned, description) for one partner besides its share of the joint
    investment: a running cost, and benefits in money and hours that grow as the solution is
    taken into use."""
    base = Decimal(investment) * weight
    plan: list[tuple[int, str, Decimal, str]] = []
    for step, year in enumerate(years):
        plan.append((year, "running", (base * Decimal("0.10")).quantize(Decimal(1)),
                     "Licenser och förvaltning"))
        if step == 0:
            continue
        ramp = Decimal(min(step, 3)) / 3
        plan.append((year, "money", (base * Decimal("0.30") * ramp).quantize(Decimal(1)),
                     "Lägre kostnader för porto och utskick"))
        plan.append((year, "hours", (base / 2000 * ramp).quantize(Decimal(1)),
                     "Mindre tid för handläggning"))
    return plan


def _realised(planned: Decimal, kind: str, year: int) -> Decimal | None:
    return ((planned * REALISED_SHARE[kind]).quantize(Decimal(1))
            if year <= LAST_REALISED_YEAR else None)


def _groups(paying: list[Partner], alone: dict[str, Decimal]) -> str:
    """What pairs of partners would pay together: the lead brings the larger economies of
    scale, the more so with the partners that come later."""
    lines: list[str] = []
    for i, first in enumerate(paying):
        for second in paying[i + 1:]:
            pair = alone[first.organisation.code] + alone[second.organisation.code]
            with_lead = Partner.Role.LEAD in (first.role, second.role)
            factor = Decimal("0.66") + Decimal("0.05") * len(lines) if with_lead \
                else Decimal("0.95")
            lines.append(f"{first.organisation.name}, {second.organisation.name}: "
                         f"{(pair * factor).quantize(Decimal(1))}")
    return "\n".join(lines)


def _choose_split(initiative: Initiative, paying: list[Partner], investment: int,
                  method: str, model: str, first_year: int) -> None:
    common: dict[str, Any] = {
        "acting_user": None, "method": method, "first_year": first_year,
        "cost_kind": "investment",
        "rationale": "Styrgruppen valde metoden efter att ha jämfört alternativen."}
    if model == "formula":
        # A fixed part paid once and 400 kr a case with economies of scale (exponent 0.8).
        volumes = {p.organisation.code: (Decimal(investment) / 100 * VOLUME_WEIGHTS[i % 4])
                   .quantize(Decimal(1)) for i, p in enumerate(paying)}
        actions.do_choose_cost_split(
            initiative, joint_cost=None, standalone={}, model="formula",
            formula={"fixed": Decimal(investment) * Decimal("0.4"), "unit_cost": Decimal(400),
                     "exponent": Decimal("0.8")}, volumes=volumes, **common)
        return
    if model == "capacity":
        alone = {p.organisation.code: Decimal(investment) * CAPACITY_WEIGHTS[i % 4]
                 for i, p in enumerate(paying)}
        actions.do_choose_cost_split(initiative, joint_cost=max(alone.values()),
                                     standalone=alone, model="capacity", **common)
        return
    alone = {p.organisation.code: Decimal(investment) * (
        Decimal(1) if p.role == Partner.Role.LEAD else Decimal("0.7")) for p in paying}
    actions.do_choose_cost_split(
        initiative, joint_cost=(sum(alone.values()) * Decimal("0.6")).quantize(Decimal(1)),
        standalone=alone, groups=_groups(paying, alone) if len(paying) >= 3 else "", **common)


def add_demo_ledger(initiative: Initiative, *, investment: int, start: datetime.date,
                    method: str, model: str) -> None:
    """The initiative's ledger, split and budget lines, unless it has a ledger already."""
    if initiative.ledger_rows.exists():
        return
    paying = paying_partners(initiative)
    years = ledger_years(start)
    actions.do_set_economics(initiative, acting_user=None,
                             discount_rate_percent=Decimal("3.5"),
                             hourly_cost=Decimal(600), base_year=years[0])
    committee, activity = next((line for word, line in BUDGET_LINES.items()
                                if word in initiative.title.lower()), ("Kommunstyrelsen", ""))
    for index, partner in enumerate(paying):
        organisation = partner.organisation
        for year, kind, planned, description in _ledger_plan(
                investment, _weight(partner, index), years):
            actions.do_add_ledger_row(initiative, acting_user=None, organisation=organisation,
                                      year=year, kind=kind, planned=planned,
                                      realised=_realised(planned, kind, year),
                                      description=description)
        actions.do_add_ledger_row(initiative, acting_user=None, organisation=organisation,
                                  year=years[1], kind="qualitative",
                                  description="Invånarna möter samma service oavsett kommun.")
        actions.do_set_partner_budget(initiative, acting_user=None, organisation=organisation,
                                      committee=committee, activity=activity)
    if len(paying) < 2:
        return
    _choose_split(initiative, paying, investment, method, model, years[0])
    split = initiative.cost_splits.get()
    for row in split.ledger_rows.select_related("organisation"):
        realised = _realised(row.planned or Decimal(0), "investment", row.year)
        if realised is not None:
            row.initiative = initiative
            actions.do_update_ledger_row(row, acting_user=None, realised=realised)
    # Every partner has confirmed its share but the last one of the first demo initiative.
    waiting = paying[-1].organisation if model == "known" else None
    for partner in paying:
        if partner.organisation != waiting:
            actions.do_confirm_split_share(split, acting_user=None,
                                           organisation=partner.organisation)
