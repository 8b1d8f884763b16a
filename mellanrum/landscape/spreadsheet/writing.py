"""Exports and downloadable templates that Swedish Excel opens cleanly and we re-import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import fields
from decimal import Decimal
from typing import Any

from .columns import DESCRIPTIONS_EN, FIELDS, KIND_LABELS, TEMPLATE_COLUMNS, header_for
from .parsing import ActivityRow
from .values import neutralise_formula

__all__ = ["activities_to_csv", "activities_to_xlsx", "template_csv", "template_xlsx"]

_NUMBER_FIELDS = frozenset({"annual_cost_sek", "volume_per_year", "fte", "lead_time_days"})
_ROW_FIELDS = frozenset(f.name for f in fields(ActivityRow))
_SHEET_TITLES = {
    "sv": ("Verksamheter", "Instruktioner", "Kategorier"),
    "en": ("Activities", "Instructions", "Categories"),
}
_WIDTHS = {
    "name": 40,
    "description": 60,
    "legal_basis": 30,
    "url": 40,
    "systems": 40,
    "owner": 28,
    "category": 14,
}

ActivityLike = Mapping[str, object] | ActivityRow


def _as_mapping(row: ActivityLike) -> Mapping[str, object]:
    if isinstance(row, ActivityRow):
        return {name: getattr(row, name) for name in _ROW_FIELDS}
    return row


def _systems_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, Iterable):
        return str(value)
    parts = []
    for system in value:
        if isinstance(system, str):
            parts.append(system)
            continue
        product, vendor = (list(system) + ["", ""])[:2]
        parts.append(f"{product} ({vendor})" if vendor else str(product))
    return " | ".join(parts)


def _cell(name: str, value: object, language: str) -> str | Decimal | int | float:
    """A CSV export value: numbers stay numbers, every text is neutralised."""
    value = _xlsx_value(name, value, language)
    return neutralise_formula(value) if isinstance(value, str) else value


def _xlsx_value(name: str, value: object, language: str) -> str | Decimal | int | float:
    """An export value before neutralising: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if (
        name in _NUMBER_FIELDS
        and isinstance(value, (Decimal, int, float))
        and not isinstance(value, bool)
    ):
        return value
    if name == "systems":
        text = _systems_text(value)
    elif name == "kind" and isinstance(value, str) and value in KIND_LABELS:
        swedish, english = KIND_LABELS[value]
        text = english if language == "en" else swedish
    else:
        text = str(value)
    return text


def _csv_number(value: Decimal | int | float) -> str:
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return format(number, "f").replace(".", ",")


def _csv_bytes(header: list[str], records: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(records)
    return buffer.getvalue().encode("utf-8-sig")


def _headers(language: str) -> list[str]:
    return [header_for(name, language) for name in FIELDS]


def activities_to_csv(rows: Iterable[ActivityLike], *, language: str = "sv") -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, ``;``, decimal comma, CRLF, template columns.

    The layout is the same for both languages; only the headers and kind labels change.
    """

    def records() -> Iterable[list[str]]:
        for row in rows:
            values = _as_mapping(row)
            record = []
            for name in FIELDS:
                cell = _cell(name, values.get(name), language)
                record.append(cell if isinstance(cell, str) else _csv_number(cell))
            yield record

    return _csv_bytes(_headers(language), records())


def template_csv(language: str = "sv", *, categories: Mapping[str, str] = {}) -> bytes:  # noqa: B006
    """An empty CSV with the template's headers (categories are listed only in the XLSX)."""
    return _csv_bytes(_headers(language), [])


def _titles(language: str) -> tuple[str, str, str]:
    return _SHEET_TITLES["en" if language == "en" else "sv"]


def activities_to_xlsx(rows: Iterable[ActivityLike], *, language: str = "sv") -> bytes:
    """An XLSX export with a bold, frozen header row and numbers stored as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from mellanrum.lib.xlsx import safe_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_titles(language)[0])
    sheet.freeze_panes = "A2"
    _set_widths(sheet, language)
    bold = Font(bold=True)
    header = []
    for text in _headers(language):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values = _as_mapping(row)
        record: list[object] = []
        for name in FIELDS:
            value: object = _xlsx_value(name, values.get(name), language)
            if isinstance(value, str):
                value = safe_cell(value)
            elif isinstance(value, Decimal):
                value = float(value) if value != value.to_integral_value() else int(value)
            record.append(value)
        sheet.append(record)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _set_widths(sheet: Any, language: str) -> None:
    from openpyxl.utils import get_column_letter

    dimensions = sheet.column_dimensions
    for index, (name, header) in enumerate(zip(FIELDS, _headers(language), strict=True), start=1):
        width = max(_WIDTHS.get(name, 0), len(header) + 4, 12)
        dimensions[get_column_letter(index)].width = width


def template_xlsx(language: str = "sv", *, categories: Mapping[str, str] = {}) -> bytes:  # noqa: B006
    """An empty workbook to fill in, with an instructions sheet and drop-down lists.

    The "Typ" column gets a list validation; with *categories* (code -> label) a sheet lists
    them and "Kategori" gets a list of codes (a warning only, since labels are accepted too).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from mellanrum.lib.xlsx import safe_row

    english = language == "en"
    data_title, help_title, category_title = _titles(language)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = data_title
    sheet.append(_headers(language))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    _set_widths(sheet, language)

    letters = {name: get_column_letter(i) for i, name in enumerate(FIELDS, start=1)}
    kinds = ",".join(labels[1 if english else 0] for labels in KIND_LABELS.values())
    kind_list = DataValidation(type="list", formula1=f'"{kinds}"', allow_blank=True)
    kind_list.add(f"{letters['kind']}2:{letters['kind']}100000")
    sheet.add_data_validation(kind_list)

    help_sheet = book.create_sheet(help_title)
    help_header = ["Column", "Required", "Description"]
    help_sheet.append(help_header if english else ["Kolumn", "Obligatorisk", "Beskrivning"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in TEMPLATE_COLUMNS:
        required = ("Yes" if english else "Ja") if column.required else ("No" if english else "Nej")
        description = DESCRIPTIONS_EN[column.field] if english else column.description_sv
        help_sheet.append([column.en if english else column.sv, required, description])
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["B"].width = 14
    help_sheet.column_dimensions["C"].width = 100
    for row in help_sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    if categories:
        category_sheet = book.create_sheet(category_title)
        category_sheet.append(["Code", "Label"] if english else ["Kod", "Benämning"])
        for cell in category_sheet[1]:
            cell.font = Font(bold=True)
        for code, label in categories.items():
            # Stored as text so "3.10" does not become the number 3.1.
            category_sheet.append(safe_row([code, label]))
        category_sheet.column_dimensions["B"].width = 50
        last = len(categories) + 1
        category_list = DataValidation(
            type="list",
            formula1=f"'{category_title}'!$A$2:$A${last}",
            allow_blank=True,
            errorStyle="warning",
        )
        category_list.add(f"{letters['category']}2:{letters['category']}100000")
        sheet.add_data_validation(category_list)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
