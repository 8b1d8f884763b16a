"""Every write to the landscape goes through a ``do_*`` function here.

Views, the API, the CLI and background jobs call these; each validates, writes in one
transaction and records who did it in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mellanrum.core.models import User

from . import reference
from .models import (
    Activity,
    AuditEntry,
    Category,
    Contact,
    ITSystem,
    NamedGroup,
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


@dataclass
class ImportPlan:
    """What an import would do: shown as the preview, then applied unchanged."""

    new: list[ActivityRow] = field(default_factory=list)
    changed: list[tuple[ActivityRow, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    untouched: int = 0  # activities in Mellanrum that the file does not mention

    def as_summary(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "untouched": self.untouched,
        }


def _row_values(
    row: ActivityRow, categories: dict[str, int], contacts: dict[str, int]
) -> dict[str, Any]:
    """The model values a row sets: only those the file has a column for (and the name)."""
    values = {
        "name": row.name,
        "description": row.description,
        "kind": row.kind,
        "category_id": categories.get(row.category) if row.category else None,
        "annual_cost_sek": row.annual_cost_sek,
        "volume_per_year": row.volume_per_year,
        "volume_unit": row.volume_unit,
        "fte": row.fte,
        "lead_time_days": row.lead_time_days,
        "legal_basis": row.legal_basis,
        "url": row.url,
        "owner_id": contacts.get(row.owner.casefold()) if row.owner else None,
    }
    return {
        field: value for field, value in values.items()
        if field == "name" or row.has_column(field.removesuffix("_id"))
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return bool(a == b)


def contact_lookup(organisation: Organisation) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for pk, name, email in organisation.contacts.values_list("pk", "name", "email"):
        lookup[name.casefold()] = pk
        if email:
            lookup[email.casefold()] = pk
    return lookup


def category_lookup() -> dict[str, int]:
    return dict(Category.objects.values_list("code", "pk"))


def plan_import(organisation: Organisation, rows: Sequence[ActivityRow]) -> ImportPlan:
    categories, contacts = category_lookup(), contact_lookup(organisation)
    existing = {a.key: a for a in organisation.activities.prefetch_related("systems")}
    plan = ImportPlan()
    for row in rows:
        activity = existing.get(row.key)
        if activity is None:
            plan.new.append(row)
            continue
        values = _row_values(row, categories, contacts)
        differences = [k for k, v in values.items() if not _same(getattr(activity, k), v)]
        current_systems = {(s.product, s.vendor) for s in activity.systems.all()}
        if row.has_column("systems") and current_systems != set(row.systems):
            differences.append("systems")
        if differences:
            plan.changed.append((row, differences))
        else:
            plan.unchanged += 1
    plan.untouched = len(set(existing) - {row.key for row in rows})
    return plan


@transaction.atomic
def do_import_activities(
    organisation: Organisation,
    rows: Sequence[ActivityRow],
    *,
    acting_user: User | None,
    illustrative: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Create or update activities by key, all or nothing, in one transaction."""
    plan = plan_import(organisation, rows)
    categories, contacts = category_lookup(), contact_lookup(organisation)
    total = len(plan.new) + len(plan.changed)
    done = 0

    new_objects = [
        Activity(
            organisation=organisation,
            key=row.key,
            is_illustrative=illustrative,
            updated_by=acting_user,
            **_row_values(row, categories, contacts),
        )
        for row in plan.new
    ]
    for start in range(0, len(new_objects), 1000):
        Activity.objects.bulk_create(new_objects[start : start + 1000])
        done += len(new_objects[start : start + 1000])
        if progress:
            progress(done, total)

    by_key = {a.key: a for a in organisation.activities.all()}
    changed_objects = []
    for row, _differences in plan.changed:
        activity = by_key[row.key]
        for name, value in _row_values(row, categories, contacts).items():
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

    _replace_systems({
        by_key[row.key].pk: row.systems
        for row in [*plan.new, *(r for r, _ in plan.changed)] if row.has_column("systems")
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
