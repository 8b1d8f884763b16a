"""Turning uploaded bytes into a header and raw rows, for CSV and XLSX alike."""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .messages import SpreadsheetError

__all__ = ["RawTable", "detect_delimiter", "read_table"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SHEET_NAMES = ("verksamheter", "activities")
_DELIMITERS = (";", ",", "\t")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s>/]")
_MAX_ZIP_MEMBERS = 10_000
_MB = 1024 * 1024


@dataclass
class RawTable:
    format: str
    header_row: int
    header: list[object]
    rows: list[tuple[int, Sequence[object]]]
    skipped_empty_rows: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    above: list[tuple[int, Sequence[object]]] = field(default_factory=list)

    def candidates(self, limit: int = 10) -> list[tuple[int, Sequence[object]]]:
        """The first non-empty rows, any of which may be the header."""
        return [*self.above, (self.header_row, self.header), *self.rows][:limit]

    def with_header_at(self, position: int) -> None:
        """Make the *position*-th non-empty row the header; the rows above it are dropped."""
        every = [*self.above, (self.header_row, self.header), *self.rows]
        self.above = every[:position]
        self.header_row, header = every[position]
        self.header = list(header)
        self.rows = every[position + 1 :]
        self.skipped_empty_rows = _gaps(self.header_row, self.rows)


def read_table(
    data: bytes,
    filename: str,
    *,
    language: str,
    max_rows: int,
    max_uncompressed_bytes: int,
) -> RawTable:
    """Detect the format from the content and read the first non-empty row as the header."""
    if not data.strip(b" \t\r\n\x00") or data in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise SpreadsheetError.from_code("file_empty", language)
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, language, max_rows, max_uncompressed_bytes)
    if data.startswith(_OLE_MAGIC):
        raise SpreadsheetError.from_code("xls_format", language)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in ("xlsx", "xlsm"):
        raise SpreadsheetError.from_code("not_xlsx_content", language, filename=filename)
    text, encoding = _decode(data, language)
    return _read_csv(text, encoding, language, max_rows)


# CSV ---------------------------------------------------------------------------------------


def _decode(data: bytes, language: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab separated.
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise SpreadsheetError.from_code("undecodable", language) from None
    head = data[:8192]
    if b"\x00" in head or head.startswith(b"%PDF"):
        raise SpreadsheetError.from_code("unknown_format", language)
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise SpreadsheetError.from_code("undecodable", language) from None
    start = text[:8192]
    controls = sum(1 for ch in start if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in text or controls > max(8, len(start) // 100):
        raise SpreadsheetError.from_code("unknown_format", language)
    opening = start.lstrip().lower()
    if opening.startswith(("<!doctype html", "<html", "<table", "<meta")):
        raise SpreadsheetError.from_code("html_format", language)
    if opening.startswith("<?xml"):
        raise SpreadsheetError.from_code("unknown_format", language)
    return text, encoding


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def detect_delimiter(text: str) -> str:
    """Pick ``;``, ``,`` or tab by counting them in the first non-blank line.

    Ties go to ``;`` (Swedish Excel), and a single-column file gets ``;`` too.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: _count_outside_quotes(first, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # max() keeps the first on ties
    return best if counts[best] else ";"


_SEP_LINE = re.compile(r'"?sep=(.)"?[;,\t]*', re.IGNORECASE)


def _read_csv(text: str, encoding: str, language: str, max_rows: int) -> RawTable:
    first_line, _, rest = text.partition("\n")
    sep_hint = _SEP_LINE.fullmatch(first_line.rstrip("\r"))
    if sep_hint:
        # Excel's "sep=;" hint line is not shown as a row in Excel, so it is not counted.
        delimiter, text = sep_hint.group(1), rest
    else:
        delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = _collect(_csv_records(reader, language), max_rows, language)
    table.format, table.encoding, table.delimiter = "csv", encoding, delimiter
    return table


def _csv_records(reader: Iterator[list[str]], language: str) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        for number, record in enumerate(reader, start=1):  # noqa: B007 - used after the loop
            yield number, record
    except csv.Error:
        raise SpreadsheetError.from_code("malformed_csv", language, row=number + 1) from None


def _is_empty(cells: Sequence[object]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _collect(
    records: Iterable[tuple[int, Sequence[object]]], max_rows: int, language: str
) -> RawTable:
    """Every non-empty row; the first one is the header until :meth:`RawTable.with_header_at`
    picks another (a title row above the header is common)."""
    found: list[tuple[int, Sequence[object]]] = []
    for number, cells in records:
        if _is_empty(cells):
            continue
        # A few rows of title above the header are allowed for.
        if len(found) > max_rows + 10:
            raise SpreadsheetError.from_code("too_many_rows", language, limit=max_rows)
        found.append((number, tuple(cells)))
    if not found:
        raise SpreadsheetError.from_code("file_empty", language)
    header_row, header = found[0]
    table = RawTable("", header_row, list(header), found[1:])
    table.skipped_empty_rows = _gaps(header_row, table.rows)
    if len(table.rows) > max_rows:
        raise SpreadsheetError.from_code("too_many_rows", language, limit=max_rows)
    return table


def _gaps(header_row: int, rows: Sequence[tuple[int, Sequence[object]]]) -> int:
    # Only gaps are reported: trailing blank rows (common in XLSX) hide nothing.
    return rows[-1][0] - header_row - len(rows) if rows else 0


# XLSX --------------------------------------------------------------------------------------


def _has_formula(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(_MB):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _check_archive(data: bytes, language: str, max_uncompressed_bytes: int) -> bool:
    """Check the zip before openpyxl sees it; return whether any sheet has formulas."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ZIP_MEMBERS:
                raise SpreadsheetError.from_code("broken_xlsx", language)
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                raise SpreadsheetError.from_code("not_xlsx", language)
            # The declared sizes are binding: zipfile stops at file_size and then fails the
            # CRC check, so a member cannot expand beyond what it declares.
            if sum(info.file_size for info in infos) > max_uncompressed_bytes:
                limit = max(1, round(max_uncompressed_bytes / _MB))
                raise SpreadsheetError.from_code(
                    "xlsx_too_large_uncompressed", language, limit=limit
                )
            if any(info.flag_bits & 0x1 for info in infos):
                raise SpreadsheetError.from_code("broken_xlsx", language)
            content_types = archive.read("[Content_Types].xml")
            if b"spreadsheetml" not in content_types and b"ms-excel" not in content_types:
                raise SpreadsheetError.from_code("not_xlsx", language)
            return any(
                _has_formula(archive, info)
                for info in infos
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            )
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise SpreadsheetError.from_code("broken_xlsx", language) from None


def _is_formula(value: object) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _read_xlsx(data: bytes, language: str, max_rows: int, max_uncompressed_bytes: int) -> RawTable:
    has_formulas = _check_archive(data, language, max_uncompressed_bytes)
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    workbooks = []
    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        workbooks.append(values_book)
        sheets = values_book.worksheets
        if not sheets:
            raise SpreadsheetError.from_code("no_sheet", language)
        sheet = next((s for s in sheets if s.title.strip().casefold() in _SHEET_NAMES), sheets[0])
        sheet.reset_dimensions()
        value_rows: Iterable[Sequence[object]] = sheet.iter_rows(values_only=True)
        missing: list[str] = []
        if has_formulas:
            formula_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            workbooks.append(formula_book)
            formula_sheet = formula_book[sheet.title]
            formula_sheet.reset_dimensions()
            formula_rows = formula_sheet.iter_rows(values_only=True)

            def checked(
                value_rows: Iterable[Sequence[object]], formula_rows: Iterable[Sequence[object]]
            ) -> Iterator[Sequence[object]]:
                pairs = itertools.zip_longest(value_rows, formula_rows, fillvalue=())
                for number, (values, formulas) in enumerate(pairs, start=1):
                    cells = zip(values, formulas, strict=False)
                    for column, (value, formula) in enumerate(cells, start=1):
                        if value is None and _is_formula(formula):
                            missing.append(f"{get_column_letter(column)}{number}")
                    yield values

            value_rows = checked(value_rows, formula_rows)
        table = _collect(enumerate(value_rows, start=1), max_rows, language)
        if missing:
            cells = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise SpreadsheetError.from_code("formula_without_value", language, cells=cells)
    except SpreadsheetError:
        raise
    except Exception:  # openpyxl and lxml raise many types for damaged files
        raise SpreadsheetError.from_code("broken_xlsx", language) from None
    finally:
        for book in workbooks:
            book.close()
    table.format = "xlsx"
    table.extra["sheet"] = sheet.title
    return table
