"""Finding the header row and mapping a municipality's own column headers to fields."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from mellanrum.landscape.spreadsheet import (
    MappingNeeded,
    SpreadsheetError,
    normalise_name,
    parse_activity_file,
    parse_map_option,
    suggest_field,
)

NACKA = (Path(__file__).parent / "data" / "nacka_verksamhetskatalog.csv").read_bytes()
NACKA_MAP = {
    "Verksamhet": "name",
    "Kostnad (kr)": "annual_cost_sek",
    "Handläggningstid": "lead_time_days",
    "Kontaktperson": None,
    "Förvaltning": None,
}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Verksamhet", "name"),
        ("Handläggningstid", "lead_time_days"),
        ("Handläggningstid (dagar)", "lead_time_days"),
        ("Kontaktperson", "owner"),
        ("Kostnad (kr)", "annual_cost_sek"),
        ("Totalkostnad", "annual_cost_sek"),
        ("Verksamhetssystem", "systems"),
        ("Antal ärenden", "volume_per_year"),
        ("Årskostnad (kr)", "annual_cost_sek"),
        ("Förvaltning", None),
        ("Kostnad (tkr)", None),  # a thousand times too small if read as kronor
        ("Verksamhetskatalog Nacka kommun 2025", None),
    ],
)
def test_it_suggests_a_field_from_the_header_words(header: str, field: str | None) -> None:
    assert suggest_field(header) == field


def test_a_municipality_file_with_its_own_headers_asks_for_a_mapping() -> None:
    with pytest.raises(MappingNeeded) as caught:
        parse_activity_file(NACKA, "nacka.csv", organisation_code="0182")

    needed = caught.value
    assert needed.header_row == 3  # the title row and the blank row above it are skipped
    proposal = {column.header: (column.field, column.source) for column in needed.columns}
    assert proposal == {
        "Verksamhet": ("name", "suggested"),
        "Kostnad (kr)": ("annual_cost_sek", "suggested"),
        "Handläggningstid": ("lead_time_days", "suggested"),
        "Kontaktperson": ("owner", "suggested"),
        "Förvaltning": (None, "suggested"),
    }
    samples = {column.header: column.samples for column in needed.columns}
    assert samples["Verksamhet"][:2] == ("Bygglov för enbostadshus",
                                         "Strandskyddsdispens – ansökan")


def test_the_confirmed_mapping_reads_windows_1252_with_decimal_commas_and_nbsp() -> None:
    result = parse_activity_file(NACKA, "nacka.csv", organisation_code="0182",
                                 column_map=NACKA_MAP)

    assert result.ok, result.errors
    assert result.encoding == "cp1252" and result.delimiter == ";"
    assert result.header_row == 3
    assert [row.row_number for row in result.rows] == [4, 5, 6, 7, 8]
    first = result.rows[0]
    assert first.name == "Bygglov för enbostadshus"
    assert first.annual_cost_sek == Decimal("4250000.50")
    assert first.lead_time_days == Decimal("28")
    assert first.key_derived and first.owner == ""
    assert first.columns == frozenset({"name", "annual_cost_sek", "lead_time_days"})
    assert result.rows[4].annual_cost_sek == Decimal("250300000")


def test_a_title_row_above_template_headers_is_skipped() -> None:
    data = "Verksamhetskatalog Nacka kommun 2025\r\nNamn;Årskostnad (kr)\r\nBygglov;5\r\n"
    result = parse_activity_file(data.encode(), "v.csv", organisation_code="0182")

    assert result.ok and result.header_row == 2
    assert [(row.row_number, row.name) for row in result.rows] == [(3, "Bygglov")]


def test_the_remembered_mapping_is_used_and_a_given_one_wins() -> None:
    remembered = {header.upper(): name for header, name in NACKA_MAP.items()}
    result = parse_activity_file(NACKA, "nacka.csv", organisation_code="0182",
                                 remembered_map=remembered)
    assert result.ok and len(result.rows) == 5

    given = {"Kostnad (kr)": None}
    result = parse_activity_file(NACKA, "nacka.csv", organisation_code="0182",
                                 column_map=given, remembered_map=remembered)
    assert result.rows[0].annual_cost_sek is None
    assert "annual_cost_sek" not in (result.rows[0].columns or ())


def test_two_columns_mapped_to_one_field_are_refused() -> None:
    both = {**NACKA_MAP, "Förvaltning": "name"}
    with pytest.raises(SpreadsheetError) as caught:
        parse_activity_file(NACKA, "nacka.csv", organisation_code="0182", column_map=both)

    assert caught.value.code == "mapping_duplicate"
    assert caught.value.message == (
        "Kolumnerna ”Verksamhet”, ”Förvaltning” är kopplade till samma fält, Namn. "
        "Koppla bara en av dem och ignorera de andra."
    )


def test_a_mapping_without_the_name_is_refused() -> None:
    without = {**NACKA_MAP, "Verksamhet": None}
    with pytest.raises(SpreadsheetError) as caught:
        parse_activity_file(NACKA, "nacka.csv", organisation_code="0182", column_map=without,
                            language="en")

    assert caught.value.code == "mapping_no_name"
    assert caught.value.message.startswith("No column is mapped to Name.")


def test_a_mapping_for_a_header_the_file_lacks_is_refused() -> None:
    with pytest.raises(SpreadsheetError) as caught:
        parse_activity_file(NACKA, "nacka.csv", organisation_code="0182",
                            column_map={**NACKA_MAP, "Budget": "annual_cost_sek"})

    assert caught.value.code == "map_unknown_header"
    assert "”Budget”" in caught.value.message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Verksamhet=Namn", ("Verksamhet", "name")),
        ("Handläggningstid=Lead time (days)", ("Handläggningstid", "lead_time_days")),
        ("Kostnad (kr)=årskostnad", ("Kostnad (kr)", "annual_cost_sek")),
        ("Förvaltning=-", ("Förvaltning", None)),
        ("A=B=Namn", ("A=B", "name")),
    ],
)
def test_map_options_name_a_template_header_or_dash(
    given: str, expected: tuple[str, str | None]
) -> None:
    assert parse_map_option(given) == expected


@pytest.mark.parametrize(
    ("given", "code"),
    [("Verksamhet", "map_bad_form"), ("=Namn", "map_bad_form"), ("Verksamhet=", "map_bad_form"),
     ("Verksamhet=Rubrik", "map_unknown_field")],
)
def test_bad_map_options_are_explained(given: str, code: str) -> None:
    with pytest.raises(SpreadsheetError) as caught:
        parse_map_option(given)
    assert caught.value.code == code
    assert given in caught.value.message


def test_names_are_compared_without_case_spaces_dashes_or_unicode_forms() -> None:
    same = ["Strandskyddsdispens – ansökan", "STRANDSKYDDSDISPENS-ANSÖKAN",
            " strandskyddsdispens  —  ansökan ", "Strandskyddsdispens - anso\u0308kan"]
    assert len({normalise_name(name) for name in same}) == 1
    assert normalise_name("Bygglov") != normalise_name("Bygglov A")


def test_a_file_whose_rows_have_no_recognisable_header_is_refused_clearly() -> None:
    with pytest.raises(SpreadsheetError) as caught:
        parse_activity_file(b"Bygglov;1234\r\nHemtjanst;55\r\n", "v.csv", organisation_code="1")
    assert caught.value.code == "no_header"
    assert "Ingen av de 2 första raderna" in caught.value.message


def test_a_header_with_hundreds_of_columns_is_refused_before_any_mapping_step() -> None:
    header = ";".join(["Namn", *(f"Kolumn {n}" for n in range(300))])
    with pytest.raises(SpreadsheetError) as caught:
        parse_activity_file(f"{header}\r\nBygglov\r\n".encode(), "v.csv", organisation_code="1")
    assert caught.value.code == "too_many_columns"
    assert caught.value.message.startswith("Rubrikraden har 301 kolumner, men högst 200")
