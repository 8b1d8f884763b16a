"""The template's columns and how a header cell is matched to a field."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

__all__ = [
    "DESCRIPTIONS_EN",
    "FIELDS",
    "KIND_LABELS",
    "TEMPLATE_COLUMNS",
    "TemplateColumn",
    "field_for_header",
    "header_for",
    "normalise_header",
]


class TemplateColumn(NamedTuple):
    field: str
    sv: str
    en: str
    required: bool
    description_sv: str


TEMPLATE_COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn(
        "organisation_code",
        "Organisationskod",
        "Organisation code",
        False,
        "Organisationens kod. Kan lämnas tom; om den fylls i måste den vara samma som för "
        "organisationen du importerar till.",
    ),
    TemplateColumn(
        "key",
        "Nyckel",
        "Key",
        False,
        "Fast nyckel som gör att en ny import uppdaterar samma verksamhet. Högst 64 tecken: "
        "bokstäver, siffror, - _ och punkt. Lämnas den tom skapas den av namnet.",
    ),
    TemplateColumn(
        "name",
        "Namn",
        "Name",
        True,
        "Verksamhetens namn, 1–200 tecken. Obligatorisk.",
    ),
    TemplateColumn(
        "description",
        "Beskrivning",
        "Description",
        False,
        "Fri beskrivning, högst 5000 tecken. Radbrytningar är tillåtna.",
    ),
    TemplateColumn(
        "kind",
        "Typ",
        "Kind",
        False,
        "Tjänst, Intern process eller E-tjänst. Tom betyder Tjänst.",
    ),
    TemplateColumn(
        "category",
        "Kategori",
        "Category",
        False,
        "KLASSA-kod, till exempel 3.2 eller 3.2.1, eller kategorins namn.",
    ),
    TemplateColumn(
        "annual_cost_sek",
        "Årskostnad (kr)",
        "Annual cost (SEK)",
        False,
        "Kostnad per år i kronor, till exempel 1 234 500 eller 1234500,50.",
    ),
    TemplateColumn(
        "volume_per_year",
        "Volym per år",
        "Volume per year",
        False,
        "Antal per år, till exempel antal ärenden.",
    ),
    TemplateColumn(
        "volume_unit",
        "Volymenhet",
        "Volume unit",
        False,
        "Vad volymen räknas i, till exempel ärenden, beslut eller brukare. Högst 50 tecken.",
    ),
    TemplateColumn(
        "fte",
        "Årsarbetare",
        "FTE",
        False,
        "Antal årsarbetare, till exempel 2,5.",
    ),
    TemplateColumn(
        "lead_time_days",
        "Ledtid (dagar)",
        "Lead time (days)",
        False,
        "Median för ledtiden i dagar, högst 3650.",
    ),
    TemplateColumn(
        "legal_basis",
        "Lagrum",
        "Legal basis",
        False,
        "Lag eller förordning som styr verksamheten, till exempel PBL 9 kap. Högst 500 tecken.",
    ),
    TemplateColumn(
        "url",
        "Webbadress",
        "Web address",
        False,
        "Sida som beskriver verksamheten. Måste börja med https:// eller http://.",
    ),
    TemplateColumn(
        "systems",
        "IT-system",
        "IT systems",
        False,
        "Ett eller flera system åtskilda med | eller ;, till exempel Platina (Formpipe) | Ciceron.",
    ),
    TemplateColumn(
        "owner",
        "Ansvarig",
        "Owner",
        False,
        "Namn eller e-postadress för en av organisationens kontaktpersoner.",
    ),
)

DESCRIPTIONS_EN: Mapping[str, str] = {
    "organisation_code": "The organisation's code. May be empty; if filled in it must match "
    "the organisation you import into.",
    "key": "Stable key so a later import updates the same activity. At most 64 characters: "
    "letters, digits, - _ and full stop. Made from the name when empty.",
    "name": "The activity's name, 1–200 characters. Required.",
    "description": "Free description, at most 5000 characters. Line breaks are allowed.",
    "kind": "Service, Internal process or E-service. Empty means Service.",
    "category": "KLASSA code such as 3.2 or 3.2.1, or the category's name.",
    "annual_cost_sek": "Cost per year in Swedish kronor, for example 1 234 500 or 1234500.50.",
    "volume_per_year": "Count per year, for example the number of cases.",
    "volume_unit": "What the volume counts, such as cases, decisions or clients. "
    "At most 50 characters.",
    "fte": "Full-time equivalents, for example 2.5.",
    "lead_time_days": "Median lead time in days, at most 3650.",
    "legal_basis": "Law or ordinance governing the activity. At most 500 characters.",
    "url": "Page describing the activity. Must start with https:// or http://.",
    "systems": "One or more systems separated by | or ;, for example Platina (Formpipe) | Ciceron.",
    "owner": "Name or e-mail address of one of the organisation's contacts.",
}

FIELDS: tuple[str, ...] = tuple(column.field for column in TEMPLATE_COLUMNS)

#: kind value -> (Swedish label, English label), as written in exports and the template.
KIND_LABELS: Mapping[str, tuple[str, str]] = {
    "service": ("Tjänst", "Service"),
    "process": ("Intern process", "Internal process"),
    "eservice": ("E-tjänst", "E-service"),
}

_EXTRA_ALIASES: Mapping[str, tuple[str, ...]] = {
    "key": ("Activity id", "Activity key"),
    "kind": ("Type",),
    "annual_cost_sek": ("Årskostnad", "Årskostnad (SEK)", "Annual cost"),
    "lead_time_days": ("Ledtid", "Lead time"),
    "fte": ("Full-time equivalents",),
    "url": ("URL", "Webbsida"),
    "systems": ("System", "IT system"),
}


def normalise_header(text: str) -> str:
    """Fold a header for matching: case, whitespace, punctuation and brackets do not count.

    >>> normalise_header(" Årskostnad (KR) ")
    'årskostnadkr'
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in TEMPLATE_COLUMNS:
        names = (column.sv, column.en, *_EXTRA_ALIASES.get(column.field, ()))
        for name in names:
            folded = normalise_header(name)
            if lookup.setdefault(folded, column.field) != column.field:
                raise AssertionError(f"Header alias {name!r} is ambiguous")
    return lookup


_LOOKUP = _build_lookup()
_BY_FIELD = {column.field: column for column in TEMPLATE_COLUMNS}


def field_for_header(header: str) -> str | None:
    """Return the field a header cell names, or None when it is not recognised."""
    return _LOOKUP.get(normalise_header(header))


def header_for(field: str, language: str = "sv") -> str:
    column = _BY_FIELD[field]
    return column.en if language == "en" else column.sv
