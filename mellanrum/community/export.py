"""Attendee lists and counterpart lists as CSV and XLSX, and an event as an iCalendar file.

Text cells are neutralised as in the landscape exports (a leading ``=``, ``+``, ``-``, ``@``
gets a quote) so a spreadsheet program never runs a name as a formula; the XLSX goes through
:func:`mellanrum.lib.xlsx.safe_cell` like every workbook Mellanrum writes.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from mellanrum.landscape.spreadsheet import neutralise_formula

Cell = str | int | float | None


def _text(value: Cell) -> Cell:
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, ``;`` and CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_text(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else _text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def table_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One sheet with a bold, frozen header row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from mellanrum.lib.xlsx import safe_cell, safe_row

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(text))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c == "\n" or c >= " ")
    for char in ("\\", ";", ","):
        value = value.replace(char, "\\" + char)
    return value.replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets (RFC 5545 section 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_ics(*, uid: str, title: str, description: str, location: str, url: str,
              starts_at: datetime.datetime, ends_at: datetime.datetime,
              stamp: datetime.datetime) -> bytes:
    """A one-event calendar (RFC 5545), times in UTC so every calendar places them right."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mellanrum//Community//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{_ics_text(uid)}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_ics_text(title)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_ics_text(description)}")
    if location:
        lines.append(f"LOCATION:{_ics_text(location)}")
    if url:
        lines.append("URL:" + "".join(c for c in url if c > " "))
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
