"""Which new rows a statement can see: the page cache's atoms for inserts (core/page_cache.py).

A new row is what most writes of a busy installation are (an import adds a municipality's
activities), and a new row cannot change most of what pages read. So a plain ``INSERT`` of a
Django model does not bump its table's rows atom ``t`` (which a ``DELETE``, an unclear
statement or an insert that names its own primary key still bumps) but ``t+``, and, for a
table with an organisation, ``t+@b`` for the bucket ``b`` of each new row's organisation (or
``t+@?`` when that cannot be told). A ``SELECT`` depends on

* nothing of ``t+`` where each row of ``t`` it reads is **pinned** by a row that already
  exists: by its primary key (``WHERE "t"."id" = %s``, ``"t"."id" IN (…)``), or by a join on
  its primary key from another table (``JOIN "t" ON ("x"."t_id" = "t"."id")``, and for the
  table a query starts from, an ``INNER JOIN`` on its own key, as a many-to-many read is
  written). Ids are never reused (PostgreSQL sequences, SQLite ``AUTOINCREMENT``), and a row
  that points to a new row is itself a write of the table it is in, which the statement reads;
* ``t+@b`` and ``t+@?`` where ``t`` is **scoped** to one organisation (``WHERE
  "t"."organisation_id" = %s`` as one of the clause's top-level conditions): a new row of
  another organisation cannot be one it reads;
* ``t+`` otherwise (a search across every organisation, a hand-written statement).

Only the SQL that Django writes is read this closely; anything else counts as reading every
new row. Organisations go into ``BUCKETS`` buckets so that the counters stay a small table
that every request reads whole.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

BUCKETS = 64
SCOPE_COLUMN = "organisation_id"
UNKNOWN = "?"

_INSERT_RE = re.compile(r'^\s*INSERT\s+INTO\s+"(\w+)"\s*\(([^)]*)\)\s*', re.IGNORECASE)
_OCCURRENCE_RE = re.compile(
    r'\b(FROM|JOIN)\s+("?)(\w+)"?(?:\s+(?:AS\s+)?"?([A-Z]\d+)"?\b)?', re.IGNORECASE)
_REF = r'(?:"\w+"|[A-Z]\d+)\."\w+"'
_EQUALS_RE = re.compile(rf"^({_REF})\s*=\s*({_REF})$")
# A parameter's place, and an escaped percent sign, which is none ("%%s" is "%" and "s").
_PLACEHOLDER_RE = re.compile(r"%%|%s")
_NESTING_RE = re.compile(r'"[^"]*"|\'[^\']*\'|[()]')
_ON_RE = re.compile(r"\s*ON\s*\(", re.IGNORECASE)
_INNER_JOIN_RE = re.compile(r'\bINNER\s+JOIN\s+(?:"\w+"|\w+)(?:\s+(?:AS\s+)?"?[A-Z]\d+"?)?',
                            re.IGNORECASE)
_CLAUSE_END_RE = re.compile(r"(?<=\s)(?:(?:ORDER|GROUP)\s+BY|LIMIT|OFFSET|HAVING|FOR\s+UPDATE|"
                            r"UNION|EXCEPT|INTERSECT)\b", re.IGNORECASE)


def inserted(sql: str, params: Any, many: bool) -> set[str] | None:
    """The atoms a plain ``INSERT`` of Django's changes, or None for any other statement (and
    for an insert that names its primary key or may update rows: those count as before)."""
    match = _INSERT_RE.match(sql)
    if match is None or re.search(r"\bON\s+CONFLICT\b", sql, re.IGNORECASE):
        return None
    table, column_list = match.groups()
    columns = [c.strip().strip('"') for c in column_list.split(",")]
    if "id" in columns:
        return None
    if SCOPE_COLUMN not in columns:
        return {f"{table}+", f"{table}+@{UNKNOWN}"}
    organisations = _inserted_values(sql[match.end():], params, many, columns,
                                     columns.index(SCOPE_COLUMN))
    if organisations is None:
        return {f"{table}+", f"{table}+@{UNKNOWN}"}
    return {f"{table}+", *(f"{table}+@{bucket(value)}" for value in organisations)}


def _inserted_values(rest: str, params: Any, many: bool, columns: list[str],
                     index: int) -> set[Any] | None:
    """The values of one column in the rows an insert adds, as Django passes them: one row
    per parameter set (``executemany``), one array per column (PostgreSQL's ``UNNEST``) or
    the rows' values one after the other (``VALUES (…), (…)``). None if unclear."""
    width = len(columns)
    if many:
        # Only a list or tuple is looked into: an iterator read here would reach the
        # database empty.
        if not isinstance(params, list | tuple) or not all(
                isinstance(row, Sequence) and len(row) == width for row in params):
            return None
        return {row[index] for row in params}
    if not isinstance(params, Sequence):
        return None
    placeholders = _placeholders(rest)
    if re.match(r"SELECT\s+\*\s+FROM\s+UNNEST\s*\(", rest, re.IGNORECASE):
        if placeholders != width or len(params) != width or not isinstance(
                params[index], Sequence):
            return None
        return set(params[index])
    if (not re.match(r"VALUES\s*\(", rest, re.IGNORECASE) or placeholders != len(params)
            or not params or len(params) % width):
        return None
    return {params[start + index] for start in range(0, len(params), width)}


def _placeholders(sql: str) -> int:
    return sum(1 for found in _PLACEHOLDER_RE.findall(sql) if found == "%s")


def bucket(organisation: Any) -> str:
    try:
        return str(int(organisation) % BUCKETS)
    except (TypeError, ValueError):
        return UNKNOWN


# What a statement's new rows depend on, worked out once per distinct SQL text (a page's
# statements repeat from request to request with other parameters): per table, None (every
# new row), PINNED, or the places of the parameters that name its organisation.
PINNED: tuple[int, ...] = ()
_Plan = tuple[tuple[str, "tuple[int, ...] | None"], ...]


def new_rows_read(sql: str, params: Any) -> set[str]:
    """The insert atoms a ``SELECT`` depends on (see the module's docstring)."""
    atoms: set[str] = set()
    for table, places in _plan(sql):
        if places is None:
            atoms.add(f"{table}+")
        elif places:
            buckets = {_bucket_at(params, place) for place in places}
            if UNKNOWN in buckets:
                atoms.add(f"{table}+")
            else:
                atoms.update({f"{table}+@{UNKNOWN}", *(f"{table}+@{b}" for b in buckets)})
    return atoms


def _bucket_at(params: Any, place: int) -> str:
    if isinstance(params, Sequence) and not isinstance(params, str) and place < len(params):
        return bucket(params[place])
    return UNKNOWN


@functools.lru_cache(maxsize=1024)
def _plan(sql: str) -> _Plan:
    nesting = _Nesting(sql)
    outer_froms = [m for m in _OCCURRENCE_RE.finditer(sql)
                   if m.group(1).upper() == "FROM" and nesting.depth(m.start()) == 0]
    conjuncts = _where_conjuncts(sql, nesting) if len(outer_froms) == 1 else None
    inner_joins = [on for on in (_on_clause(sql, m.end(), nesting)
                                 for m in _INNER_JOIN_RE.finditer(sql)) if on is not None]
    reach: dict[str, tuple[int, ...] | None] = {}
    for occurrence in _OCCURRENCE_RE.finditer(sql):
        keyword, quote, table, alias = occurrence.groups()
        name = alias or f'"{table}"'
        places: tuple[int, ...] | None
        if not quote:
            places = None  # hand-written
        elif keyword.upper() == "JOIN":
            on = _on_clause(sql, occurrence.end(), nesting)
            places = PINNED if on is not None and _joins_on_key(on, name) else None
        elif any(_joins_on_key(on, name) for on in inner_joins):
            places = PINNED
        elif nesting.depth(occurrence.start()) == 0 and conjuncts is not None:
            places = _scope_from_where(conjuncts, name, sql)
        else:
            places = None
        if table in reach:
            known = reach[table]
            reach[table] = None if known is None or places is None else known + places
        else:
            reach[table] = places
    return tuple(reach.items())


class _Nesting:
    """Depths in parentheses of a statement, outside quoted names and strings; found with one
    regular expression rather than a loop over every character."""

    def __init__(self, sql: str) -> None:
        self.positions: list[int] = []  # each parenthesis, in order
        self.after: list[int] = []  # the depth just after it
        self.closing: dict[int, int] = {}  # an opening parenthesis -> its closing one
        depth, opened = 0, []
        for match in _NESTING_RE.finditer(sql):
            if match.group() == "(":
                depth += 1
                opened.append(match.start())
            elif match.group() == ")":
                depth -= 1
                if opened:
                    self.closing[opened.pop()] = match.start()
            else:
                continue
            self.positions.append(match.start())
            self.after.append(depth)

    def depth(self, position: int) -> int:
        """The depth at a character (a parenthesis counts as inside what it opens)."""
        index = bisect.bisect_right(self.positions, position) - 1
        return self.after[index] if index >= 0 else 0


def _split_top(text: str, word: str) -> list[str] | None:
    """``text`` split at ``word`` (AND) outside parentheses; None if it also has a top-level
    OR (its parts are then no conditions every row meets)."""
    nesting = _Nesting(text)
    parts, start = [], 0
    for match in re.finditer(r"\s(AND|OR)\s", text, re.IGNORECASE):
        if nesting.depth(match.start()) != 0:
            continue
        if match.group(1).upper() != word:
            return None
        parts.append(text[start:match.start()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return parts


def _unwrap(text: str) -> str:
    """Without parentheses around the whole of it."""
    text = text.strip()
    while text.startswith("(") and _Nesting(text).closing.get(0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _where_conjuncts(sql: str, nesting: _Nesting) -> list[tuple[str, int]] | None:
    """The top-level conditions of the outer query's WHERE with where each starts, or None."""
    where = next((m for m in re.finditer(r"\sWHERE\s", sql, re.IGNORECASE)
                  if nesting.depth(m.start()) == 0), None)
    if where is None:
        return None
    end = next((m.start() for m in _CLAUSE_END_RE.finditer(sql, where.end())
                if nesting.depth(m.start()) == 0), len(sql))
    clause = sql[where.end():end]
    inner = _unwrap(clause)
    parts = _split_top(inner, "AND")
    if parts is None:
        return None
    offset = where.end() + clause.index(inner)
    found, cursor = [], 0
    for part in parts:
        at = inner.index(part, cursor)
        found.append((_unwrap(part), offset + at))
        cursor = at + len(part)
    return found


def _on_clause(sql: str, start: int, nesting: _Nesting) -> str | None:
    """The conditions of the ``ON (…)`` that follows a joined table."""
    match = _ON_RE.match(sql, start)
    if match is None:
        return None
    end = nesting.closing.get(match.end() - 1)
    return None if end is None else sql[match.end():end]


def _joins_on_key(on: str, name: str) -> bool:
    """Whether one of the top-level conditions of an ON clause is ``name.id = other.column``
    (either way round), other not ``name`` and its column not an ``id`` too."""
    parts = _split_top(_unwrap(on), "AND")
    return parts is not None and any(_is_key_join(_unwrap(p), name) for p in parts)


def _is_key_join(condition: str, name: str) -> bool:
    match = _EQUALS_RE.match(condition.strip())
    if match is None:
        return False
    for own, other in (match.groups(), reversed(match.groups())):
        if own == f'{name}."id"' and not other.startswith(f"{name}.") and not other.endswith(
                '."id"'):
            return True
    return False


def _scope_from_where(conjuncts: Iterable[tuple[str, int]], name: str,
                      sql: str) -> tuple[int, ...] | None:
    """PINNED if a condition pins the table by its key, the place of the parameter that names
    its organisation if one scopes it to an organisation, else None."""
    places: tuple[int, ...] | None = None
    for condition, start in conjuncts:
        if re.fullmatch(rf'{re.escape(name)}\."id"\s*(?:=\s*%s|IN\s*\(.*\))', condition,
                        re.IGNORECASE | re.DOTALL):
            return PINNED
        if re.fullmatch(rf'{re.escape(name)}\."{SCOPE_COLUMN}"\s*=\s*%s', condition):
            places = (_placeholders(sql[:start]),)
    return places
