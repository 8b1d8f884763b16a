"""Read the reference data shipped with Mellanrum into plain records.

Pure Python (no Django) so that it can be tested and reused by engines; the Django side
(`actions.do_load_reference_data`) writes the records to the database.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

__all__ = [
    "REFERENCE_DIR",
    "STATE_AGENCIES",
    "ReferenceOrganisation",
    "ReferenceGroup",
    "ReferenceCategory",
    "read_municipalities",
    "read_regions",
    "read_named_groups",
    "read_categories",
]

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"
POPULATION_DATE = date(2024, 12, 31)
SOURCE_SCB = "SCB (folkmängd 2024-12-31), SKR kommungrupp 2023, Skatteverket skattesatser 2025"

# The national agencies citizens meet most often. Codes are Mellanrum's own short codes.
STATE_AGENCIES: list[tuple[str, str, str]] = [
    ("SKV", "Skatteverket", "https://www.skatteverket.se"),
    ("FK", "Försäkringskassan", "https://www.forsakringskassan.se"),
    ("AF", "Arbetsförmedlingen", "https://arbetsformedlingen.se"),
    ("PM", "Pensionsmyndigheten", "https://www.pensionsmyndigheten.se"),
    ("CSN", "Centrala studiestödsnämnden (CSN)", "https://www.csn.se"),
    ("MIGR", "Migrationsverket", "https://www.migrationsverket.se"),
    ("BOLV", "Bolagsverket", "https://bolagsverket.se"),
    ("TS", "Transportstyrelsen", "https://www.transportstyrelsen.se"),
]

# Kolada's named groups that are statistical groupings rather than organisations: they become
# filters (population band, SKR group, county) instead of associations.
_STATISTICAL_GROUP = re.compile(
    r"^(Alla |Kommuner med |.* läns kommuner|Stor-|Storstäder|Större stad|Mindre stad|"
    r"Pendlingskommun|Lågpendlingskommun|Landsbygdskommun|Regionsjukhuslänen|Skogslänen|"
    r"LOV hemtjänst|Mellannyckeln|Resultatnätverket)"
)


@dataclass(frozen=True)
class ReferenceOrganisation:
    code: str
    name: str
    short_name: str
    kind: str
    county_code: str = ""
    county_name: str = ""
    population: int | None = None
    population_date: date | None = None
    skr_group_code: str = ""
    skr_group_name: str = ""
    municipal_tax_rate: Decimal | None = None
    regional_tax_rate: Decimal | None = None
    tax_year: int | None = None
    website: str = ""
    source: str = ""
    member_codes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ReferenceGroup:
    code: str
    title: str
    member_codes: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceCategory:
    code: str
    label: str
    parent_code: str
    level: str


def _rows(filename: str) -> Iterator[dict[str, str]]:
    with open(REFERENCE_DIR / filename, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


def read_municipalities() -> list[ReferenceOrganisation]:
    population = {r["municipality_code"]: int(r["population"]) for r in _rows(
        "population_municipalities_2024.csv")}
    groups = {r["municipality_code"]: r for r in _rows("municipality_groups_skr2023.csv")}
    taxes = {r["municipality_code"]: r for r in _rows("tax_rates_municipalities_2025.csv")}
    # Official names ("Malmö stad", "Region Gotland") and web sites (2016, not verified).
    official = {r["municipality_code"]: r for r in _rows("municipality_websites.csv")}
    result = []
    for row in _rows("municipalities.csv"):
        code = row["municipality_code"]
        tax = taxes[code]
        names = official.get(code, {})
        result.append(
            ReferenceOrganisation(
                code=code,
                name=names.get("official_name") or row["municipality_name_long"],
                short_name=row["municipality_name"],
                kind="municipality",
                county_code=row["county_code"],
                county_name=row["county_name"],
                population=population[code],
                population_date=POPULATION_DATE,
                skr_group_code=groups[code]["skr_group_code"],
                skr_group_name=groups[code]["skr_group_name"],
                municipal_tax_rate=_decimal(tax["municipal_tax_rate_pct"]),
                regional_tax_rate=_decimal(tax["regional_tax_rate_pct"]),
                tax_year=int(tax["tax_year"]),
                website=names.get("website", ""),
                source=SOURCE_SCB,
            )
        )
    return result


def read_regions() -> list[ReferenceOrganisation]:
    """The 21 regions, keyed by their two-digit county code.

    Gotland's county council duties lie with the municipality Region Gotland (0980), which is
    also listed here as a region so that every county has one.
    """
    population = {r["county_code"]: int(r["population"]) for r in _rows(
        "population_counties_2024.csv")}
    result = []
    for row in _rows("counties.csv"):
        code = row["county_code"]
        result.append(
            ReferenceOrganisation(
                code=code,
                name=row["region_name"],
                short_name=row["region_name"],
                kind="region",
                county_code=code,
                county_name=row["county_name"],
                population=population[code],
                population_date=POPULATION_DATE,
                source="SCB (folkmängd 2024-12-31, summa av länets kommuner); Kolada",
            )
        )
    return result


def _clean_group_title(title: str) -> str:
    return title.replace(" (ovägt medel)", "").strip()


def read_named_groups() -> tuple[list[ReferenceOrganisation], list[ReferenceGroup]]:
    """Split Kolada's named groups into associations (organisations) and statistical filters."""
    members: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for row in _rows("kolada_named_municipality_groups.csv"):
        gid = row["kolada_group_id"]
        titles[gid] = _clean_group_title(row["group_title"])
        code = row["member_code"]
        # Kolada writes regions as 00 + county code; Mellanrum uses the county code.
        if row["member_type"] == "region":
            code = code[-2:]
        members.setdefault(gid, []).append(code)
    associations, groups = [], []
    for gid, title in sorted(titles.items()):
        member_codes = tuple(members[gid])
        if _STATISTICAL_GROUP.match(title):
            groups.append(ReferenceGroup(code=gid, title=title, member_codes=member_codes))
        else:
            associations.append(
                ReferenceOrganisation(
                    code=gid,
                    name=title,
                    short_name=title,
                    kind="association",
                    source="Kolada (namngiven kommungrupp). Källa: Kolada",
                    member_codes=member_codes,
                )
            )
    return associations, groups


def read_categories() -> list[ReferenceCategory]:
    return [
        ReferenceCategory(
            code=row["id"], label=row["label"], parent_code=row["parent_id"], level=row["level"]
        )
        for row in _rows("klassa21_vo_pg.csv")
    ]
