"""Every write to the landscape goes through a ``do_*`` function here.

Views, the API, the CLI and background jobs call these; each validates, writes in one
transaction and records who did it in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.core import predraw
from mellanrum.core.actions import record_audit
from mellanrum.core.models import User

from . import reference
from .arrangements import ArrangementPlan

# The plan is worked out in import_plan.py (reads only); its names are used from here too.
from .import_plan import ImportLookups as ImportLookups
from .import_plan import ImportPlan as ImportPlan
from .import_plan import PlannedRow as PlannedRow
from .import_plan import StaleImport as StaleImport
from .import_plan import check_plan_is_current as check_plan_is_current
from .import_plan import import_lookups as import_lookups
from .import_plan import plan_import as plan_import
from .models import (
    Activity,
    Arrangement,
    Category,
    ColumnMapping,
    Contact,
    ImportJob,
    ITSystem,
    NamedGroup,
    Nature,
    Organisation,
)
from .spreadsheet import ActivityRow

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
    stored = Activity.objects.select_for_update().filter(pk=activity.pk).values(
        "version", *fields).get()
    current_version = stored["version"]
    if expected_version is not None and current_version != expected_version:
        raise EditConflict
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.updated_by = acting_user
    activity.full_clean(exclude=["organisation", "key"])
    activity.version = current_version + 1
    # Only the fields that changed are written: a page that does not show them (kept in the
    # shared page cache by the columns it read, core/page_cache.py) stays valid.
    attnames = {f.name: f.attname for f in Activity._meta.concrete_fields}
    changed = [name for name in fields if getattr(activity, attnames[name]) != stored[name]]
    activity.save(update_fields=[*changed, "updated_by", "version", "updated_at"])
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
    # Lock the organisation's activities (on PostgreSQL) while checking and writing: only
    # them (the default ordering joins the organisation, whose row FOR UPDATE would deadlock
    # with a concurrent edit's foreign-key check at its commit), in the order of their keys.
    list(organisation.activities.select_for_update(of=("self",)).order_by("pk")
         .values_list("pk", flat=True))
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
        # Their concepts' pages show new figures: draw those charts ahead (after the commit).
        predraw.after_import(a.pk for a in changed_objects)

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
    existing = Organisation.objects.filter(code=record.code).only("website").first()
    if existing is not None and existing.website:
        del values["website"]  # an address set or confirmed by the organisation stays
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
    for category_record in categories:
        category, _created = Category.objects.update_or_create(
            code=category_record.code,
            defaults={
                "label": category_record.label,
                "level": category_record.level,
                "parent": by_category.get(category_record.parent_code),
            },
        )
        by_category[category_record.code] = category
    counts["categories"] = len(categories)
    record_audit(None, None, "reference.load", "", **counts)
    return counts


# --- Web sites --------------------------------------------------------------------------------


@transaction.atomic
def do_set_website(organisation: Organisation, url: str, *, acting_user: User) -> Organisation:
    """An administrator enters the organisation's web site; entering it confirms it."""
    validator = URLValidator(schemes=["https", "http"])
    url = url.strip()
    try:
        validator(url)
    except ValidationError:
        raise ValidationError(
            {"website": _("Enter a full web address that starts with https://.")}
        ) from None
    old = organisation.website
    organisation.website = url[:200]
    organisation.website_verified_at = timezone.now()
    organisation.website_verified_by = acting_user
    organisation.save(update_fields=["website", "website_verified_at", "website_verified_by"])
    record_audit(acting_user, organisation, "organisation.website", organisation.name,
                 old=old, new=organisation.website)
    return organisation


@transaction.atomic
def do_confirm_website(organisation: Organisation, *, acting_user: User) -> Organisation:
    """An administrator confirms that the shipped web site is right."""
    if not organisation.website:
        raise ValidationError(_("There is no web site to confirm; enter one instead."))
    organisation.website_verified_at = timezone.now()
    organisation.website_verified_by = acting_user
    organisation.save(update_fields=["website_verified_at", "website_verified_by"])
    record_audit(acting_user, organisation, "organisation.website_confirmed", organisation.name,
                 website=organisation.website)
    return organisation


# --- Arrangements (samverkansläge) ---------------------------------------------------------


def _check_arrangement(activity: Activity, form: str, partners: Sequence[Organisation],
                       start_date: Any, end_date: Any, url: str) -> None:
    errors: dict[str, list[str]] = {}
    if form not in Arrangement.Form.values:
        errors["form"] = [_("Choose how the activity is done.")]
    if form == Arrangement.Form.OWN and partners:
        errors["partners"] = [_("An activity done on its own has no partners.")]
    if any(p.pk == activity.organisation_id for p in partners):
        errors["partners"] = [_("An organisation is not its own partner.")]
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = [_("The end date is before the start date.")]
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [_("Not a web address (https://…).")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_set_arrangement(
    activity: Activity, *, acting_user: User | None, form: str,
    partners: Sequence[Organisation] = (), start_date: Any = None, end_date: Any = None,
    url: str = "", illustrative: bool = False,
) -> Arrangement:
    """Record how the organisation does `activity` today (replacing what was recorded)."""
    _check_arrangement(activity, form, partners, start_date, end_date, url)
    arrangement, _created = Arrangement.objects.update_or_create(
        activity=activity,
        defaults={"form": form, "start_date": start_date, "end_date": end_date, "url": url,
                  "is_illustrative": illustrative,
                  "updated_by": acting_user if acting_user is not None and acting_user.pk
                  else None},
    )
    arrangement.partners.set(partners)
    record_audit(acting_user, activity.organisation, "arrangement.set", activity.name,
                 activity=activity.pk, form=form,
                 partners=",".join(sorted(p.code for p in partners)))
    return arrangement


@transaction.atomic
def do_clear_arrangement(activity: Activity, *, acting_user: User | None) -> None:
    deleted, _rows = Arrangement.objects.filter(activity=activity).delete()
    if deleted:
        record_audit(acting_user, activity.organisation, "arrangement.clear", activity.name,
                     activity=activity.pk)


@transaction.atomic
def do_import_arrangements(plan: ArrangementPlan, *, acting_user: User | None,
                           illustrative: bool = False) -> dict[str, int]:
    """Apply a checked plan (``arrangements.plan_arrangements``) in one transaction.

    A plan with problems changes nothing and raises ValidationError.
    """
    if plan.problems:
        raise ValidationError(_("The file has problems; nothing was imported."))
    activities = Activity.objects.select_related("organisation").in_bulk(
        [r.activity_id for r in plan.rows])
    partners = Organisation.objects.in_bulk(
        sorted({p for r in plan.rows for p in r.partner_ids}))
    for row in plan.rows:
        if row.change == "unchanged":
            continue
        do_set_arrangement(
            activities[row.activity_id], acting_user=acting_user, form=row.form,
            partners=[partners[p] for p in row.partner_ids], start_date=row.start_date,
            end_date=row.end_date, url=row.url, illustrative=illustrative,
        )
    return plan.summary()


@transaction.atomic
def do_set_nature(activity: Activity, nature: str, *, acting_user: User | None,
                  lead_time_note: str | None = None) -> None:
    """Set the activity's nature, or clear it ("") to follow the default; and, when given,
    how its lead time is measured."""
    if nature and nature not in Nature.values:
        raise ValidationError({"nature": [_("Unknown nature.")]})
    note = activity.lead_time_note if lead_time_note is None else " ".join(lead_time_note.split())
    if "\x00" in note or len(note) > 300:
        raise ValidationError({"lead_time_note": [_("At most 300 characters, no null "
                                                    "characters.")]})
    if activity.nature == nature and activity.lead_time_note == note:
        return
    activity.nature, activity.lead_time_note = nature, note
    Activity.objects.filter(pk=activity.pk).update(nature=nature, lead_time_note=note)
    record_audit(acting_user, activity.organisation, "activity.nature", activity.name,
                 activity=activity.pk, nature=nature, lead_time_note=note)
