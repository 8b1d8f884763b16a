"""Parsing and checking single cell values; plain functions without file knowledge."""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

__all__ = [
    "FORMULA_TRIGGERS",
    "ValueProblem",
    "cell_text",
    "derive_key",
    "is_valid_key",
    "neutralise_formula",
    "normalise_name",
    "parse_decimal",
    "parse_kind",
    "parse_systems",
    "restore_neutralised",
    "validate_url",
]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ValueProblem(Exception):
    """A cell value is invalid; ``code`` names a message in ``messages.MESSAGES``."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def neutralise_formula(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet program would run as a formula (OWASP CSV injection).

    Text already starting with quotes before such a character gets one more quote, so that
    :func:`restore_neutralised` is an exact inverse and exports re-import unchanged.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("Bygglov")
    'Bygglov'
    """
    if value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore_neutralised(value: str) -> str:
    """Undo :func:`neutralise_formula` for text read back from one of our exports."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def cell_text(value: object) -> str:
    """Turn a raw cell (CSV text or an openpyxl value) into text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_CURRENCY = re.compile(r"\s*(?:kr\.?|sek)$", re.IGNORECASE)
_EXPONENT = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d{1,3}")
_NUMBER_CHARS = re.compile(r"[\d .,]+")
_DIGITS = re.compile(r"\d+")


def _grouped(int_part: str, separator: str) -> bool:
    pattern = r"\d{1,3}(?:" + re.escape(separator) + r"\d{3})+"
    return re.fullmatch(pattern, int_part) is not None


def parse_decimal(raw: object) -> Decimal:
    """Read a number as Swedish Excel writes it, or as XLSX stores it.

    >>> parse_decimal("1\\u00a0234,50 kr")
    Decimal('1234.50')
    >>> parse_decimal("1.234,5")
    Decimal('1234.5')
    >>> parse_decimal("1234.5")
    Decimal('1234.5')
    >>> parse_decimal(2.5)
    Decimal('2.5')
    """
    if isinstance(raw, bool):
        raise ValueProblem("not_a_number")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueProblem("not_a_number")
        return Decimal(str(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueProblem("not_a_number")
        return raw
    if not isinstance(raw, str):
        raise ValueProblem("not_a_number")
    text = _CURRENCY.sub("", raw.translate(_SPACES).strip()).strip()
    if len(text) > 60:
        raise ValueProblem("not_a_number")
    negative = text[:1] in ("-", "\u2212")
    if text[:1] in ("-", "\u2212", "+"):
        text = text[1:].lstrip()
    if _EXPONENT.fullmatch(text):
        value = Decimal(text.replace(",", "."))
    else:
        value = _parse_plain(text)
    if negative:
        value = -value
    return value if value != 0 else abs(value)


def _parse_plain(text: str) -> Decimal:
    if not _NUMBER_CHARS.fullmatch(text) or not any(ch.isdigit() for ch in text):
        raise ValueProblem("not_a_number")
    commas, dots = text.count(","), text.count(".")
    grouping: str | None = None
    decimal_mark: str | None = None
    if commas and dots:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        if text.count(decimal_mark) > 1:
            raise ValueProblem("ambiguous_number")
    elif commas:
        if commas > 1:
            raise ValueProblem("ambiguous_number")
        decimal_mark = ","
    elif dots > 1:
        grouping = "."
    elif dots:
        decimal_mark = "."
    if decimal_mark is not None:
        int_part, _, fraction = text.rpartition(decimal_mark)
    else:
        int_part, fraction = text, ""
    if decimal_mark is not None and not _DIGITS.fullmatch(fraction):
        raise ValueProblem("not_a_number")
    separators = {ch for ch in int_part if not ch.isdigit()}
    if len(separators) > 1:
        raise ValueProblem("ambiguous_number")
    if separators:
        (separator,) = separators
        if separator not in (" ", grouping):
            raise ValueProblem("ambiguous_number")
        if not _grouped(int_part, separator):
            raise ValueProblem("not_a_number" if separator == " " else "ambiguous_number")
        int_part = int_part.replace(separator, "")
    elif (
        decimal_mark == "."
        and not commas
        and re.fullmatch(r"[1-9]\d{0,2}", int_part)
        and (len(fraction) == 3)
    ):
        # "1.234" may mean 1234 (dot grouping) or 1.234; refuse to guess.
        raise ValueProblem("ambiguous_number")
    try:
        return Decimal((int_part or "0") + ("." + fraction if fraction else ""))
    except InvalidOperation as error:  # pragma: no cover - guarded by the checks above
        raise ValueProblem("not_a_number") from error


_KINDS = {
    "tjänst": "service",
    "service": "service",
    "tjänst till invånare": "service",
    "process": "process",
    "intern process": "process",
    "internal process": "process",
    "e-tjänst": "eservice",
    "etjänst": "eservice",
    "e-service": "eservice",
    "eservice": "eservice",
}
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-"})


def parse_kind(text: str) -> str:
    """Map a kind as users write it to ``service``, ``process`` or ``eservice``."""
    if not text:
        return "service"
    folded = " ".join(unicodedata.normalize("NFC", text).translate(_DASHES).casefold().split())
    try:
        return _KINDS[folded]
    except KeyError:
        raise ValueProblem("bad_kind") from None


_KEY = re.compile(r"[\w.\-]{1,64}")


def is_valid_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def derive_key(name: str) -> str:
    """Make the stable key from a name: lower case, punctuation dropped, spaces to hyphens.

    Runs of whitespace become a single ``-`` so that the derived key is itself a valid key
    and survives an export and re-import. Letters such as å, ä and ö are kept.

    >>> derive_key("Bygglov – för  enbostadshus!")
    'bygglov-för-enbostadshus'
    """
    folded = unicodedata.normalize("NFC", name).lower()
    kept = "".join(ch for ch in folded if ch.isalnum() or ch.isspace())
    return "-".join(kept.split())[:64].strip("-")


_DASHES_AND_SPACES = re.compile(r"[\s\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]+")


def normalise_name(name: str) -> str:
    """Fold a name for matching: Unicode forms, case, runs of spaces and dashes do not count.

    >>> normalise_name("Strandskyddsdispens –  Ansök")
    'strandskyddsdispens ansök'
    >>> normalise_name("STRANDSKYDDSDISPENS-ansök")
    'strandskyddsdispens ansök'
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _DASHES_AND_SPACES.sub(" ", folded).strip()


def validate_url(text: str) -> str:
    if any(ch.isspace() for ch in text) or any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValueProblem("bad_url")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise ValueProblem("bad_url") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueProblem("bad_url")
    return text


_SYSTEM = re.compile(r"(?P<product>[^()]*?)\s*\((?P<vendor>[^()]*)\)")


def _split_top_level(text: str, separators: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and ch in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_systems(text: str, limit: int = 100) -> tuple[tuple[str, str], ...]:
    """Read ``"Platina (Formpipe) | Ciceron"`` as ``(("Platina", "Formpipe"), ("Ciceron", ""))``.

    ``|`` and ``;`` separate systems; a comma does only when neither of them is used, so a
    vendor such as "Tieto, Evry" can still be written in brackets.
    """
    top = _split_top_level(text, "|;")
    parts = top if len(top) > 1 else _split_top_level(text, ",")
    systems: list[tuple[str, str]] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        match = _SYSTEM.fullmatch(part)
        if match:
            product, vendor = match["product"].strip(), match["vendor"].strip()
        elif "(" in part or ")" in part:
            raise ValueProblem("bad_system")
        else:
            product, vendor = part, ""
        if not product:
            raise ValueProblem("bad_system")
        for value in (product, vendor):
            if len(value) > limit:
                raise ValueProblem("system_too_long", system=value[:40] + "…", limit=limit)
        if (product, vendor) not in systems:
            systems.append((product, vendor))
    return tuple(systems)
