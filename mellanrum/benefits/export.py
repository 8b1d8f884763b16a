"""The cost-sharing comparison as an XLSX workbook for a decision memo."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from mellanrum.lib.xlsx import active_sheet, safe_row

from .analysis import Comparison, stability_sentence


def comparison_xlsx(comparison: Comparison, title: str) -> bytes:
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = _("Comparison")[:31]
    bold = Font(bold=True)
    sheet.append(safe_row([title or _("Cost sharing")]))
    sheet["A1"].font = Font(bold=True, size=14)
    kind = _("Joint cost") if comparison.kind == "cost" else _("Joint saving")
    sheet.append([kind, comparison.total])
    sheet.append([_("Sum if everyone does it alone"), comparison.alone_total])
    sheet.append([])
    header = [_("Partner"), _("Code"), _("Alone")]
    for result in comparison.results:
        header += [result.label, _("Saving: %(method)s") % {"method": result.label}]
    sheet.append(safe_row(header))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for partner in comparison.partners:
        row: list[object] = [partner.name, partner.code, round(partner.alone, 2)]
        for result in comparison.results:
            row += [round(result.amounts[partner.code], 2), round(result.savings[partner.code], 2)]
        sheet.append(safe_row(row))
    sheet.append([])
    sheet.append([_("Method"), _("Stable (in the core)?"), _("Explanation")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for result in comparison.results:
        stable = {True: _("Yes"), False: _("No"), None: _("Not checked")}[result.in_core]
        sheet.append(safe_row([result.label, stable, stability_sentence(comparison, result)]))
    methods = workbook.create_sheet(_("Methods")[:31])
    methods.append([_("Method"), _("What it means")])
    for result in comparison.results:
        methods.append(safe_row([result.label, result.explanation]))
    for ws in (sheet, methods):
        ws.column_dimensions["A"].width = 34
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
