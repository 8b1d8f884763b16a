"""Tests for reading, validating and writing activity spreadsheets (plain Python, no Django)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mellanrum.landscape.spreadsheet import (
    TEMPLATE_COLUMNS,
    ActivityRow,
    ParseResult,
    SpreadsheetError,
    activities_to_csv,
    activities_to_xlsx,
    derive_key,
    neutralise_formula,
    parse_activity_file,
    parse_decimal,
    template_csv,
    template_xlsx,
)
from mellanrum.landscape.spreadsheet.values import ValueProblem
from mellanrum.lib.xlsx import active_sheet

DATA = Path(__file__).parent / "data"
ORG = "0180"
CATEGORIES = {"3.2": "Bygg och miljö", "5.1": "Socialtjänst", "3.10": "Tillsyn"}
CONTACTS = ("Anna Svensson", "anna.svensson@example.se", "Bo Ek")
SV_HEADER = ";".join(column.sv for column in TEMPLATE_COLUMNS)


def parse(data: bytes, filename: str = "upload.csv", **options: Any) -> ParseResult:
    settings_: dict[str, Any] = {
        "organisation_code": ORG,
        "known_categories": CATEGORIES,
        "known_contacts": CONTACTS,
    }
    settings_.update(options)
    return parse_activity_file(data, filename, **settings_)


def csv_bytes(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(
    *rows: list[Any], title: str = "Blad1", before: Callable[..., None] | None = None
) -> bytes:
    book = openpyxl.Workbook()
    sheet = active_sheet(book)
    assert sheet is not None
    sheet.title = title
    if before is not None:
        before(book)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def error_codes(result: ParseResult) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.code) for error in result.errors]


def file_error(data: bytes, filename: str = "upload.csv", **options: object) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        parse(data, filename, **options)
    return caught.value


# Reading CSV -------------------------------------------------------------------------------


SWEDISH_ROWS = [
    ActivityRow(
        row_number=2,
        key="bygglov-1",
        name="Bygglov för enbostadshus",
        organisation_code="0180",
        description='Handläggning av bygglov.\nInklusive "startbesked"; tekniskt samråd.',
        kind="service",
        category="3.2",
        annual_cost_sek=Decimal("1234567.50"),
        volume_per_year=Decimal("1200"),
        volume_unit="ärenden",
        fte=Decimal("4.5"),
        lead_time_days=Decimal("28"),
        legal_basis="PBL 9 kap.",
        url="https://www.example.se/bygglov",
        systems=(("Ciceron", "Formpipe"), ("ByggR", "Sokigo")),
        owner="anna.svensson@example.se",
    ),
    ActivityRow(
        row_number=3,
        key="försörjningsstöd",
        name="Försörjningsstöd",
        kind="eservice",
        category="5.1",
        annual_cost_sek=Decimal("2500000"),
        volume_per_year=Decimal("800"),
        volume_unit="beslut",
        lead_time_days=Decimal("10.5"),
        legal_basis="SoL 4 kap. 1 §",
        systems=(("Viva", "Tieto, Evry"),),
        owner="Bo Ek",
    ),
    ActivityRow(
        row_number=5,
        key="löneutbetalning",
        name="Löneutbetalning",
        description="<script>alert(1)</script>",
        kind="process",
        systems=(("Heroma", ""),),
    ),
]


def test_it_reads_a_swedish_excel_csv() -> None:
    data = (DATA / "activities_sv_excel.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\xc2\xa0" in data and b"\r\n" in data

    result = parse(data)

    assert result.errors == []
    assert result.ok
    assert result.rows == SWEDISH_ROWS
    assert (result.format, result.encoding, result.delimiter) == ("csv", "utf-8-sig", ";")
    assert result.skipped_empty_rows == 1
    assert result.summary() == ["3 rader lästes från en CSV-fil.", "1 tom rad hoppades över."]
    assert result.summary("en")[1] == "1 empty row was skipped."


def test_it_reads_the_same_file_saved_as_cp1252() -> None:
    text = (DATA / "activities_sv_excel.csv").read_bytes().decode("utf-8-sig")
    # cp1252 has the no-break space but not the narrow one.
    data = text.replace("\u202f", "\u00a0").encode("cp1252")

    result = parse(data)

    assert result.encoding == "cp1252"
    assert result.rows == SWEDISH_ROWS


def test_it_reads_comma_separated_utf8_with_english_headers() -> None:
    data = (DATA / "activities_en.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")

    result = parse(data, "activities.csv", language="en")

    assert (result.encoding, result.delimiter, result.errors) == ("utf-8", ",", [])
    assert result.rows == [
        ActivityRow(
            row_number=2,
            key="bp",
            name="Building permits",
            kind="service",
            annual_cost_sek=Decimal("1234.5"),
            fte=Decimal("2.25"),
            url="http://example.org/bp",
            systems=(("Ciceron", "Formpipe"), ("ByggR", "")),
        ),
        ActivityRow(
            row_number=3,
            key="payroll",
            name="Payroll",
            kind="process",
            annual_cost_sek=Decimal("12000.75"),
        ),
    ]


def test_it_reads_tab_separated_text_and_excel_sep_hint() -> None:
    tabbed = parse("Namn\tÅrsarbetare\nA\t1,5\n".encode())
    hinted = parse(csv_bytes("sep=,", "Namn,Årsarbetare", 'B,"2,5"'))

    assert tabbed.delimiter == "\t" and tabbed.rows[0].fte == Decimal("1.5")
    assert hinted.delimiter == "," and hinted.rows[0].fte == Decimal("2.5")
    # Excel hides the sep= line, so the first data row is still row 2.
    assert hinted.rows[0].row_number == 2


def test_it_matches_headers_ignoring_case_spaces_and_punctuation() -> None:
    result = parse(csv_bytes(" NAMN ;årskostnad(KR);LEDTID - DAGAR;It system", "A;5;3;X"))

    assert result.errors == []
    row = result.rows[0]
    assert (row.annual_cost_sek, row.lead_time_days, row.systems) == (
        Decimal("5"),
        Decimal("3"),
        (("X", ""),),
    )


def test_it_returns_no_rows_and_no_errors_for_a_header_only_file() -> None:
    result = parse(csv_bytes(SV_HEADER))

    assert (result.rows, result.errors, result.ok) == ([], [], True)


def test_it_reports_progress_and_handles_fifty_thousand_rows() -> None:
    line = (
        "0180;;Verksamhet nummer {i} med ett ganska långt namn;"
        '"Beskrivning av verksamhet {i}, med komma; och semikolon";Tjänst;3.2;'
        "1\u00a0234\u00a0567,50;12\u00a0000;ärenden;2,5;14;SoL 4 kap. 1 §;https://example.se/v/{i};"
        "Procapita (Tieto) | Lifecare (Tietoevry);Bo Ek"
    )
    lines = [SV_HEADER]
    for i in range(50_000):
        lines.append(line.format(i=i))
    data = csv_bytes(*lines)
    assert 9 * 1024 * 1024 < len(data) < 25 * 1024 * 1024
    calls: list[tuple[int, int]] = []

    result = parse(data, progress=lambda done, total: calls.append((done, total)))

    assert result.errors == []
    assert len(result.rows) == 50_000
    assert result.rows[-1].row_number == 50_001
    assert calls[0] == (1000, 50_000) and calls[-1] == (50_000, 50_000)
    assert len(calls) == 50
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# File-level errors -------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  ", b";;;\r\n;;\r\n"])
def test_it_rejects_an_empty_file(data: bytes) -> None:
    error = file_error(data)

    assert (error.code, error.message) == ("file_empty", "Filen är tom.")


def test_it_rejects_a_file_without_a_header_row() -> None:
    error = file_error(csv_bytes("Bygglov;1234", "Försörjningsstöd;55"))

    assert error.code == "no_header"
    assert error.message.startswith("Filen saknar rubrikrad.")


def test_it_rejects_a_file_without_the_name_column() -> None:
    data = csv_bytes("Beskrivning;Årskostnad (kr)", "x;1")

    assert file_error(data).message == "Rubrikraden saknar den obligatoriska kolumnen Namn."
    english = file_error(data, language="en").message
    assert english == "The header row lacks the required column Name."


def test_it_rejects_unknown_columns_and_lists_them() -> None:
    error = file_error(csv_bytes("Namn;Budget 2025;Kommentar", "A;1;x"))

    assert error.code == "unknown_columns"
    assert "”Budget 2025”, ”Kommentar”" in error.message


def test_it_rejects_a_column_given_twice() -> None:
    error = file_error(csv_bytes("Namn;Name", "A;B"))

    assert error.code == "duplicate_columns"
    assert error.message == "Kolumnen Namn förekommer flera gånger: ”Namn”, ”Name”."


def test_it_rejects_a_file_larger_than_max_bytes() -> None:
    small = csv_bytes("Namn", "A", "B")
    error = file_error(small, max_bytes=len(small) - 1)
    assert error.code == "file_too_large"

    big = b"Namn\r\n" + b"x" * (25 * 1024 * 1024)
    assert file_error(big).message == "Filen är 25,1 MB men får vara högst 25 MB."
    assert file_error(big, language="en").message == (
        "The file is 25.1 MB but may be at most 25 MB."
    )


def test_it_reads_excel_unicode_text_in_utf16() -> None:
    result = parse("Namn\tÅrskostnad (kr)\r\nÖppen förskola\t1 234,5\r\n".encode("utf-16"))

    assert (result.encoding, result.delimiter) == ("utf-16", "\t")
    assert result.rows[0].name == "Öppen förskola"
    assert result.rows[0].annual_cost_sek == Decimal("1234.5")


def test_it_rejects_too_many_rows() -> None:
    error = file_error(csv_bytes("Namn", "A", "B", "C", "D"), max_rows=3)

    assert error.code == "too_many_rows"
    assert error.message == "Filen har fler än 3 rader. Dela upp den i flera filer."


def test_it_rejects_old_excel_binaries() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20

    assert file_error(ole, "activities.xls").code == "xls_format"
    assert file_error(ole, "activities.csv").code == "xls_format"  # by content, not name


def test_it_rejects_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr("word/document.xml", "<document/>")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("notes.txt", "hej")

    assert file_error(buffer.getvalue(), "activities.xlsx").code == "not_xlsx"
    assert file_error(plain.getvalue(), "activities.xlsx").code == "not_xlsx"


def test_it_rejects_a_damaged_xlsx() -> None:
    data = xlsx_bytes(["Namn"], ["A"])

    assert file_error(data[: len(data) // 2], "a.xlsx").code == "broken_xlsx"


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"Namn;Typ\r\nA;B\r\n", "activities.xlsx", "not_xlsx_content"),
        (
            b"<html><body><table><tr><td>Namn</td></tr></table></body></html>",
            "a.xls",
            "html_format",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a.csv", "unknown_format"),
        (b"\x00\x01\x02\x03binary\x00", "a.csv", "unknown_format"),
        (b"Namn\r\nK\x81\x8d\r\n", "a.csv", "undecodable"),
    ],
)
def test_it_rejects_files_that_are_not_spreadsheets(data: bytes, filename: str, code: str) -> None:
    assert file_error(data, filename).code == code


def test_it_guards_against_xlsx_that_expands_enormously() -> None:
    # A sheet of highly compressible rows: small on disk, large once unpacked.
    rows = [["Namn", "Beskrivning"]] + [[f"A{i}", "x" * 2000] for i in range(2000)]
    data = xlsx_bytes(*rows)
    assert len(data) < 200_000

    error = file_error(data, "bomb.xlsx", max_uncompressed_bytes=1024 * 1024)

    assert error.code == "xlsx_too_large_uncompressed"
    assert error.message == "Excel-filen blir större än 1 MB när den packas upp och kan inte läsas."
    assert len(parse(data, "bomb.xlsx").rows) == 2000  # the default 200 MB allows it


def test_it_guards_against_a_member_declaring_a_huge_size() -> None:
    data = xlsx_bytes(["Namn"], ["A"])
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        target.writestr(
            "xl/media/huge.bin", b"\0" * (3 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED
        )

    error = file_error(patched.getvalue(), "a.xlsx", max_uncompressed_bytes=2 * 1024 * 1024)

    assert error.code == "xlsx_too_large_uncompressed"


# Reading XLSX ------------------------------------------------------------------------------


def test_it_reads_an_xlsx_with_native_numbers() -> None:
    def add_cover_sheet(book: openpyxl.Workbook) -> None:
        cover = book.create_sheet("Försättsblad", 0)
        cover.append(["Detta blad ska inte läsas"])

    data = xlsx_bytes(
        [],
        ["Organisationskod", "Namn", "Årskostnad (kr)", "Årsarbetare", "Volym per år", "Typ"],
        [180, "Bygglov", 1234567.5, 3, "1 200", "E-tjänst"],
        [None, None, None, None, None, None],
        [None, 2024, 0.1, None, None, None],
        title="Verksamheter",
        before=add_cover_sheet,
    )

    result = parse(data, "kommun.xlsx")

    assert (result.format, result.encoding, result.delimiter) == ("xlsx", None, None)
    assert result.errors == []
    assert result.skipped_empty_rows == 1
    assert result.rows == [
        ActivityRow(
            row_number=3,
            key="bygglov",
            name="Bygglov",
            organisation_code="180",
            kind="eservice",
            annual_cost_sek=Decimal("1234567.5"),
            fte=Decimal("3"),
            volume_per_year=Decimal("1200"),
        ),
        ActivityRow(row_number=5, key="2024", name="2024", annual_cost_sek=Decimal("0.1")),
    ]


def _with_formula(cached: str | None) -> bytes:
    data = xlsx_bytes(["Namn", "Årskostnad (kr)"], ["A", "=1+1"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                content = re.sub(rb"<v\s*/>|<v></v>", b"<v>" + cached.encode() + b"</v>", content)
            target.writestr(info, content)
    return out.getvalue()


def test_it_rejects_formulas_without_a_saved_value() -> None:
    error = file_error(_with_formula(None), "a.xlsx")

    assert error.code == "formula_without_value"
    assert "B2" in error.message


def test_it_uses_the_saved_value_of_a_formula() -> None:
    result = parse(_with_formula("2"), "a.xlsx")

    assert result.errors == []
    assert result.rows[0].annual_cost_sek == Decimal("2")


# Row-level validation ----------------------------------------------------------------------


def test_it_collects_every_error_with_row_column_and_value() -> None:
    data = csv_bytes(
        "Namn;Årskostnad (kr);Årsarbetare;Ledtid (dagar)",
        "Bygglov;tolv;-5;1,2,3",
        "Serveringstillstånd;-5;100001;3651",
        "OK;1,5;;",
    )

    result = parse(data)

    assert not result.ok
    assert error_codes(result) == [
        (2, "Årskostnad (kr)", "not_a_number"),
        (2, "Årsarbetare", "negative"),
        (2, "Ledtid (dagar)", "ambiguous_number"),
        (3, "Årskostnad (kr)", "negative"),
        (3, "Årsarbetare", "number_too_large"),
        (3, "Ledtid (dagar)", "number_too_large"),
    ]
    first = result.errors[0]
    assert (first.value, first.message) == (
        "tolv",
        "Värdet är inte ett tal. Skriv till exempel 1 234,50.",
    )
    assert first.located() == (
        "Rad 2, kolumn Årskostnad (kr): Värdet är inte ett tal. Skriv till exempel 1 234,50."
    )
    assert result.errors[4].message == "Värdet får vara högst 100 000."
    assert [row.name for row in result.rows] == ["OK"]


def test_it_writes_row_errors_in_english_when_asked() -> None:
    result = parse(csv_bytes("Name;Annual cost (SEK)", "A;tolv"), language="en")

    assert result.errors[0].located("en") == (
        "Row 2, column Annual cost (SEK): The value is not a number. "
        "Write for example 1 234,50 or 1234.5."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234\u00a0567,5", "1234567.5"),
        ("1\u202f234", "1234"),
        ("1.234,50", "1234.50"),
        ("1.234.567", "1234567"),
        ("1,234.50", "1234.50"),
        ("1234.5", "1234.5"),
        ("0,125", "0.125"),
        ("0.125", "0.125"),
        ("12 kr", "12"),
        ("12 SEK", "12"),
        ("  7 ", "7"),
        ("1,5E+3", "1500"),
        ("-5", "-5"),
        ("\u22125", "-5"),
    ],
)
def test_it_parses_numbers_as_swedish_excel_writes_them(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("tolv", "not_a_number"),
        ("1,2,3", "ambiguous_number"),
        ("1.234", "ambiguous_number"),
        ("12 34", "not_a_number"),
        ("12%", "not_a_number"),
        ("1,", "not_a_number"),
        ("NaN", "not_a_number"),
        ("1.2.3", "ambiguous_number"),
        ("1 234.567,5", "ambiguous_number"),
        (True, "not_a_number"),
        (float("inf"), "not_a_number"),
    ],
)
def test_it_rejects_numbers_it_cannot_read_unambiguously(raw: object, code: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_decimal(raw)
    assert caught.value.code == code


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_swedish_formatting_of_any_amount_reads_back(value: Decimal) -> None:
    whole, _, fraction = format(value, "f").partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    assert parse_decimal(f"{grouped},{fraction} kr" if fraction else grouped) == value


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript://x/%0aalert(1)",
        "data:text/html,<b>x</b>",
        "ftp://example.se/a",
        "www.example.se",
        "https://",
        "https://exa mple.se",
    ],
)
def test_it_rejects_web_addresses_that_are_not_http(url: str) -> None:
    result = parse(csv_bytes("Namn;Webbadress", f"A;{url}"))

    assert error_codes(result) == [(2, "Webbadress", "bad_url")]


def test_it_keeps_http_and_https_addresses() -> None:
    result = parse(csv_bytes("Namn;Webbadress", "A;HTTPS://example.se/a?b=1", "B;http://x.se"))

    assert [row.url for row in result.rows] == ["HTTPS://example.se/a?b=1", "http://x.se"]


def test_it_reports_duplicate_keys_on_the_later_row() -> None:
    result = parse(csv_bytes("Nyckel;Namn", "bygglov;Bygglov", "x;Annat", "bygglov;Bygglov 2"))

    assert error_codes(result) == [(4, "Nyckel", "duplicate_key")]
    assert result.errors[0].message == "Nyckeln bygglov används redan på rad 2."


def test_it_reports_identical_names_without_keys_as_duplicates() -> None:
    result = parse(csv_bytes("Namn", "Bygg-lov", "Annat", "bygglov!"))

    assert error_codes(result) == [(4, "Namn", "duplicate_name")]
    assert "rad 2" in result.errors[0].message


def test_it_derives_keys_deterministically() -> None:
    assert derive_key("  Bygglov – för   ENBOSTADSHUS! ") == "bygglov-för-enbostadshus"
    assert derive_key("Äldreomsorg, särskilt boende") == "äldreomsorg-särskilt-boende"
    assert len(derive_key("a " * 100)) <= 64
    assert derive_key("???") == ""


def test_it_rejects_invalid_keys_and_names_that_give_no_key() -> None:
    result = parse(csv_bytes("Nyckel;Namn", "has space;A", f"{'k' * 65};B", ";???"))

    assert error_codes(result) == [
        (2, "Nyckel", "bad_key"),
        (3, "Nyckel", "too_long"),
        (4, "Namn", "key_not_derivable"),
    ]


def test_it_rejects_rows_for_another_organisation() -> None:
    result = parse(csv_bytes("Organisationskod;Namn", "0181;A", ";B", "0180;C"))

    assert error_codes(result) == [(2, "Organisationskod", "organisation_mismatch")]
    assert result.errors[0].message == "Raden gäller organisation 0181, men importen gäller 0180."
    assert [row.name for row in result.rows] == ["B", "C"]


def test_it_accepts_categories_by_code_or_label_and_rejects_others() -> None:
    result = parse(
        csv_bytes(
            "Namn;Kategori",
            "A;3.2",
            "B;bygg OCH miljö",
            "C;3.2 Bygg och miljö",
            "D;9.9",
            "E;3.1",
        )
    )

    assert [row.category for row in result.rows] == ["3.2", "3.2", "3.2"]
    assert error_codes(result) == [
        (5, "Kategori", "unknown_category"),
        (6, "Kategori", "unknown_category"),
    ]


def test_it_accepts_only_known_contacts_as_owner() -> None:
    result = parse(csv_bytes("Namn;Ansvarig", "A;ANNA.SVENSSON@example.se", "B;Okänd Person"))

    assert result.rows[0].owner == "anna.svensson@example.se"
    assert error_codes(result) == [(3, "Ansvarig", "unknown_owner")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("", "service"),
        ("TJÄNST", "service"),
        ("tjänst till  invånare", "service"),
        ("Intern process", "process"),
        ("internal process", "process"),
        ("process", "process"),
        ("e-tjänst", "eservice"),
        ("Etjänst", "eservice"),
        ("E-Service", "eservice"),
        ("eservice", "eservice"),
    ],
)
def test_it_maps_kind_words(text: str, kind: str) -> None:
    assert parse(csv_bytes("Namn;Typ", f"A;{text}")).rows[0].kind == kind


def test_it_rejects_unknown_kind_and_bad_systems() -> None:
    result = parse(
        csv_bytes("Namn;Typ;IT-system", 'A;tjänsten;"Platina (Formpipe"', f"B;;{'p' * 101}")
    )

    assert error_codes(result) == [
        (2, "Typ", "bad_kind"),
        (2, "IT-system", "bad_system"),
        (3, "IT-system", "system_too_long"),
    ]


def test_it_splits_systems_on_pipes_semicolons_or_commas() -> None:
    result = parse(
        csv_bytes(
            "Namn;IT-system",
            'A;"X (V1) | Y"',
            'B;"X (V1); Y ;"',
            "C;X, Y (Tieto, Evry)",
        )
    )

    assert [row.systems for row in result.rows] == [
        (("X", "V1"), ("Y", "")),
        (("X", "V1"), ("Y", "")),
        (("X", ""), ("Y", "Tieto, Evry")),
    ]


def test_it_checks_lengths_and_requires_a_name() -> None:
    result = parse(
        csv_bytes(
            "Namn;Beskrivning;Volymenhet",
            f"{'n' * 201};;",
            f"A;{'d' * 5001};",
            "B;;" + "u" * 51,
            ";beskrivning utan namn;",
        )
    )

    assert error_codes(result) == [
        (2, "Namn", "too_long"),
        (3, "Beskrivning", "too_long"),
        (4, "Volymenhet", "too_long"),
        (5, "Namn", "required"),
    ]
    assert result.errors[0].value == "n" * 99 + "…"
    assert result.errors[3].message == "Namn måste fyllas i."


def test_it_rejects_control_characters_but_allows_line_breaks_in_descriptions() -> None:
    result = parse(
        csv_bytes(
            "Namn;Beskrivning",
            'A;"rad ett\r\nrad två\tflik"',
            "B\x07;",
            'C;"x\x1b[31m"',
            '"D\nE";',
        )
    )

    assert result.rows[0].description == "rad ett\nrad två\tflik"
    assert error_codes(result) == [
        (3, "Namn", "control_characters"),
        (4, "Beskrivning", "control_characters"),
        (5, "Namn", "control_characters"),
    ]


def test_it_keeps_hostile_strings_verbatim() -> None:
    result = parse(
        csv_bytes(
            "Namn;Beskrivning",
            '<script>alert(1)</script>;=HYPERLINK("http://evil")',
            "@SUM(A1);+1",
            '-2+3;"\'); DROP TABLE activities;--"',
        )
    )

    assert result.errors == []
    assert [(row.name, row.description) for row in result.rows] == [
        ("<script>alert(1)</script>", '=HYPERLINK("http://evil")'),
        ("@SUM(A1)", "+1"),
        ("-2+3", "'); DROP TABLE activities;--"),
    ]


def test_it_reports_values_in_columns_without_a_header() -> None:
    result = parse(csv_bytes("Namn;;Typ", "A;;", "B;glömd;", "C;;;extra"))

    assert error_codes(result) == [(3, "B", "unheaded_value"), (4, "D", "unheaded_value")]


# Writing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+46", "'+46"),
        ("-x", "'-x"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("Bygglov", "Bygglov"),
        ("a=b", "a=b"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralise_formula(value: str, expected: str) -> None:
    assert neutralise_formula(value) == expected


HOSTILE = ActivityRow(
    row_number=2,
    key="k1",
    name='=HYPERLINK("http://evil","klicka")',
    description="@cmd|x",
    legal_basis="-lag",
    volume_unit="+x",
    annual_cost_sek=Decimal("1234.5"),
    fte=Decimal("2"),
    systems=(("=X", "Y"),),
    owner="Bo Ek",
)


def test_csv_export_is_swedish_excel_friendly_and_neutralises_formulas() -> None:
    data = activities_to_csv([HOSTILE])

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 2
    header, record = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert header == [column.sv for column in TEMPLATE_COLUMNS]
    cells = dict(zip([column.field for column in TEMPLATE_COLUMNS], record, strict=True))
    assert cells["name"] == '\'=HYPERLINK("http://evil","klicka")'
    assert cells["description"] == "'@cmd|x"
    assert cells["legal_basis"] == "'-lag"
    assert cells["volume_unit"] == "'+x"
    assert cells["systems"] == "'=X (Y)"
    assert (cells["annual_cost_sek"], cells["fte"], cells["kind"]) == ("1234,5", "2", "Tjänst")


def test_xlsx_export_neutralises_formulas_and_keeps_numbers() -> None:
    data = activities_to_xlsx([HOSTILE], language="en")

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Activities"]
    header = [cell.value for cell in sheet[1]]
    assert header == [column.en for column in TEMPLATE_COLUMNS]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    values = dict(zip(header, sheet[2], strict=True))
    assert values["Name"].value == '\'=HYPERLINK("http://evil","klicka")'
    assert values["Name"].data_type == "s"
    description = values["Description"].value
    assert isinstance(description, str) and description.startswith("'")
    assert values["Annual cost (SEK)"].value == 1234.5
    assert values["Annual cost (SEK)"].data_type == "n"
    assert values["Kind"].value == "Service"


ROUND_TRIP_ROWS = [
    *SWEDISH_ROWS,
    ActivityRow(
        row_number=6,
        key="hostile",
        name="=SUM(A1:A9)",
        description="-tab\tand\nnewline",
        kind="eservice",
        legal_basis="@x",
        annual_cost_sek=Decimal("0.01"),
        volume_per_year=Decimal("1000000"),
        lead_time_days=Decimal("3650"),
    ),
    ActivityRow(row_number=7, key="3.10-x", name="'=already quoted", category="3.10"),
]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    ("writer", "filename"), [(activities_to_csv, "export.csv"), (activities_to_xlsx, "export.xlsx")]
)
def test_exports_read_back_as_the_same_rows(
    writer: Callable[..., bytes], filename: str, language: str
) -> None:
    rows = [
        ActivityRow(**{**row.__dict__, "row_number": number})
        for number, row in enumerate(ROUND_TRIP_ROWS, start=2)
    ]

    result = parse(writer(rows, language=language), filename, language=language)

    assert result.errors == []
    assert result.rows == rows


def test_export_accepts_mappings() -> None:
    data = activities_to_csv(
        [
            {
                "name": "Bygglov",
                "kind": "process",
                "fte": 1.25,
                "systems": [("A", "B"), ("C", "")],
                "annual_cost_sek": None,
            },
        ]
    )

    result = parse(data)

    assert result.rows == [
        ActivityRow(
            row_number=2,
            key="bygglov",
            name="Bygglov",
            kind="process",
            fte=Decimal("1.25"),
            systems=(("A", "B"), ("C", "")),
        )
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=60,
    ).filter(lambda s: s.strip() and derive_key(s))
)
def test_any_printable_name_survives_a_csv_round_trip(name: str) -> None:
    row = ActivityRow(row_number=2, key="k", name=name.strip(), description=name)

    result = parse(activities_to_csv([row]))

    # Text is read in Unicode normal form C, so that "é" typed as one character or as "e" and a
    # combining accent is the same name (and so U+2F800 reads as its canonical U+4E3D).
    assert result.errors == []
    assert result.rows[0].name == unicodedata.normalize("NFC", row.name)
    assert result.rows[0].description == unicodedata.normalize("NFC", name.strip())


# Templates ---------------------------------------------------------------------------------


def test_template_columns_match_the_specification() -> None:
    assert [column.field for column in TEMPLATE_COLUMNS] == [
        "organisation_code",
        "key",
        "name",
        "description",
        "kind",
        "category",
        "annual_cost_sek",
        "volume_per_year",
        "volume_unit",
        "fte",
        "lead_time_days",
        "legal_basis",
        "url",
        "systems",
        "owner",
    ]
    assert [column.field for column in TEMPLATE_COLUMNS if column.required] == ["name"]
    assert all(column.description_sv for column in TEMPLATE_COLUMNS)


def test_xlsx_template_has_instructions_and_a_kind_list() -> None:
    data = template_xlsx(categories=CATEGORIES)

    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Verksamheter", "Instruktioner", "Kategorier"]
    sheet = book["Verksamheter"]
    assert [cell.value for cell in sheet[1]] == [column.sv for column in TEMPLATE_COLUMNS]
    assert sheet.max_row == 1
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert lists["E2:E100000"] == '"Tjänst,Intern process,E-tjänst"'
    assert lists["F2:F100000"] == "'Kategorier'!$A$2:$A$4"
    instructions = book["Instruktioner"]
    assert instructions.max_row == len(TEMPLATE_COLUMNS) + 1
    assert instructions["A4"].value == "Namn" and instructions["B4"].value == "Ja"
    assert book["Kategorier"]["A4"].value == "3.10"


def test_templates_import_as_empty_catalogues() -> None:
    for data, filename in [
        (template_xlsx("en"), "t.xlsx"),
        (template_csv(), "t.csv"),
        (template_csv("en"), "t.csv"),
    ]:
        result = parse(data, filename)
        assert (result.rows, result.errors) == ([], [])
    assert template_csv().decode("utf-8-sig") == SV_HEADER + "\r\n"


def test_the_module_does_not_import_django() -> None:
    code = (
        "import sys, mellanrum.landscape.spreadsheet as s; "
        "s.parse_activity_file(s.template_xlsx(), 't.xlsx', organisation_code='1'); "
        "assert 'django' not in sys.modules, 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[3])
