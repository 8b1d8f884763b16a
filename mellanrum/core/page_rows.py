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
        rows = list(params)
        if not all(isinstance(row, Sequence) and len(row) == width for row in rows):
            return None
        return {row[index] for row in rows}
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


def new_rows_read(sql: str, params: Any) -> set[str]:
    """The insert atoms a ``SELECT`` depends on (see the module's docstring)."""
    depth = _depths(sql)
    outer_froms = [m for m in _OCCURRENCE_RE.finditer(sql)
                   if m.group(1).upper() == "FROM" and depth[m.start()] == 0]
    conjuncts = _where_conjuncts(sql, depth) if len(outer_froms) == 1 else None
    reach: dict[str, set[str] | None] = {}  # table -> buckets it is scoped to; None: all
    for occurrence in _OCCURRENCE_RE.finditer(sql):
        keyword, quote, table, alias = occurrence.groups()
        name = alias or f'"{table}"'
        if not quote:
            scope: set[str] | None = None  # hand-written
        elif keyword.upper() == "JOIN":
            scope = set() if _pinned_by_join(sql, occurrence.end(), name) else None
        elif _pinned_by_inner_join(sql, name):
            scope = set()
        elif depth[occurrence.start()] == 0 and conjuncts is not None:
            scope = _scope_from_where(conjuncts, name, sql, params)
        else:
            scope = None
        if table in reach:
            known = reach[table]
            reach[table] = None if known is None or scope is None else known | scope
        else:
            reach[table] = scope
    atoms: set[str] = set()
    for table, scope in reach.items():
        if scope is None:
            atoms.add(f"{table}+")
        elif scope:
            atoms.update({f"{table}+@{UNKNOWN}", *(f"{table}+@{b}" for b in scope)})
    return atoms


def _depths(sql: str) -> list[int]:
    """Each character's depth in parentheses outside quoted names and strings."""
    depths, depth, quote = [], 0, ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        depths.append(depth)
    return depths


def _split_top(text: str, word: str) -> list[str] | None:
    """``text`` split at ``word`` (AND) outside parentheses; None if it also has a top-level
    OR (its parts are then no conditions every row meets)."""
    depth = _depths(text)
    parts, start = [], 0
    for match in re.finditer(r"\s(AND|OR)\s", text, re.IGNORECASE):
        if depth[match.start()] != 0:
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
    while text.startswith("(") and text.endswith(")"):
        depth = _depths(text)
        if any(d == 0 for d in depth[:-1]):
            break  # "(a) AND (b)": the first parenthesis closes before the end
        text = text[1:-1].strip()
    return text


def _where_conjuncts(sql: str, depth: list[int]) -> list[tuple[str, int]] | None:
    """The top-level conditions of the outer query's WHERE with where each starts, or None."""
    where = next((m for m in re.finditer(r"\sWHERE\s", sql, re.IGNORECASE)
                  if depth[m.start()] == 0), None)
    if where is None:
        return None
    end = next((m.start() for m in _CLAUSE_END_RE.finditer(sql, where.end())
                if depth[m.start()] == 0), len(sql))
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


def _on_clause(sql: str, start: int) -> str | None:
    match = re.compile(r"\s*ON\s*\(", re.IGNORECASE).match(sql, start)
    if match is None:
        return None
    depth = _depths(sql[match.end() - 1:])
    end = next((i for i, d in enumerate(depth) if d == 0), None)
    return None if end is None else sql[match.end():match.end() - 1 + end]


def _joins_on_key(condition: str, name: str) -> bool:
    """Whether ``condition`` is ``name.id = other.column`` (either way round), other not
    ``name`` and its column not an ``id`` too."""
    match = _EQUALS_RE.match(condition.strip())
    if match is None:
        return False
    for own, other in (match.groups(), reversed(match.groups())):
        if own == f'{name}."id"' and not other.startswith(f"{name}.") and not other.endswith(
                '."id"'):
            return True
    return False


def _pinned_by_join(sql: str, after: int, name: str) -> bool:
    on = _on_clause(sql, after)
    parts = _split_top(_unwrap(on), "AND") if on is not None else None
    return parts is not None and any(_joins_on_key(_unwrap(p), name) for p in parts)


def _pinned_by_inner_join(sql: str, name: str) -> bool:
    """A table a query starts from, joined with INNER JOIN on its own key."""
    for match in re.finditer(r"\bINNER\s+JOIN\s+(?:\"\w+\"|\w+)(?:\s+(?:AS\s+)?\"?[A-Z]\d+\"?)?",
                             sql, re.IGNORECASE):
        if _pinned_by_join(sql, match.end(), name):
            return True
    return False


def _scope_from_where(conjuncts: Iterable[tuple[str, int]], name: str, sql: str,
                      params: Any) -> set[str] | None:
    """``set()`` if a condition pins the table by its key, its organisation's bucket if one
    scopes it to an organisation, else None."""
    scope: set[str] | None = None
    for condition, start in conjuncts:
        if re.fullmatch(rf'{re.escape(name)}\."id"\s*(?:=\s*%s|IN\s*\(.*\))', condition,
                        re.IGNORECASE | re.DOTALL):
            return set()
        if re.fullmatch(rf'{re.escape(name)}\."{SCOPE_COLUMN}"\s*=\s*%s', condition):
            index = _placeholders(sql[:start])
            if isinstance(params, Sequence) and index < len(params):
                value = bucket(params[index])
                if value != UNKNOWN:
                    scope = {value}
    return scope
