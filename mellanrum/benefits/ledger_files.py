"""The benefits ledger as files: XLSX, CSV and JSON export, and the CSV import format.

The CSV columns are ``organisation`` (code), ``year``, ``kind`` (investment, running, money,
hours, qualitative), ``planned``, ``realised`` (empty until followed up) and ``description``.
An export re-imports unchanged. Decimal commas and spaces between thousands are accepted.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from mellanrum.collaborations.models import Initiative
from mellanrum.landscape.spreadsheet import neutralise_formula
from mellanrum.landscape.spreadsheet.values import restore_neutralised
from mellanrum.lib.xlsx import active_sheet, safe_row

from .actions import LedgerImportRow
from .ledger import LedgerView

COLUMNS = ("organisation", "year", "kind", "planned", "realised", "description")
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 2_000_000


def _number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def rows_as_dicts(view: LedgerView) -> list[dict[str, Any]]:
    return [
        {"organisation": r.organisation.code, "year": r.year, "kind": r.kind,
         "planned": _number(r.planned), "realised": _number(r.realised),
         "description": r.description}
        for r in view.rows
    ]


def to_csv(view: LedgerView) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows_as_dicts(view):
        row["description"] = neutralise_formula(row["description"])
        writer.writerow(row)
    return buffer.getvalue()


def summary(view: LedgerView) -> dict[str, Any]:
    """Settings, per partner results and totals as plain JSON (strings for kronor)."""
    result = view.result
    economics = view.economics

    def rate(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "discount_rate_percent": str(economics.discount_rate_percent),
        "hourly_cost": str(economics.hourly_cost),
        "base_year": economics.base_year,
        "is_default": economics.is_default,
        "partners": [
            {"organisation": p.partner, "name": view.names.get(p.partner, p.partner),
             "cost_planned": str(p.cost_planned), "benefit_planned": str(p.benefit_planned),
             "cost_realised": str(p.cost_realised),
             "benefit_realised": str(p.benefit_realised),
             "npv_planned": str(p.npv_planned), "npv_realised": str(p.npv_realised),
             "net_gain": str(p.net_gain), "realisation_rate": rate(p.realisation_rate)}
            for p in result.partners
        ],
        "npv_planned": str(result.npv_planned),
        "npv_realised": str(result.npv_realised),
        "net_gain": str(result.net_gain),
        "realisation_rate": rate(result.realisation_rate),
    }


def to_json(initiative: Initiative, view: LedgerView) -> dict[str, Any]:
    return {"initiative": initiative.pk, "title": initiative.title,
            "is_illustrative": initiative.is_illustrative,
            "summary": summary(view), "rows": rows_as_dicts(view)}


def to_xlsx(initiative: Initiative, view: LedgerView) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)
    sheet = active_sheet(workbook)
    sheet.title = _("Net gain")[:31]
    sheet.append(safe_row([initiative.title]))
    sheet["A1"].font = Font(bold=True, size=14)
    economics = view.economics
    sheet.append([_("Discount rate (kalkylränta), %"), float(economics.discount_rate_percent)])
    sheet.append([_("Hourly cost, kr"), float(economics.hourly_cost)])
    sheet.append([_("Base year"), economics.base_year])
    if initiative.is_illustrative:
        sheet.append([_("Illustrative demo data, not real figures.")])
    sheet.append([])
    sheet.append([_("Partner"), _("Code"), _("Costs, planned"), _("Benefits, planned"),
                  _("Costs, realised"), _("Benefits, realised"),
                  _("Net present value, planned"), _("Net present value, realised"),
                  _("Net gain (forecast)"), _("Realisation rate")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for p in view.result.partners:
        sheet.append(safe_row([
            view.names.get(p.partner, p.partner), p.partner,
            float(p.cost_planned), float(p.benefit_planned), float(p.cost_realised),
            float(p.benefit_realised), float(p.npv_planned), float(p.npv_realised),
            float(p.net_gain),
            None if p.realisation_rate is None else float(p.realisation_rate),
        ]))
    result = view.result
    sheet.append([_("Total"), "", None, None, None, None, float(result.npv_planned),
                  float(result.npv_realised), float(result.net_gain),
                  None if result.realisation_rate is None else float(result.realisation_rate)])
    sheet.column_dimensions["A"].width = 34

    years = workbook.create_sheet(_("Per year")[:31])
    years.append([_("Partner"), _("Year"), _("Costs, planned"), _("Benefits, planned"),
                  _("Net, planned"), _("Costs, realised"), _("Benefits, realised"),
                  _("Net, realised")])
    for cell in years[1]:
        cell.font = bold
    for y in result.years:
        years.append(safe_row([view.names.get(y.partner, y.partner), y.year,
                               float(y.cost_planned), float(y.benefit_planned),
                               float(y.net_planned),
                               float(y.cost_realised) if y.has_realised else None,
                               float(y.benefit_realised) if y.has_realised else None,
                               float(y.net_realised) if y.has_realised else None]))

    rows = workbook.create_sheet(_("Ledger")[:31])
    rows.append(list(COLUMNS))
    for cell in rows[1]:
        cell.font = bold
    for r in view.rows:
        rows.append(safe_row([r.organisation.code, r.year, r.kind,
                              None if r.planned is None else float(r.planned),
                              None if r.realised is None else float(r.realised),
                              r.description]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _amount_text(value: str) -> str:
    """'125 000,50' → '125000.50'; anything else is left for the action to refuse."""
    text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return text


def parse_csv(data: bytes) -> list[LedgerImportRow]:
    """Rows of a ledger CSV (UTF-8, comma or semicolon separated). Raises ``ValueError`` with a
    message when the file as a whole cannot be read; row errors are the action's."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text.") from None
    if "\x00" in text:
        raise ValueError("The file contains NUL characters; is it really a CSV file?")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header and c not in {"realised", "description"}]
    if missing:
        raise ValueError(f"Missing columns: {', '.join(missing)}. Expected: "
                         f"{', '.join(COLUMNS)}.")
    reader.fieldnames = header
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            raise ValueError(f"More than {MAX_IMPORT_ROWS} rows; split the file.")
        values = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items()
                  if k is not None}
        if not any(values.values()):
            continue
        rows.append(LedgerImportRow(
            line=number, organisation=values.get("organisation", ""),
            year=values.get("year", ""), kind=values.get("kind", ""),
            planned=_amount_text(values.get("planned", "")),
            realised=_amount_text(values.get("realised", "")),
            description=_restore(values.get("description", "")),
        ))
    return rows


def _restore(value: str) -> str:
    return str(restore_neutralised(value))
