"""Kolada's KPI catalogue and municipality codes, read from the files Mellanrum ships
(plain Python, no Django). Sources and licence: landscape/data/reference/SOURCES.md."""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mellanrum.landscape.reference import REFERENCE_DIR

__all__ = [
    "CATALOGUE_FILE",
    "Kpi",
    "catalogue",
    "close_ids",
    "kolada_codes",
    "SIMILAR_AREAS",
    "SimilarGroup",
    "search",
    "similar_groups",
    "similar_to",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "kolada_kpi_catalogue.csv"


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    description: str
    municipality_type: str  # K municipalities, L regions, A both
    is_divided_by_gender: bool
    operating_area: str
    perspective: str
    publ_period: str


@cache
def catalogue() -> dict[str, Kpi]:
    with CATALOGUE_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["kpi_id"]: Kpi(
                id=row["kpi_id"],
                title=row["title"],
                description=row["description"],
                municipality_type=row["municipality_type"],
                is_divided_by_gender=row["is_divided_by_gender"] == "true",
                operating_area=row["operating_area"],
                perspective=row["perspective"],
                publ_period=row["publ_period"],
            )
            for row in csv.DictReader(handle)
        }


def close_ids(kpi_id: str, limit: int = 3) -> list[str]:
    """Catalogue ids that look like a mistyped ``kpi_id`` (closest first)."""
    return difflib.get_close_matches(kpi_id.strip().upper(), list(catalogue()), n=limit,
                                     cutoff=0.6)


def search(text: str, limit: int = 50) -> list[Kpi]:
    """KPIs whose id, title or operating area contains every word of ``text``; titles first."""
    words = text.casefold().split()
    if not words:
        return []
    in_title, elsewhere = [], []
    for kpi in catalogue().values():
        title = f"{kpi.id} {kpi.title}".casefold()
        rest = f"{kpi.operating_area} {kpi.description}".casefold()
        if all(word in title for word in words):
            in_title.append(kpi)
        elif all(word in title or word in rest for word in words):
            elsewhere.append(kpi)
    return [*in_title, *elsewhere][:limit]


@cache
def kolada_codes() -> dict[str, str]:
    """Kolada's code for every municipality and region, with its name. Regions use Kolada's
    own ids (``0001`` for Region Stockholm), municipalities SCB's four-digit codes."""
    codes: dict[str, str] = {}
    with (REFERENCE_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            codes[row["municipality_code"]] = row["municipality_name"]
    with (REFERENCE_DIR / "counties.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            codes[row["kolada_region_id"]] = row["region_name"]
    return codes


def region_code(kolada_id: str) -> str:
    """Mellanrum's organisation code for Kolada's region id (``0001`` → ``01``)."""
    if len(kolada_id) == 4 and kolada_id.startswith("00"):
        return kolada_id[2:]
    return kolada_id


SIMILAR_FILE = DATA_DIR / "kolada_similar_municipalities.csv"
# Kolada's areas, in the order Kolada lists them; "övergripande" is the overall similarity.
SIMILAR_AREAS = (
    "övergripande", "socioekonomi", "arbetsmarknad", "förskola", "fritidshem", "grundskola",
    "gymnasieskola", "äldreomsorg", "LSS", "IFO", "ekonomiskt bistånd", "räddningstjänst",
)


@dataclass(frozen=True)
class SimilarGroup:
    municipality: str
    area: str
    reference_year: int
    similar: tuple[str, ...]  # Kolada's 7 most similar municipalities
    kolada_group_id: str


@cache
def similar_groups() -> dict[tuple[str, str], SimilarGroup]:
    """Kolada's "Liknande kommuner": (municipality code, area) -> its 7 similar ones."""
    members: dict[tuple[str, str], list[str]] = {}
    meta: dict[tuple[str, str], tuple[int, str]] = {}
    with SIMILAR_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["municipality_code"], row["area"])
            members.setdefault(key, []).append(row["similar_code"])
            meta[key] = (int(row["reference_year"]), row["kolada_group_id"])
    return {
        key: SimilarGroup(key[0], key[1], meta[key][0], tuple(codes), meta[key][1])
        for key, codes in members.items()
    }


def similar_to(code: str, area: str = "övergripande") -> SimilarGroup | None:
    return similar_groups().get((code, area))
