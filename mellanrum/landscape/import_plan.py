"""What an import will do, worked out once from the validated rows: which activity each row
updates or creates (by key, or by its folded name when it has no key), and the values it writes.

The plan is stored with the import job, shown as the preview and written unchanged by
``actions.do_apply_import``; :func:`check_plan_is_current` says whether the data it was made
from is still as it was. Reads only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .models import Activity, Category, Organisation
from .spreadsheet import ActivityRow, RowError, normalise_name
from .spreadsheet.columns import header_for
from .spreadsheet.messages import render

SystemPair = tuple[str, str]

DECIMAL_FIELDS = ("annual_cost_sek", "volume_per_year", "fte", "lead_time_days")


class StaleImport(Exception):
    """The data changed between the preview and the confirmation; nothing was saved."""


@dataclass(frozen=True)
class ImportLookups:
    """Categories and the organisation's contacts, loaded once per import for the validation
    and the plan alike."""

    categories: dict[str, tuple[int, str]]  # code -> (pk, label)
    contacts: dict[str, int]  # folded name or e-mail -> pk

    @property
    def category_labels(self) -> dict[str, str]:
        return {code: label for code, (_pk, label) in self.categories.items()}

    @property
    def contact_names(self) -> list[str]:
        return list(self.contacts)


def import_lookups(organisation: Organisation) -> ImportLookups:
    categories = {code: (pk, label) for pk, code, label in
                  Category.objects.values_list("pk", "code", "label")}
    contacts: dict[str, int] = {}
    for pk, name, email in organisation.contacts.values_list("pk", "name", "email"):
        contacts[name.casefold()] = pk
        if email:
            contacts[email.casefold()] = pk
    return ImportLookups(categories, contacts)


@dataclass
class PlannedRow:
    """One row of the file as it will be written: model values, and the activity it updates."""

    row: int
    key: str
    name: str
    values: dict[str, Any]
    systems: tuple[SystemPair, ...] | None  # None: the file has no IT systems column
    activity_id: int | None = None
    fields: list[str] = field(default_factory=list)  # the fields that change
    matched_by: str = ""  # "key" or "name" for an existing activity

    def to_json(self) -> dict[str, Any]:
        values = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.values.items()}
        systems = None if self.systems is None else [list(pair) for pair in self.systems]
        return {"row": self.row, "key": self.key, "name": self.name, "values": values,
                "systems": systems, "activity_id": self.activity_id, "fields": self.fields,
                "matched_by": self.matched_by}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedRow:
        values = {
            k: (Decimal(v) if k in DECIMAL_FIELDS and v is not None else v)
            for k, v in data["values"].items()
        }
        systems = data["systems"]
        return cls(data["row"], data["key"], data["name"], values,
                   None if systems is None else tuple((p, v) for p, v in systems),
                   data["activity_id"], list(data["fields"]), data["matched_by"])


@dataclass
class ImportPlan:
    """What an import will do: planned once, shown as the preview, then applied unchanged.

    ``versions`` holds the version of every existing activity the file matched, and
    ``new_names``/``new_keys`` what the new rows would be matched by: if any of it changed
    before the plan is applied, the plan is stale and nothing is written.
    """

    new: list[PlannedRow] = field(default_factory=list)
    changed: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    untouched: int = 0  # activities in Mellanrum that the file does not mention
    matched_by_name: list[str] = field(default_factory=list)  # names of rows matched by name
    versions: dict[int, int] = field(default_factory=dict)
    contact_ids: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def as_summary(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "untouched": self.untouched,
            "matched_by_name": len(self.matched_by_name),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "new": [row.to_json() for row in self.new],
            "changed": [row.to_json() for row in self.changed],
            "unchanged": self.unchanged,
            "untouched": self.untouched,
            "matched_by_name": self.matched_by_name,
            "versions": [[pk, version] for pk, version in self.versions.items()],
            "contact_ids": self.contact_ids,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportPlan:
        return cls(
            new=[PlannedRow.from_json(row) for row in data["new"]],
            changed=[PlannedRow.from_json(row) for row in data["changed"]],
            unchanged=data["unchanged"],
            untouched=data["untouched"],
            matched_by_name=list(data["matched_by_name"]),
            versions={pk: version for pk, version in data["versions"]},
            contact_ids=list(data["contact_ids"]),
        )


def _row_values(row: ActivityRow, lookups: ImportLookups) -> dict[str, Any]:
    """The model values a row sets: only those the file has a column for (and the name)."""
    category = lookups.categories.get(row.category) if row.category else None
    values = {
        "name": row.name,
        "description": row.description,
        "kind": row.kind,
        "category_id": category[0] if category else None,
        "annual_cost_sek": row.annual_cost_sek,
        "volume_per_year": row.volume_per_year,
        "volume_unit": row.volume_unit,
        "fte": row.fte,
        "lead_time_days": row.lead_time_days,
        "legal_basis": row.legal_basis,
        "url": row.url,
        "owner_id": lookups.contacts.get(row.owner.casefold()) if row.owner else None,
    }
    return {
        field: value for field, value in values.items()
        if field == "name" or row.has_column(field.removesuffix("_id"))
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return bool(a == b)


def plan_import(
    organisation: Organisation,
    rows: Sequence[ActivityRow],
    lookups: ImportLookups | None = None,
    *,
    language: str = "sv",
) -> ImportPlan:
    """Match each row to an existing activity and say what changes.

    A row with a key is matched by key. A row without one is matched by its name, folded for
    case, spaces, dashes and Unicode forms, so a file without the key column (an export with
    the column deleted) updates instead of duplicating; a name two activities share is
    reported in ``errors``, not guessed.
    """
    lookups = lookups or import_lookups(organisation)
    activities = list(organisation.activities.prefetch_related("systems"))
    by_key = {a.key: a for a in activities}
    by_name: dict[str, list[Activity]] = {}
    for activity in activities:
        by_name.setdefault(normalise_name(activity.name), []).append(activity)
    plan = ImportPlan()
    matched: dict[int, int] = {}  # activity pk -> row number
    for row in rows:
        existing: Activity | None = by_key.get(row.key)
        matched_by = "key"
        if row.key_derived:
            same = by_name.get(normalise_name(row.name), [])
            if len(same) > 1:
                plan.errors.append(_plan_error(row, "ambiguous_name", language, count=len(same)))
                continue
            if same:
                existing, matched_by = same[0], "name"
        values = _row_values(row, lookups)
        systems = row.systems if row.has_column("systems") else None
        planned = PlannedRow(row.row_number, row.key, row.name, values, systems)
        if existing is None:
            plan.new.append(planned)
            continue
        if existing.pk in matched:
            plan.errors.append(_plan_error(row, "duplicate_name", language,
                                           row=matched[existing.pk]))
            continue
        matched[existing.pk] = row.row_number
        plan.versions[existing.pk] = existing.version
        if matched_by == "name":
            plan.matched_by_name.append(row.name)
        differences = [k for k, v in values.items() if not _same(getattr(existing, k), v)]
        current_systems = {(s.product, s.vendor) for s in existing.systems.all()}
        if systems is not None and current_systems != set(systems):
            differences.append("systems")
        if differences:
            planned.activity_id, planned.matched_by = existing.pk, matched_by
            planned.fields = differences
            plan.changed.append(planned)
        else:
            plan.unchanged += 1
    plan.untouched = len(activities) - len(matched)
    plan.contact_ids = sorted({
        row.values["owner_id"] for row in [*plan.new, *plan.changed]
        if row.values.get("owner_id") is not None
    })
    return plan


def _plan_error(at: ActivityRow, code: str, language: str, **params: object) -> RowError:
    # ``at`` is the row the error is reported on; ``params`` may name another row (``row=``).
    header = header_for("name", language)
    return RowError(at.row_number, header, at.name, render(code, language, params), code)


def check_plan_is_current(organisation: Organisation, plan: ImportPlan) -> None:
    """Raise :class:`StaleImport` unless the activities the plan matched (or would create)
    are as they were when it was made."""
    current = list(organisation.activities.values_list("pk", "version", "key", "name"))
    versions = {pk: version for pk, version, _key, _name in current}
    if any(versions.get(pk) != version for pk, version in plan.versions.items()):
        raise StaleImport
    new_keys = {row.key for row in plan.new}
    new_names = {normalise_name(row.name) for row in plan.new}
    for pk, _version, key, name in current:
        if pk not in plan.versions and (key in new_keys or normalise_name(name) in new_names):
            raise StaleImport
    if plan.contact_ids:
        contacts = set(organisation.contacts.filter(pk__in=plan.contact_ids)
                       .values_list("pk", flat=True))
        if contacts != set(plan.contact_ids):
            raise StaleImport
