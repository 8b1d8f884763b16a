"""Helpers for the workbooks Mellanrum writes with openpyxl.

:func:`active_sheet` is the typed first sheet: ``Workbook.active`` may in general be a chart
sheet, a read-only sheet or nothing; in the workbooks Mellanrum builds or reads (never
read-only) it is an ordinary worksheet.

:func:`safe_cell` and :func:`safe_row` are what every XLSX export writes: text that could break
the file or run as a formula is made harmless there, once, for every exporter.
"""

from collections.abc import Iterable
from typing import TypeVar, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from mellanrum.landscape.spreadsheet.values import neutralise_formula

Value = TypeVar("Value")


def active_sheet(workbook: Workbook) -> Worksheet:
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError(f"the active sheet is a {type(sheet).__name__}, not a worksheet")
    return sheet


def safe_cell(value: Value) -> Value:
    """A cell value openpyxl writes as data: other values pass through unchanged; text
    loses the control characters XML cannot hold (openpyxl raises ``IllegalCharacterError``
    on them) and then, like every export, gets a leading ``'`` when it starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return, so it is never run as a formula.

    The characters go first, so ``"\\x01=HYPERLINK(...)"`` is neutralised as well.

    >>> safe_cell("Bygglov\\x07")
    'Bygglov'
    >>> safe_cell("\\x01=1+1")
    "'=1+1"
    >>> safe_cell(-3)
    -3
    """
    if isinstance(value, str):
        return cast(Value, neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value)))
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """:func:`safe_cell` of every value, for ``sheet.append``."""
    return [safe_cell(value) for value in values]
