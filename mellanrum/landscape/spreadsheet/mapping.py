"""Which column of a file holds which field.

A column is mapped, in this order, by a choice given for this import (the web mapping step or
``--map``), by the organisation's remembered choice, by a template header, or else by a
*suggestion* from the header's words and synonyms ("Handläggningstid" → lead time), which the
user must confirm. The header row itself is found among the first rows, so a title row above it
does no harm.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .columns import FIELDS, field_for_header, header_for, normalise_header
from .messages import SpreadsheetError
from .values import cell_text

__all__ = [
    "IGNORE",
    "ColumnChoice",
    "MappingNeeded",
    "check_mapping",
    "choose_columns",
    "parse_map_option",
    "suggest_field",
]

#: How "ignore this column" is written in ``--map`` and stored.
IGNORE = "-"
HEADER_ROWS_SCANNED = 10
#: More columns than anyone maps by hand (the template has 15).
MAX_COLUMNS = 200

Source = Literal["given", "remembered", "template", "suggested"]

# Words and phrases of real catalogues' headers, folded by ``_words``. Single words also match
# as the end of a Swedish compound ("Totalkostnad" ends in "kostnad").
_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "key": ("nyckel", "id", "key", "activity id", "verksamhets id"),
    "organisation_code": ("organisationskod", "kommunkod", "organisation code", "org kod"),
    "name": (
        "namn", "verksamhet", "verksamhetens namn", "benämning", "aktivitet", "tjänstens namn",
        "name", "activity", "activity name", "service name", "title", "rubrik",
    ),
    "description": (
        "beskrivning", "kommentar", "kommentarer", "innehåll", "förklaring", "anteckning",
        "description", "comment", "notes",
    ),
    "kind": ("typ", "type", "kind", "tjänstetyp", "slag"),
    "category": ("kategori", "klassa", "klassificering", "category"),
    "annual_cost_sek": (
        "kostnad", "kostnader", "årskostnad", "kostnad per år", "cost", "costs", "annual cost",
    ),
    "volume_per_year": (
        "volym", "antal", "antal ärenden", "ärenden per år", "antal per år", "ärendevolym",
        "volume",
    ),
    "volume_unit": ("volymenhet", "enhet", "unit"),
    "fte": ("årsarbetare", "årsarbetskrafter", "heltidstjänster", "fte", "åa"),
    "lead_time_days": (
        "ledtid", "handläggningstid", "genomloppstid", "svarstid", "lead time",
        "processing time",
    ),
    "legal_basis": ("lagrum", "lagstöd", "författning", "lag", "legal basis", "law"),
    "url": ("webbadress", "url", "länk", "webbsida", "hemsida", "webbplats", "link", "website"),
    "systems": ("system", "it system", "systemstöd", "it stöd", "verksamhetssystem"),
    "owner": (
        "ansvarig", "kontaktperson", "kontakt", "ägare", "processägare", "owner", "contact",
        "contact person",
    ),
}
# Units in brackets say nothing about the field ("Kostnad (kr)", "Ledtid i dagar").
_NOISE = frozenset({"kr", "sek", "dagar", "dgr", "days", "st", "i", "in", "per", "år", "year"})
# An amount in thousands or millions would be read a thousand times too small.
_SCALED = frozenset({"tkr", "mkr", "mnkr", "ksek", "msek"})
_CHOSEN = ("given", "remembered")
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _build_synonyms() -> tuple[dict[str, str], dict[str, str]]:
    phrases: dict[str, str] = {}
    for name, synonyms in _SYNONYMS.items():
        for synonym in synonyms:
            phrase = " ".join(_words(synonym))
            if phrases.setdefault(phrase, name) != name:
                raise AssertionError(f"Synonym {synonym!r} is ambiguous")
    suffixes = {phrase: name for phrase, name in phrases.items()
                if " " not in phrase and len(phrase) >= 5}
    return phrases, suffixes


_PHRASES, _SUFFIXES = _build_synonyms()


def suggest_field(header: str) -> str | None:
    """The field a header most likely names, or None.

    >>> [suggest_field(h) for h in ("Verksamhet", "Kostnad (kr)", "Förvaltning")]
    ['name', 'annual_cost_sek', None]
    """
    exact = field_for_header(header)
    if exact is not None:
        return exact
    words = _words(header)
    if _SCALED & set(words):
        return None
    for phrase in (" ".join(words), " ".join(w for w in words if w not in _NOISE)):
        if phrase in _PHRASES:
            return _PHRASES[phrase]
    for word in words:
        if word in _NOISE:
            continue
        if word in _PHRASES:
            return _PHRASES[word]
        for suffix, name in _SUFFIXES.items():
            if word.endswith(suffix):
                return name
    return None


@dataclass(frozen=True)
class ColumnChoice:
    """One headed column of the file and the field it is mapped to (None: ignored)."""

    index: int
    header: str
    field: str | None
    source: Source
    samples: tuple[str, ...] = ()

    @property
    def confirmed(self) -> bool:
        return self.source != "suggested"


class MappingNeeded(SpreadsheetError):
    """Some columns are neither template headers nor mapped: the user has to confirm them."""

    def __init__(self, message: str, *, header_row: int, columns: Sequence[ColumnChoice],
                 params: Mapping[str, object]) -> None:
        super().__init__(message, code="unknown_columns", params=params)
        self.header_row = header_row
        self.columns = list(columns)


def parse_map_option(given: str, language: str = "sv") -> tuple[str, str | None]:
    """``"THEIR HEADER=FIELD"`` as (their header, field or None to ignore).

    FIELD is a template header in Swedish or English, or ``-``.
    """
    header, equals, target = given.rpartition("=")
    if not equals or not header.strip() or not target.strip():
        raise SpreadsheetError.from_code("map_bad_form", language, given=given)
    if target.strip() == IGNORE:
        return header.strip(), None
    name = field_for_header(target)
    if name is None:
        raise SpreadsheetError.from_code(
            "map_unknown_field", language, field=target.strip(), given=given,
            example=header_for("annual_cost_sek", language),
        )
    return header.strip(), name


def _choice(index: int, header: str, given: Mapping[str, str | None],
            remembered: Mapping[str, str | None]) -> ColumnChoice:
    folded = normalise_header(header)
    if folded in given:
        return ColumnChoice(index, header, given[folded], "given")
    if folded in remembered:
        return ColumnChoice(index, header, remembered[folded], "remembered")
    exact = field_for_header(header)
    if exact is not None:
        return ColumnChoice(index, header, exact, "template")
    return ColumnChoice(index, header, suggest_field(header), "suggested")


def _choices(cells: Sequence[object], given: Mapping[str, str | None],
             remembered: Mapping[str, str | None]) -> list[ColumnChoice]:
    return [
        _choice(index, text, given, remembered)
        for index, text in ((i, cell_text(c).strip()) for i, c in enumerate(cells))
        if text
    ]


def choose_columns(
    candidates: Sequence[tuple[int, Sequence[object]]],
    *,
    given: Mapping[str, str | None] = {},  # noqa: B006 - read only
    remembered: Mapping[str, str | None] = {},  # noqa: B006 - read only
    language: str = "sv",
) -> tuple[int, list[ColumnChoice]]:
    """Find the header among the first rows and map its columns.

    Returns the position of the header among *candidates* and its columns. The header is the
    first of the rows with the most columns that are mapped (even to be ignored), template
    headers or given a suggestion.
    *given* and *remembered* map header texts (compared folded) to a field or None (ignore).
    """
    labels = {normalise_header(header): header for header in given}
    given = {normalise_header(header): name for header, name in given.items()}
    remembered = {normalise_header(header): name for header, name in remembered.items()}
    best, best_score = -1, 0
    scored: list[list[ColumnChoice]] = []
    for position, (_number, cells) in enumerate(candidates[:HEADER_ROWS_SCANNED]):
        choices = _choices(cells, given, remembered)
        scored.append(choices)
        # A column the user mapped counts even when it is to be ignored.
        score = sum(1 for c in choices if c.field is not None or c.source in _CHOSEN)
        if score > best_score:
            best, best_score = position, score
    if best < 0:
        raise SpreadsheetError.from_code(
            "no_header", language, rows=min(len(candidates), HEADER_ROWS_SCANNED)
        )
    header_row, _cells = candidates[best]
    choices = scored[best]
    if len(choices) > MAX_COLUMNS:
        raise SpreadsheetError.from_code(
            "too_many_columns", language, count=len(choices), limit=MAX_COLUMNS
        )
    folded = {normalise_header(choice.header) for choice in choices}
    for header, name in given.items():
        if header not in folded:
            target = header_for(name, language) if name else IGNORE
            raise SpreadsheetError.from_code(
                "map_unknown_header", language, header=f"”{labels[header]}”",
                given=f"{labels[header]}={target}",
            )
    return best, choices


def check_mapping(choices: Sequence[ColumnChoice], language: str = "sv") -> None:
    """Refuse a mapping that gives a field two columns or leaves the name without one."""
    by_field: dict[str, list[ColumnChoice]] = {}
    for choice in choices:
        if choice.field is not None:
            by_field.setdefault(choice.field, []).append(choice)
    for name in FIELDS:
        same = by_field.get(name, [])
        if len(same) < 2:
            continue
        listed = ", ".join(f"”{choice.header}”" for choice in same)
        column = header_for(name, language)
        if all(choice.source == "template" for choice in same):
            raise SpreadsheetError.from_code(
                "duplicate_columns", language, column=column, headers=listed
            )
        raise SpreadsheetError.from_code(
            "mapping_duplicate", language, column=column, headers=listed
        )
    if "name" not in by_field:
        column = header_for("name", language)
        if all(choice.source == "template" for choice in choices):
            raise SpreadsheetError.from_code("missing_required", language, column=column)
        raise SpreadsheetError.from_code("mapping_no_name", language, column=column)
