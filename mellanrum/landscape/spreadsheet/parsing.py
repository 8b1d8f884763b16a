"""Validating raw rows into activities: :func:`parse_activity_file` and its result types."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeVar

from .columns import header_for
from .mapping import ColumnChoice, MappingNeeded, check_mapping, choose_columns
from .messages import SpreadsheetError, render, render_count
from .reading import RawTable, read_table
from .values import (
    ValueProblem,
    cell_text,
    derive_key,
    is_valid_key,
    parse_decimal,
    parse_kind,
    parse_systems,
    restore_neutralised,
    validate_url,
)

__all__ = ["ActivityRow", "ParseResult", "RowError", "parse_activity_file"]

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
PROGRESS_EVERY = 1000

_T = TypeVar("_T")


@dataclass(frozen=True)
class ActivityRow:
    """One valid activity. Strings are ``""`` when empty, numbers ``None``.

    ``columns`` names the fields the file has a column for (``None``: every field). When an
    import updates an existing activity, fields without a column are left as they are, so a
    file with only names and costs does not clear descriptions, owners or IT systems.
    """

    row_number: int
    key: str
    name: str
    organisation_code: str = ""
    description: str = ""
    kind: str = "service"
    category: str = ""
    annual_cost_sek: Decimal | None = None
    volume_per_year: Decimal | None = None
    volume_unit: str = ""
    fte: Decimal | None = None
    lead_time_days: Decimal | None = None
    legal_basis: str = ""
    url: str = ""
    systems: tuple[tuple[str, str], ...] = ()
    owner: str = ""
    columns: frozenset[str] | None = field(default=None, compare=False)
    #: The key was made from the name (no key given): the row is matched by its name.
    key_derived: bool = field(default=False, compare=False)

    def has_column(self, name: str) -> bool:
        return self.columns is None or name in self.columns


@dataclass(frozen=True)
class RowError:
    """A problem in one cell. ``row`` is the row number Excel shows (header = row 1)."""

    row: int
    column: str
    value: str
    message: str
    code: str = ""

    def located(self, language: str = "sv") -> str:
        """The message with its place, e.g. "Rad 4, kolumn Årskostnad (kr): ..."."""
        template = (
            "Row %(row)s, column %(column)s: %(message)s"
            if language == "en"
            else ("Rad %(row)s, kolumn %(column)s: %(message)s")
        )
        return template % {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParseResult:
    rows: list[ActivityRow]
    errors: list[RowError]
    encoding: str | None
    delimiter: str | None
    skipped_empty_rows: int
    format: Literal["csv", "xlsx"]
    header_row: int = 1
    columns: list[ColumnChoice] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, language: str = "sv") -> list[str]:
        """Sentences to show after reading, so skipped rows never go unmentioned."""
        fmt = {"format": self.format.upper()}
        lines = [render_count("summary_rows", len(self.rows), language, fmt)]
        if self.skipped_empty_rows:
            lines.append(render_count("summary_skipped", self.skipped_empty_rows, language))
        return lines


# field -> (maximum length, newlines and tabs allowed)
_TEXT_LIMITS: Mapping[str, tuple[int, bool]] = {
    "organisation_code": (50, False),
    "key": (64, False),
    "name": (200, False),
    "description": (5000, True),
    "kind": (100, False),
    "category": (200, False),
    "volume_unit": (50, False),
    "legal_basis": (500, False),
    "url": (500, False),
    "systems": (5000, False),
    "owner": (254, False),
}
# field -> upper bound (all numbers must be >= 0)
_NUMBER_LIMITS: Mapping[str, Decimal | None] = {
    "annual_cost_sek": Decimal("1e12"),
    "volume_per_year": None,
    "fte": Decimal("100000"),
    "lead_time_days": Decimal("3650"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def parse_activity_file(
    data: bytes,
    filename: str,
    *,
    organisation_code: str,
    known_categories: Mapping[str, str] = {},  # noqa: B006 - read only
    known_contacts: Collection[str] = (),
    language: str = "sv",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Callable[[int, int], None] | None = None,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    column_map: Mapping[str, str | None] = {},  # noqa: B006 - read only
    remembered_map: Mapping[str, str | None] = {},  # noqa: B006 - read only
) -> ParseResult:
    """Read a CSV or XLSX activity catalogue and validate every row.

    *column_map* maps the file's headers to fields (None: ignore the column) for this import;
    *remembered_map* is the organisation's earlier choices, used for headers not in
    *column_map*. Raises :class:`MappingNeeded` when some column is none of these nor a
    template header (with a suggestion for each), and :class:`SpreadsheetError` when the file
    as a whole cannot be used; problems in single cells are all collected in
    ``ParseResult.errors``.
    """
    if len(data) > max_bytes:
        raise SpreadsheetError.from_code(
            "file_too_large",
            language,
            size=_megabytes(len(data), language, up=True),
            limit=_megabytes(max_bytes, language, up=False),
        )
    table = read_table(
        data,
        filename,
        language=language,
        max_rows=max_rows,
        max_uncompressed_bytes=max_uncompressed_bytes,
    )
    position, choices = choose_columns(
        table.candidates(), given=column_map, remembered=remembered_map, language=language
    )
    table.with_header_at(position)
    samples = _samples(table, choices)
    choices = [
        ColumnChoice(c.index, c.header, c.field, c.source, samples.get(c.index, ()))
        for c in choices
    ]
    unconfirmed = [choice for choice in choices if not choice.confirmed]
    if unconfirmed:
        listed = ", ".join(f"”{_shorten(choice.header, 40)}”" for choice in unconfirmed[:20])
        params = {"columns": listed}
        raise MappingNeeded(
            render("unknown_columns", language, params),
            header_row=table.header_row,
            columns=choices,
            params=params,
        )
    check_mapping(choices, language)
    validator = _RowValidator(
        table, choices, organisation_code, known_categories, known_contacts, language
    )
    rows: list[ActivityRow] = []
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = validator.validate(number, cells)
        if row is not None:
            rows.append(row)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if progress is not None and (total == 0 or total % PROGRESS_EVERY):
        progress(total, total)
    file_format: Literal["csv", "xlsx"] = "xlsx" if table.format == "xlsx" else "csv"
    return ParseResult(
        rows,
        validator.errors,
        table.encoding,
        table.delimiter,
        table.skipped_empty_rows,
        file_format,
        table.header_row,
        choices,
    )


def _samples(table: RawTable, choices: Sequence[ColumnChoice]) -> dict[int, tuple[str, ...]]:
    """The first few values of each column, shown beside it in the mapping step."""
    samples: dict[int, list[str]] = {choice.index: [] for choice in choices}
    for _number, cells in table.rows[:50]:
        for index, values in samples.items():
            text = cell_text(cells[index]).strip() if index < len(cells) else ""
            if text and len(values) < 3 and text not in values:
                values.append(_shorten(text, 60))
    return {index: tuple(values) for index, values in samples.items()}


def _megabytes(size: int, language: str, *, up: bool) -> str:
    # Round the file's size up and the limit down, so a file just over never reads "25 of 25".
    tenths = size * 10 / (1024 * 1024)
    shown = (math.ceil(tenths) if up else math.floor(tenths)) / 10
    text = f"{shown:.1f}".removesuffix(".0")
    return text if language == "en" else text.replace(".", ",")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _same_code(given: str, expected: str) -> bool:
    if given.casefold() == expected.strip().casefold():
        return True
    # Excel turns "0180" into the number 180; accept that for all-digit codes.
    return given.isdigit() and expected.strip().isdigit() and int(given) == int(expected)


def _shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _RowValidator:
    def __init__(
        self,
        table: RawTable,
        choices: Sequence[ColumnChoice],
        organisation_code: str,
        known_categories: Mapping[str, str],
        known_contacts: Collection[str],
        language: str,
    ) -> None:
        self.language = language
        self.organisation_code = organisation_code
        self.categories = {code.strip(): code for code in known_categories}
        self.category_labels = {
            label.strip().casefold(): code for code, label in known_categories.items()
        }
        self.contacts = {contact.strip().casefold(): contact for contact in known_contacts}
        self.errors: list[RowError] = []
        self.seen_keys: dict[str, tuple[int, bool]] = {}
        self.columns = {
            choice.field: (choice.index, choice.header) for choice in choices if choice.field
        }
        headed = {choice.index for choice in choices}
        self.unheaded = set(range(len(table.header))) - headed
        self.width = len(table.header)
        self.headers = {name: header for name, (_, header) in self.columns.items()}

    # Errors ---------------------------------------------------------------------------

    def _error(self, row: int, column: str, value: str, code: str, /, **params: object) -> None:
        message = render(code, self.language, params)
        self.errors.append(RowError(row, column, _shorten(value), message, code))

    def _header(self, name: str) -> str:
        return self.headers.get(name) or header_for(name, self.language)

    # Cells ----------------------------------------------------------------------------

    def _raw(self, cells: Sequence[object], name: str) -> object:
        position = self.columns.get(name)
        if position is None or position[0] >= len(cells):
            return None
        return cells[position[0]]

    def _text(self, row: int, cells: Sequence[object], name: str) -> str | None:
        """The cleaned text of a cell, or None after recording an error."""
        raw = cell_text(self._raw(cells, name))
        limit, multiline = _TEXT_LIMITS[name]
        text = restore_neutralised(raw.strip()).strip()
        if multiline:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if (_CONTROL_MULTILINE if multiline else _CONTROL).search(text):
            self._error(row, self._header(name), raw, "control_characters")
            return None
        text = unicodedata.normalize("NFC", text)
        if len(text) > limit:
            self._error(row, self._header(name), raw, "too_long", length=len(text), limit=limit)
            return None
        return text

    def _number(self, row: int, cells: Sequence[object], name: str) -> Decimal | None:
        raw = self._raw(cells, name)
        if isinstance(raw, str):
            raw = restore_neutralised(raw.strip())
            if not raw.strip():
                return None
        if raw is None:
            return None
        try:
            value = parse_decimal(raw)
        except ValueProblem as problem:
            self._error(row, self._header(name), cell_text(raw), problem.code, **problem.params)
            return None
        limit = _NUMBER_LIMITS[name]
        if value < 0:
            self._error(row, self._header(name), cell_text(raw), "negative")
            return None
        if limit is not None and value > limit:
            shown = f"{int(limit):,}".replace(",", " ")
            self._error(row, self._header(name), cell_text(raw), "number_too_large", limit=shown)
            return None
        return value

    # Row ------------------------------------------------------------------------------

    def validate(self, row: int, cells: Sequence[object]) -> ActivityRow | None:
        before = len(self.errors)
        for index in itertools.chain(self.unheaded, range(self.width, len(cells))):
            if index < len(cells) and cell_text(cells[index]).strip():
                self._error(row, _column_letter(index), cell_text(cells[index]), "unheaded_value")
        texts = {name: self._text(row, cells, name) for name in _TEXT_LIMITS}
        numbers = {name: self._number(row, cells, name) for name in _NUMBER_LIMITS}

        name = texts["name"]
        if name == "":
            self._error(row, self._header("name"), "", "required", column=self._header("name"))
        org = texts["organisation_code"]
        if org and not _same_code(org, self.organisation_code):
            self._error(
                row,
                self._header("organisation_code"),
                org,
                "organisation_mismatch",
                row_code=org,
                code=self.organisation_code,
            )
        kind = self._checked(row, "kind", texts["kind"], parse_kind)
        category = self._checked(row, "category", texts["category"], self._category)
        url = self._checked(row, "url", texts["url"], validate_url)
        owner = self._checked(row, "owner", texts["owner"], self._owner)
        systems = self._checked(row, "systems", texts["systems"], parse_systems)
        key = self._key(row, texts["key"], name)

        if len(self.errors) > before:
            return None
        assert name and key and kind is not None  # guaranteed when no error was recorded
        return ActivityRow(
            row_number=row,
            key=key,
            name=name,
            organisation_code=org or "",
            description=texts["description"] or "",
            kind=kind,
            category=category or "",
            annual_cost_sek=numbers["annual_cost_sek"],
            volume_per_year=numbers["volume_per_year"],
            volume_unit=texts["volume_unit"] or "",
            fte=numbers["fte"],
            lead_time_days=numbers["lead_time_days"],
            legal_basis=texts["legal_basis"] or "",
            url=url or "",
            systems=systems or (),
            owner=owner or "",
            columns=frozenset(self.columns),
            key_derived=not texts["key"],
        )

    def _checked(
        self, row: int, name: str, text: str | None, check: Callable[[str], _T]
    ) -> _T | None:
        if text is None:
            return None
        if not text and name != "kind":
            return None
        try:
            return check(text)
        except ValueProblem as problem:
            self._error(row, self._header(name), text, problem.code, **problem.params)
            return None

    def _category(self, text: str) -> str:
        if text in self.categories:
            return self.categories[text]
        code = self.category_labels.get(text.casefold())
        if code is None:
            # "3.2 Bygg och miljö" as well as "3.2" or "Bygg och miljö".
            first, _, rest = text.partition(" ")
            by_label = self.category_labels.get(rest.strip().casefold())
            if first in self.categories and by_label == self.categories[first]:
                return by_label
            raise ValueProblem("unknown_category")
        return code

    def _owner(self, text: str) -> str:
        contact = self.contacts.get(text.casefold())
        if contact is None:
            raise ValueProblem("unknown_owner")
        return contact

    def _key(self, row: int, given: str | None, name: str | None) -> str | None:
        if given is None or not (given or name):
            return None
        derived = not given
        column = self._header("name" if derived else "key")
        if given:
            key = given
            if not is_valid_key(key):
                self._error(row, column, given, "bad_key")
                return None
        else:
            key = derive_key(name or "")
            if not key:
                self._error(row, column, name or "", "key_not_derivable")
                return None
        earlier = self.seen_keys.get(key)
        if earlier is not None:
            earlier_row, earlier_derived = earlier
            if derived and earlier_derived:
                self._error(row, column, name or "", "duplicate_name", row=earlier_row)
            else:
                self._error(row, column, key, "duplicate_key", key=key, row=earlier_row)
            return None
        self.seen_keys[key] = (row, derived)
        return key
