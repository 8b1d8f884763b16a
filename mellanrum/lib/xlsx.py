"""The typed first sheet of an openpyxl workbook.

``Workbook.active`` may in general be a chart sheet, a read-only sheet or nothing; in the
workbooks Mellanrum builds or reads (never read-only) it is an ordinary worksheet.
"""

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet


def active_sheet(workbook: Workbook) -> Worksheet:
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError(f"the active sheet is a {type(sheet).__name__}, not a worksheet")
    return sheet
