"""Every write to the landscape goes through a ``do_*`` function here.

Views, the API, the CLI and background jobs call these; each validates, writes in one
transaction and records who did it in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from mellanrum.core.models import User

from . import reference
from .models import (
    Activity,
    AuditEntry,
    Category,
    ColumnMapping,
    Contact,
    ImportJob,
    ITSystem,
    NamedGroup,
    Organisation,
)
from .spreadsheet import ActivityRow, RowError, normalise_name
from .spreadsheet.columns import header_for
from .spreadsheet.messages import render

SystemPair = tuple[str, str]
ProgressCallback = Callable[[int, int], None]

# Fields a user edits on an activity (systems and owner are handled separately).
ACTIVITY_FIELDS = (
    "name",
    "description",
    "kind",
    "category",
    "annual_cost_sek",
    "volume_per_year",
    "volume_unit",
    "fte",
    "lead_time_days",
    "legal_basis",
    "url",
    "owner",
)


class EditConflict(Exception):
    """Raised when an activity changed since the user opened it."""


def record_audit(
    user: User | None,
    organisation: Organisation | None,
    action: str,
    object_repr: str = "",
    **detail: Any,
) -> None:
    AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        organisation=organisation,
        action=action,
        object_repr=object_repr[:300],
        detail={k: str(v) for k, v in detail.items()},
    )


def systems_for(pairs: Iterable[SystemPair]) -> list[ITSystem]:
    result = []
    for product, vendor in pairs:
        system, _created = ITSystem.objects.get_or_create(product=product, vendor=vendor)
        result.append(system)
    return result


@transaction.atomic
def do_create_activity(
    organisation: Organisation,
    *,
    acting_user: User | None,
    key: str,
    systems: Sequence[SystemPair] = (),
    **fields: Any,
) -> Activity:
    activity = Activity(organisation=organisation, key=key, updated_by=acting_user, **fields)
    activity.full_clean()
    activity.save()
    activity.systems.set(systems_for(systems))
    record_audit(acting_user, organisation, "activity.create", activity.name, key=key)
    return activity


@transaction.atomic
def do_update_activity(
    activity: Activity,
    *,
    acting_user: User | None,
    expected_version: int | None = None,
    systems: Sequence[SystemPair] | None = None,
    **fields: Any,
) -> Activity:
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    # Lock the row and compare versions so a concurrent edit is refused, not overwritten.
    current_version = (
        Activity.objects.select_for_update().filter(pk=activity.pk).values_list(
            "version", flat=True
        ).get()
    )
    if expected_version is not None and current_version != expected_version:
        raise EditConflict
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.updated_by = acting_user
    activity.full_clean(exclude=["organisation", "key"])
    activity.version = current_version + 1
    activity.save(update_fields=[*fields, "updated_by", "version", "updated_at"])
    if systems is not None:
        activity.systems.set(systems_for(systems))
    record_audit(acting_user, activity.organisation, "activity.update", activity.name,
                 fields=",".join(sorted(fields)))
    return activity


@transaction.atomic
def do_delete_activity(activity: Activity, *, acting_user: User | None) -> None:
    record_audit(acting_user, activity.organisation, "activity.delete", activity.name,
                 key=activity.key)
    activity.delete()


@transaction.atomic
def do_save_contact(
    organisation: Organisation,
    *,
    acting_user: User | None,
    contact: Contact | None = None,
    **fields: Any,
) -> Contact:
    if contact is None:
        contact = Contact(organisation=organisation, **fields)
        contact.full_clean()
        contact.save()
        record_audit(acting_user, organisation, "contact.create", contact.name)
    else:
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.full_clean()
        contact.save(update_fields=list(fields))
        record_audit(acting_user, organisation, "contact.update", contact.name)
    return contact


@transaction.atomic
def do_delete_contact(contact: Contact, *, acting_user: User | None) -> None:
    record_audit(acting_user, contact.organisation, "contact.delete", contact.name)
    contact.delete()


# --- Import --------------------------------------------------------------------------------

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
        activity, matched_by = by_key.get(row.key), "key"
        if row.key_derived:
            same = by_name.get(normalise_name(row.name), [])
            if len(same) > 1:
                plan.errors.append(_plan_error(row, "ambiguous_name", language, count=len(same)))
                continue
            if same:
                activity, matched_by = same[0], "name"
        values = _row_values(row, lookups)
        systems = row.systems if row.has_column("systems") else None
        planned = PlannedRow(row.row_number, row.key, row.name, values, systems)
        if activity is None:
            plan.new.append(planned)
            continue
        if activity.pk in matched:
            plan.errors.append(_plan_error(row, "duplicate_name", language,
                                           row=matched[activity.pk]))
            continue
        matched[activity.pk] = row.row_number
        plan.versions[activity.pk] = activity.version
        if matched_by == "name":
            plan.matched_by_name.append(row.name)
        differences = [k for k, v in values.items() if not _same(getattr(activity, k), v)]
        current_systems = {(s.product, s.vendor) for s in activity.systems.all()}
        if systems is not None and current_systems != set(systems):
            differences.append("systems")
        if differences:
            planned.activity_id, planned.matched_by = activity.pk, matched_by
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


def _plan_error(row: ActivityRow, code: str, language: str, **params: object) -> RowError:
    header = header_for("name", language)
    return RowError(row.row_number, header, row.name, render(code, language, params), code)


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


@transaction.atomic
def do_import_activities(
    organisation: Organisation,
    rows: Sequence[ActivityRow],
    *,
    acting_user: User | None,
    illustrative: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Plan and apply at once (scripts and the demo); all or nothing. A row the plan cannot
    match unambiguously raises ValueError."""
    plan = plan_import(organisation, rows)
    if plan.errors:
        raise ValueError("; ".join(error.located("en") for error in plan.errors[:5]))
    return do_apply_import(organisation, plan, acting_user=acting_user,
                           illustrative=illustrative, progress=progress)


@transaction.atomic
def do_apply_import(
    organisation: Organisation,
    plan: ImportPlan,
    *,
    acting_user: User | None,
    illustrative: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Write a plan exactly as it was previewed, in one transaction, or raise
    :class:`StaleImport` and write nothing when the data changed since it was made."""
    # Lock the organisation's activities (on PostgreSQL) while checking and writing.
    list(organisation.activities.select_for_update().values_list("pk", flat=True))
    check_plan_is_current(organisation, plan)
    total = len(plan.new) + len(plan.changed)
    done = 0

    new_objects = [
        Activity(organisation=organisation, key=row.key, is_illustrative=illustrative,
                 updated_by=acting_user, **row.values)
        for row in plan.new
    ]
    for start in range(0, len(new_objects), 1000):
        Activity.objects.bulk_create(new_objects[start : start + 1000])
        done += len(new_objects[start : start + 1000])
        if progress:
            progress(done, total)

    by_pk = Activity.objects.in_bulk([row.activity_id for row in plan.changed])
    changed_objects = []
    for row in plan.changed:
        activity = by_pk[row.activity_id]
        for name, value in row.values.items():
            setattr(activity, name, value)
        activity.updated_by = acting_user
        changed_objects.append(activity)
    update_fields = [*ACTIVITY_FIELDS, "updated_by"]
    for start in range(0, len(changed_objects), 1000):
        Activity.objects.bulk_update(changed_objects[start : start + 1000], update_fields)
        done += len(changed_objects[start : start + 1000])
        if progress:
            progress(done, total)
    if changed_objects:
        Activity.objects.filter(pk__in=[a.pk for a in changed_objects]).update(
            version=F("version") + 1
        )

    new_ids = dict(
        organisation.activities.filter(key__in=[row.key for row in plan.new])
        .values_list("key", "pk")
    )
    _replace_systems({
        **{new_ids[row.key]: row.systems for row in plan.new if row.systems is not None},
        **{row.activity_id: row.systems for row in plan.changed
           if row.systems is not None and row.activity_id is not None},
    })
    record_audit(acting_user, organisation, "activity.import", organisation.name,
                 **plan.as_summary())
    return plan


def _replace_systems(systems_by_activity: dict[int, tuple[SystemPair, ...]]) -> None:
    if not systems_by_activity:
        return
    wanted = {pair for pairs in systems_by_activity.values() for pair in pairs}
    known = {(s.product, s.vendor): s.pk for s in ITSystem.objects.all()}
    ITSystem.objects.bulk_create(
        [ITSystem(product=p, vendor=v) for p, v in sorted(wanted - set(known))]
    )
    known = {(s.product, s.vendor): s.pk for s in ITSystem.objects.all()}
    through = Activity.systems.through
    ids = list(systems_by_activity)
    for start in range(0, len(ids), 500):
        through.objects.filter(activity_id__in=ids[start : start + 500]).delete()
    through.objects.bulk_create(
        [
            through(activity_id=activity_id, itsystem_id=known[pair])
            for activity_id, pairs in systems_by_activity.items()
            for pair in dict.fromkeys(pairs)
        ],
        batch_size=1000,
    )


# --- Import jobs ---------------------------------------------------------------------------


def do_create_import_job(
    organisation: Organisation,
    *,
    acting_user: User | None,
    filename: str,
    data: bytes,
    column_map: dict[str, str] | None = None,
) -> ImportJob:
    return ImportJob.objects.create(
        organisation=organisation,
        created_by=acting_user,
        filename=filename[:255],
        data=data,
        column_map=column_map or {},
        status=ImportJob.Status.VALIDATING,
    )


def do_finish_import_job(job: ImportJob, status: str, **fields: Any) -> None:
    """Record the outcome of a job's step: its new status and what it found."""
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields])


def do_move_import_job(
    job_id: int, *, from_statuses: Iterable[str], to: str, **fields: Any
) -> bool:
    """Change a job's status only if it is still in one of *from_statuses*, so two requests
    (or a request and a dying worker) never both act on it. True when it moved."""
    moved = ImportJob.objects.filter(pk=job_id, status__in=list(from_statuses)).update(
        status=to, **fields
    )
    return bool(moved)


def do_record_import_progress(job_id: int, done: int, total: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)


@transaction.atomic
def do_map_import_columns(
    job: ImportJob, columns: dict[str, str], *, acting_user: User | None
) -> None:
    """Confirm the mapping step: remember the organisation's choices for its next import and
    check the job's file again with them. *columns* maps folded headers to fields ("" to
    ignore); the caller has checked it (see ``forms.ColumnMappingForm``)."""
    remembered, _created = ColumnMapping.objects.get_or_create(organisation=job.organisation)
    remembered.columns = {**remembered.columns, **columns}
    remembered.updated_by = acting_user
    remembered.save(update_fields=["columns", "updated_by", "updated_at"])
    do_finish_import_job(job, ImportJob.Status.VALIDATING, column_map=columns, progress_done=0)
    record_audit(acting_user, job.organisation, "import.map_columns", job.filename,
                 columns=", ".join(f"{h}={f or '-'}" for h, f in sorted(columns.items())))


def remembered_columns(organisation: Organisation) -> dict[str, str | None]:
    mapping = ColumnMapping.objects.filter(organisation=organisation).first()
    if mapping is None:
        return {}
    return {header: (name or None) for header, name in mapping.columns.items()}


# --- Reference data ------------------------------------------------------------------------


def _upsert_organisation(record: reference.ReferenceOrganisation) -> Organisation:
    values = {
        "name": record.name,
        "short_name": record.short_name,
        "kind": record.kind,
        "county_code": record.county_code,
        "county_name": record.county_name,
        "population": record.population,
        "population_date": record.population_date,
        "skr_group_code": record.skr_group_code,
        "skr_group_name": record.skr_group_name,
        "municipal_tax_rate": record.municipal_tax_rate,
        "regional_tax_rate": record.regional_tax_rate,
        "tax_year": record.tax_year,
        "website": record.website,
        "source": record.source,
        "is_reference": True,
    }
    organisation, _created = Organisation.objects.update_or_create(
        code=record.code, defaults=values
    )
    return organisation


@transaction.atomic
def do_load_reference_data() -> dict[str, int]:
    """Create or refresh the shipped reference data. Safe to run again at any time."""
    counts: dict[str, int] = {}
    municipalities = reference.read_municipalities()
    regions = reference.read_regions()
    for record in [*municipalities, *regions]:
        _upsert_organisation(record)
    counts["municipalities"] = len(municipalities)
    counts["regions"] = len(regions)

    for code, name, website in reference.STATE_AGENCIES:
        _upsert_organisation(
            reference.ReferenceOrganisation(
                code=code, name=name, short_name=name, kind="state_agency", website=website,
                source="Statlig myndighet",
            )
        )
    counts["state_agencies"] = len(reference.STATE_AGENCIES)

    by_code = {o.code: o for o in Organisation.objects.all()}
    associations, groups = reference.read_named_groups()
    for record in associations:
        association = _upsert_organisation(record)
        association.members.set([by_code[c] for c in record.member_codes if c in by_code])
    counts["associations"] = len(associations)
    for group_record in groups:
        group, _created = NamedGroup.objects.update_or_create(
            code=group_record.code,
            defaults={"title": group_record.title, "source": "Kolada. Källa: Kolada"},
        )
        group.members.set([by_code[c] for c in group_record.member_codes if c in by_code])
    counts["groups"] = len(groups)

    categories = reference.read_categories()
    by_category: dict[str, Category] = {}
    for record in categories:
        category, _created = Category.objects.update_or_create(
            code=record.code,
            defaults={
                "label": record.label,
                "level": record.level,
                "parent": by_category.get(record.parent_code),
            },
        )
        by_category[record.code] = category
    counts["categories"] = len(categories)
    record_audit(None, None, "reference.load", "", **counts)
    return counts
