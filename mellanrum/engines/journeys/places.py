"""From what a visitor types as a place to a municipality.

A place is a municipality's four-digit code (``0182``), its name in any common form
(``Malmö``, ``Malmö stad``, ``malmö kommun``, ``MALMO``, ``Malmöö``), a locality
(``Saltsjöbaden``) or a postcode (``131 40``).  Localities come from the shipped GeoNames
list (``data/localities_geonames.csv``) and from places an operator has loaded; postcodes
only from places an operator has loaded (no postcode table with a clear licence ships with
Mellanrum).  A place that lies in several municipalities is answered with all of them, so
the visitor can choose.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "LOCALITIES_PATH",
    "MUNICIPALITY_NAMES_PATH",
    "PlaceAnswer",
    "PlaceIndex",
    "fold_place",
    "is_postcode",
    "normalise_postcode",
    "shipped_localities",
    "shipped_municipality_names",
]

DATA = Path(__file__).resolve().parent / "data"
LOCALITIES_PATH = DATA / "localities_geonames.csv"
MUNICIPALITY_NAMES_PATH = DATA / "municipality_names.csv"
MAX_PLACE_CHARS = 100
_POSTCODE = re.compile(r"^\s*(?:se-?\s*)?(\d{3})\s?(\d{2})\s*$", re.IGNORECASE)
_CODE = re.compile(r"^\s*(\d{4})\s*$")
_SUFFIXES = (" kommun", " stad", " municipality", " city")


def is_postcode(text: str) -> bool:
    """Whether `text` is a Swedish postcode (``13140``, ``131 40``, ``SE-131 40``)."""
    return bool(_POSTCODE.match(text))


def normalise_postcode(text: str) -> str:
    """The five digits of a postcode, or "" when `text` is none.

    Examples
    --------
    >>> normalise_postcode("SE-131 40"), normalise_postcode("1314")
    ('13140', '')
    """
    match = _POSTCODE.match(text)
    return match.group(1) + match.group(2) if match else ""


def _exact(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[^\w]+", " ", text).strip()
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
    return text


def fold_place(text: str) -> str:
    """A spelling-tolerant key: case, diacritics, ``ae``/``oe`` transliteration and the
    words kommun/stad are ignored.

    Examples
    --------
    >>> fold_place("Malmö stad") == fold_place("MALMO") == fold_place("Malmoe kommun")
    True
    >>> fold_place("Saltsjöbaden")
    'saltsjobaden'
    """
    text = _exact(text)
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return text.replace("ae", "a").replace("oe", "o").replace("aa", "a")


@dataclass(frozen=True)
class PlaceAnswer:
    """What a place text means.

    `codes` holds the municipality codes it resolves to: one, several (the place spans
    municipalities: ask which), or none.  `kind` says what matched (``code``,
    ``municipality``, ``locality``, ``postcode``); `problem` is ``""``, ``"empty"``,
    ``"unknown"`` or ``"postcode"`` (a postcode no loaded table knows); `corrected` is set
    when a misspelt name was taken for the closest one; `suggestions` are codes of close
    names for an unknown place.
    """

    codes: tuple[str, ...] = ()
    kind: str = ""
    problem: str = ""
    corrected: bool = False
    suggestions: tuple[str, ...] = ()


class PlaceIndex:
    """Municipality names, localities and postcodes, indexed once for many look-ups.

    Parameters
    ----------
    municipalities : iterable of (code, names)
        Each municipality's code and every name it goes by (short, official).
    places : iterable of (name, code)
        Localities and postcodes with the municipality they are in; a name listed with
        several codes spans municipalities.

    Examples
    --------
    >>> index = PlaceIndex([("0182", ("Nacka", "Nacka kommun")),
    ...                     ("1280", ("Malmö", "Malmö stad"))],
    ...                    [("Saltsjöbaden", "0182"), ("131 40", "0182")])
    >>> index.resolve("malmö STAD").codes, index.resolve("Malmoo").corrected
    (('1280',), True)
    >>> index.resolve("Saltsjobaden").kind, index.resolve("13140").codes
    ('locality', ('0182',))
    >>> index.resolve("Xyzzyville").problem
    'unknown'
    """

    def __init__(
        self,
        municipalities: Iterable[tuple[str, Sequence[str]]],
        places: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.codes: set[str] = set()
        self.names: dict[str, str] = {}
        self._exact: dict[str, set[str]] = {}
        self._folded: dict[str, set[str]] = {}
        self._places: dict[str, set[str]] = {}
        self._postcodes: dict[str, set[str]] = {}
        for code, names in municipalities:
            self.codes.add(code)
            for name in names:
                if not name.strip():
                    continue
                self.names.setdefault(code, name)
                for key in (_exact(name), *self._genitive(_exact(name))):
                    self._exact.setdefault(key, set()).add(code)
                for key in (fold_place(name), *self._genitive(fold_place(name))):
                    self._folded.setdefault(key, set()).add(code)
        for name, code in places:
            postcode = normalise_postcode(name)
            if postcode:
                self._postcodes.setdefault(postcode, set()).add(code)
            elif name.strip():
                self._places.setdefault(fold_place(name), set()).add(code)

    @staticmethod
    def _genitive(key: str) -> tuple[str, ...]:
        # "Stockholms stad" is asked for as "Stockholm", "Falu kommun" as "Falun".
        extra = []
        if key.endswith("s") and len(key) > 4:
            extra.append(key[:-1])
        if key.endswith("u"):
            extra.append(key + "n")
        return tuple(extra)

    @property
    def has_postcodes(self) -> bool:
        return bool(self._postcodes)

    def resolve(self, text: str) -> PlaceAnswer:
        """What `text` means as a place (see :class:`PlaceAnswer`)."""
        text = (text or "")[:MAX_PLACE_CHARS]
        if not text.strip():
            return PlaceAnswer(problem="empty")
        code = _CODE.match(text)
        if code:
            found = code.group(1) in self.codes
            return PlaceAnswer((code.group(1),), "code") if found else \
                PlaceAnswer(problem="unknown")
        postcode = normalise_postcode(text)
        if postcode:
            codes = self._postcodes.get(postcode)
            if codes:
                return PlaceAnswer(tuple(sorted(codes)), "postcode")
            return PlaceAnswer(problem="postcode")
        exact = self._exact.get(_exact(text))
        if exact:
            return PlaceAnswer(tuple(sorted(exact)), "municipality")
        folded = fold_place(text)
        for table, kind in ((self._folded, "municipality"), (self._places, "locality")):
            if folded in table:
                return PlaceAnswer(tuple(sorted(table[folded])), kind)
        return self._close(folded)

    def _close(self, folded: str) -> PlaceAnswer:
        keys = list(self._folded) + list(self._places)
        close = difflib.get_close_matches(folded, keys, n=8, cutoff=0.75)
        suggestions: list[str] = []
        for key in close:
            for code in sorted(self._folded.get(key) or self._places.get(key) or ()):
                if code not in suggestions:
                    suggestions.append(code)
        if close and difflib.SequenceMatcher(None, folded, close[0]).ratio() >= 0.85:
            best = self._folded.get(close[0]) or self._places.get(close[0]) or set()
            if len(best) == 1:
                kind = "municipality" if close[0] in self._folded else "locality"
                return PlaceAnswer(tuple(best), kind, corrected=True)
        return PlaceAnswer(problem="unknown", suggestions=tuple(suggestions[:5]))


@cache
def shipped_municipality_names() -> dict[str, tuple[str, ...]]:
    """Code → (short name, official name) of the 290 municipalities (okfn/publicbodies,
    ODC-PDDL-1.0)."""
    with MUNICIPALITY_NAMES_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["municipality_code"]: (row["municipality_name"], row["official_name"])
                for row in csv.DictReader(handle)}


@cache
def shipped_localities() -> tuple[tuple[str, str], ...]:
    """(locality, municipality code) pairs from GeoNames' cities1000 (CC BY 4.0)."""
    with LOCALITIES_PATH.open(encoding="utf-8", newline="") as handle:
        return tuple((row["locality"], row["municipality_code"])
                     for row in csv.DictReader(handle))
