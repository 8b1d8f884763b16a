"""A partner's budget sheet as an XLSX workbook (openpyxl): the figures per year and the
goals, as the page shows them."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from mellanrum.lib.xlsx import active_sheet, safe_row

from .budget import BudgetSheet


def to_xlsx(sheet: BudgetSheet) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)
    page = active_sheet(workbook)
    page.title = _("Budget sheet")[:31]
    page.append(safe_row([f"{sheet.organisation.name}: {sheet.initiative.title}"]))
    page["A1"].font = Font(bold=True, size=14)
    economics = sheet.view.economics
    facts: list[tuple[str, object]] = [
        (_("Committee (nämnd)"), sheet.committee or "–"),
        (_("Activity (verksamhet)"), sheet.activity or "–"),
        (_("Share of the joint cost, kr a year"),
         float(sheet.share) if sheet.share is not None else "–"),
        (_("Share confirmed by the partner"), _("Yes") if sheet.share_confirmed else _("No")),
        (_("Payback year"), sheet.payback_year or _("Not within the ledger's years")),
        (_("Net present value, planned, kr"), float(sheet.npv)),
        (_("Discount rate (kalkylränta), %"), float(economics.discount_rate_percent)),
        (_("Hourly cost, kr"), float(economics.hourly_cost)),
    ]
    for label, value in facts:
        page.append(safe_row([label, value]))
    if sheet.initiative.is_illustrative:
        page.append([_("Illustrative demo data, not real figures.")])
    page.append([])
    header = [_("Year"), _("Operating costs (drift), kr"), _("Investments, kr"),
              _("Savings, kr"), _("Net, kr"), _("Net since the start, kr")]
    page.append(header)
    for cell in page[page.max_row]:
        cell.font = bold
    for y in sheet.years:
        page.append([y.year, float(y.operating), float(y.investment), float(y.saving),
                     float(y.net), float(y.cumulative)])
    page.append([_("Total"), float(sheet.operating), float(sheet.investment),
                 float(sheet.saving), float(sheet.net), None])
    for cell in page[page.max_row]:
        cell.font = bold
    page.column_dimensions["A"].width = 36
    for column in "BCDEF":
        page.column_dimensions[column].width = 22

    goals = workbook.create_sheet(_("Goals")[:31])
    goals.append([_("Kind"), _("Goal")])
    for cell in goals[1]:
        cell.font = bold
    for goal in sheet.shared_goals:
        goals.append(safe_row([_("Shared goal"), goal.title]))
    for own in sheet.own_goals:
        goals.append(safe_row([_("Own goal"), own.text]))
    goals.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
