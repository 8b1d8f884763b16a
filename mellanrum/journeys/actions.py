"""Every write to the life-event catalogue goes through a ``do_*`` function here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from mellanrum.core.actions import record_audit
from mellanrum.core.models import User
from mellanrum.landscape.actions import do_import_activities
from mellanrum.landscape.models import Organisation
from mellanrum.landscape.spreadsheet import ActivityRow

from . import analysis
from .models import CatalogueSetting, FinderUsage, LifeEvent, PlaceName, Step


@dataclass(frozen=True)
class StepData:
    """A step as submitted by a form or an import, already validated."""

    need: str
    responsible: str
    provider: str = ""
    activity_hints: tuple[str, ...] = ()
    data_items: tuple[str, ...] = ()
    lead_time_days: int | None = None
    need_en: str = ""
    when: tuple[str, ...] = ()
    waits_for: tuple[int, ...] = ()


STEP_FIELDS = ("need", "responsible", "provider", "activity_hints", "data_items",
               "lead_time_days", "need_en", "when", "waits_for")


def _step_fields(step: StepData) -> dict[str, Any]:
    return {
        "need": step.need, "responsible": step.responsible, "provider": step.provider,
        "activity_hints": list(step.activity_hints), "data_items": list(step.data_items),
        "lead_time_days": step.lead_time_days, "need_en": step.need_en,
        "when": list(step.when), "waits_for": list(step.waits_for),
    }


def _same_need(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _rows_to_keep(old: Sequence[Step], steps: Sequence[StepData]) -> list[Step | None]:
    """The existing row each new step takes over, or None for a new row.

    A step keeps the row of the step with the same need (wherever it was); a step whose
    need changed keeps the row at its position unless that row's need lives on elsewhere.
    Keeping rows keeps what points at them (the initiatives addressing a step).
    """
    unused = {row.pk: row for row in old}
    kept: list[Step | None] = []
    for step in steps:
        row = next((r for r in unused.values() if _same_need(r.need, step.need)), None)
        if row is not None:
            del unused[row.pk]
        kept.append(row)
    for number, row in enumerate(kept, start=1):
        if row is None:
            at = next((r for r in unused.values() if r.position == number), None)
            if at is not None:
                del unused[at.pk]
                kept[number - 1] = at
    return kept


def _write_steps(event: LifeEvent, steps: Sequence[StepData]) -> None:
    old = list(event.steps.order_by("position"))
    kept = _rows_to_keep(old, steps)
    kept_ids = [row.pk for row in kept if row is not None]
    event.steps.exclude(pk__in=kept_ids).delete()
    # Move the kept rows out of the way first: (life event, position) is unique.
    offset = len(old) + len(steps) + 1
    event.steps.filter(pk__in=kept_ids).update(position=F("position") + offset)
    new_rows = []
    for number, (step, row) in enumerate(zip(steps, kept, strict=True), start=1):
        if row is None:
            new_rows.append(Step(life_event=event, position=number, **_step_fields(step)))
        else:
            Step.objects.filter(pk=row.pk).update(position=number, **_step_fields(step))
    Step.objects.bulk_create(new_rows)


def _check_steps(steps: Sequence[StepData]) -> None:
    if not steps:
        raise ValueError("a life event needs at least one step")
    for number, step in enumerate(steps, start=1):
        analysis.check_responsible(step.responsible)
        if any(n < 1 or n >= number for n in step.waits_for):
            raise ValueError(f"step {number} can only wait for earlier steps (1–{number - 1})")


@transaction.atomic
def do_save_life_event(
    event: LifeEvent | None,
    *,
    acting_user: User | None,
    slug: str,
    label_sv: str,
    label_en: str = "",
    audience: str = LifeEvent.Audience.PERSON,
    description: str = "",
    synonyms: Sequence[str] = (),
    steps: Sequence[StepData],
    description_en: str = "",
) -> LifeEvent:
    """Create (`event` None) or update a life event and replace its steps."""
    _check_steps(steps)
    creating = event is None
    if event is None:
        position = LifeEvent.objects.filter(audience=audience).count() + 1
        event = LifeEvent(position=position)
    event.slug = slug
    event.label_sv = label_sv
    event.label_en = label_en
    event.audience = audience
    event.description = description
    event.description_en = description_en
    event.synonyms = list(synonyms)
    event.updated_by = acting_user if acting_user and acting_user.is_authenticated else None
    event.full_clean()
    if creating:
        event.save()
    else:
        event.save(update_fields=["slug", "label_sv", "label_en", "audience", "description",
                                  "description_en", "synonyms", "updated_by", "updated_at"])
    _write_steps(event, steps)
    record_audit(acting_user, None, "journeys.life_event.create" if creating else
                 "journeys.life_event.update", event.label_sv, slug=event.slug,
                 steps=len(steps))
    return event


@transaction.atomic
def do_delete_life_event(event: LifeEvent, *, acting_user: User | None) -> None:
    record_audit(acting_user, None, "journeys.life_event.delete", event.label_sv, slug=event.slug)
    event.delete()


def _steps_from_catalogue(steps: Sequence[Any]) -> list[StepData]:
    return [
        StepData(s.need, s.responsible, s.provider, tuple(s.activity_hints),
                 tuple(s.data_items), s.lead_time_days, s.need_en, tuple(s.when),
                 tuple(s.waits_for))
        for s in steps
    ]


def _agency_rows(catalogue: Any) -> dict[str, list[ActivityRow]]:
    rows: dict[str, list[ActivityRow]] = {}
    for number, service in enumerate(catalogue.agency_services, start=2):
        rows.setdefault(service.agency, []).append(
            ActivityRow(
                row_number=number,
                organisation_code=service.agency,
                key=service.key,
                name=service.name,
                description=service.description,
                kind="service",
                category="",
                annual_cost_sek=None,
                volume_per_year=None,
                volume_unit="",
                fte=None,
                lead_time_days=(Decimal(service.lead_time_days)
                                if service.lead_time_days is not None else None),
                legal_basis="",
                url=service.url,
                systems=(),
                owner="",
            )
        )
    return rows


def _unchanged(current: LifeEvent, event: Any, steps: Sequence[StepData]) -> bool:
    """Whether the life event in the database already says what the shipped one says."""
    fields = ("label_sv", "label_en", "audience", "description", "description_en")
    if any(getattr(current, name) != getattr(event, name) for name in fields):
        return False
    if list(current.synonyms) != list(event.synonyms):
        return False
    rows = list(current.steps.order_by("position").values(*STEP_FIELDS))
    return rows == [_step_fields(step) for step in steps]


def _load_shipped_events(catalogue: Any, acting_user: User | None, *, replace: bool,
                         refresh: bool) -> tuple[int, int]:
    current_events = {e.slug: e for e in LifeEvent.objects.all()}
    created = updated = 0
    for position, event in enumerate(catalogue.life_events, start=1):
        current = current_events.get(event.id)
        steps = _steps_from_catalogue(event.steps)
        if current is not None and not replace:
            edited = current.updated_by_id is not None
            if not refresh or edited or _unchanged(current, event, steps):
                continue
        saved = do_save_life_event(
            current, acting_user=acting_user, slug=event.id, label_sv=event.label_sv,
            label_en=event.label_en, audience=event.audience, description=event.description,
            synonyms=event.synonyms, steps=steps, description_en=event.description_en,
        )
        if saved.position != position:
            saved.position = position
            saved.save(update_fields=["position"])
        created += current is None
        updated += current is not None
    return created, updated


def _load_shipped_setting(catalogue: Any, *, replace: bool, refresh: bool) -> None:
    synonyms = [list(s) for s in catalogue.synonyms]
    information = analysis.information_document(catalogue)
    setting = CatalogueSetting.objects.first()
    if setting is None:
        CatalogueSetting.objects.create(synonyms=synonyms, source=catalogue.source,
                                        information=information)
        return
    unedited = refresh and setting.updated_by_id is None
    if replace or unedited:
        shipped = {"synonyms": synonyms, "source": catalogue.source, "information": information}
        changed = [name for name, value in shipped.items() if getattr(setting, name) != value]
        for name in changed:
            setattr(setting, name, shipped[name])
        if replace:
            setting.updated_by = None
            changed.append("updated_by")
        if changed:
            setting.save(update_fields=[*changed, "updated_at"])
    elif not setting.information:
        setting.information = information
        setting.save(update_fields=["information", "updated_at"])


@transaction.atomic
def do_load_catalogue(*, acting_user: User | None = None, replace: bool = False,
                      refresh: bool = False) -> dict[str, int]:
    """Load the shipped catalogue. Running it again changes nothing.

    Life events already in the database are kept as edited unless `replace` is set.
    `refresh` (what `mellanrum init` does on an upgrade) brings the life events and the
    synonym sets that no person has edited up to the shipped text, and adds shipped life
    events that are missing; what a person edited is left alone. Steps keep their rows
    where their need is unchanged, so initiatives addressing them stay linked. The national
    agencies' citizen services named in the catalogue are added to (or updated in) the
    agencies' activities when the reference data has the agencies.
    """
    catalogue = analysis.shipped_catalogue()
    created, updated = _load_shipped_events(catalogue, acting_user, replace=replace,
                                            refresh=refresh)
    _load_shipped_setting(catalogue, replace=replace, refresh=refresh)
    services = 0
    for code, rows in _agency_rows(catalogue).items():
        agency = Organisation.objects.filter(code=code, kind=Organisation.Kind.STATE_AGENCY).first()
        if agency is not None:
            plan = do_import_activities(agency, rows, acting_user=acting_user)
            services += len(plan.new)
    return {"life_events_created": created, "life_events_updated": updated,
            "agency_services_created": services}


def ensure_catalogue() -> None:
    """Load the shipped catalogue when the database has no life events at all."""
    if not LifeEvent.objects.exists():
        do_load_catalogue()


@transaction.atomic
def do_import_catalogue(data: Any, *, acting_user: User | None) -> dict[str, int]:
    """Create or replace life events from a catalogue document, all or nothing.

    Life events are matched by id; those not in the document are left alone. Raises
    ``analysis.CatalogueError`` (changing nothing) when the document is invalid.
    """
    catalogue = analysis.parse_document(data)
    created = updated = 0
    for event in catalogue.life_events:
        current = LifeEvent.objects.filter(slug=event.id).first()
        do_save_life_event(
            current, acting_user=acting_user, slug=event.id, label_sv=event.label_sv,
            label_en=event.label_en, audience=event.audience, description=event.description,
            synonyms=event.synonyms, steps=_steps_from_catalogue(event.steps),
            description_en=event.description_en,
        )
        created += current is None
        updated += current is not None
    imported: dict[str, Any] = {}
    if isinstance(data, dict) and "synonyms" in data:
        imported["synonyms"] = [list(s) for s in catalogue.synonyms]
    if isinstance(data, dict) and "information" in data:
        imported["information"] = analysis.information_document(catalogue)
    if imported:
        setting = CatalogueSetting.objects.first() or CatalogueSetting.objects.create()
        for name, value in imported.items():
            setattr(setting, name, value)
        setting.updated_by = acting_user if acting_user and acting_user.is_authenticated else None
        setting.save(update_fields=[*imported, "updated_by", "updated_at"])
    record_audit(acting_user, None, "journeys.catalogue.import", "catalogue",
                 created=created, updated=updated)
    return {"created": created, "updated": updated}


FINDER_OUTCOMES = ("with_results", "without_results", "rejected")


def do_count_finder_search(outcome: str, *, day: date | None = None) -> None:
    """Count one finder search by outcome; nothing about the search itself is kept."""
    if outcome not in FINDER_OUTCOMES:
        raise ValueError(f"unknown finder outcome {outcome!r}")
    day = day or timezone.localdate()
    # One statement (the day's row made or counted up), not a read and then a write: the
    # finder counts every search. The outcome is one of FINDER_OUTCOMES, the columns' names.
    columns = ", ".join(f'"{name}"' for name in FINDER_OUTCOMES)
    ones = ", ".join("1" if name == outcome else "0" for name in FINDER_OUTCOMES)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{FinderUsage._meta.db_table}" ("day", "searches", {columns}) '  # noqa: S608
            f"VALUES (%s, 1, {ones}) ON CONFLICT (\"day\") DO UPDATE SET "
            f'"searches" = "{FinderUsage._meta.db_table}"."searches" + 1, '
            f'"{outcome}" = "{FinderUsage._meta.db_table}"."{outcome}" + 1',
            [connection.ops.adapt_datefield_value(day)])


@dataclass(frozen=True)
class PlaceImport:
    """The outcome of a place import: rows added, already there, and the row errors."""

    added: int
    unchanged: int
    errors: tuple[str, ...]


PLACE_COLUMNS = ("place", "municipality_code")
MAX_PLACE_ROWS = 200_000


def _place_rows(text: str) -> tuple[list[tuple[int, str, str]], list[str]]:
    import csv
    import io

    lines = text.splitlines()
    if not lines:
        return [], ["the file is empty"]
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in PLACE_COLUMNS if c not in header]
    if missing:
        return [], [f"row 1: missing column(s) {', '.join(missing)}; the header must have "
                    f"{', '.join(PLACE_COLUMNS)}"]
    reader.fieldnames = header
    rows: list[tuple[int, str, str]] = []
    errors: list[str] = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_PLACE_ROWS + 1:
            errors.append(f"more than {MAX_PLACE_ROWS} rows")
            break
        place = (row.get("place") or "").strip()
        code = (row.get("municipality_code") or "").strip()
        if not place:
            errors.append(f"row {number}: the place is empty")
        elif len(place) > 100:
            errors.append(f"row {number}: the place is longer than 100 characters")
        elif not code.isdigit() or len(code) != 4:
            errors.append(f"row {number}: municipality code {code[:20]!r} is not four digits")
        else:
            rows.append((number, place, code))
    return rows, errors


def _row_number(error: str) -> int:
    parts = error.split(":", 1)[0].split()
    return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else 0


@transaction.atomic
def do_import_places(
    text: str, *, acting_user: User | None = None, source: str = "", replace: bool = False
) -> PlaceImport:
    """Load postcodes and localities (CSV: place, municipality_code), all or nothing.

    A place of five digits (``131 40`` too) is a postcode, anything else a locality. The
    same place may be listed with several municipalities: it spans them. Every bad row is
    reported (row number and reason) and then nothing is changed. With `replace`, places
    loaded before are removed first.
    """
    from mellanrum.engines.journeys.places import normalise_postcode

    rows, errors = _place_rows(text)
    municipalities = dict(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
        .values_list("code", "pk")
    )
    for number, _place, code in rows:
        if code not in municipalities:
            errors.append(f"row {number}: unknown municipality code {code}")
    if errors:
        return PlaceImport(0, 0, tuple(sorted(errors, key=_row_number)))
    if replace:
        PlaceName.objects.all().delete()
    existing = set(PlaceName.objects.values_list("name", "municipality_id"))
    new = []
    unchanged = 0
    for _number, place, code in rows:
        postcode = normalise_postcode(place)
        name = postcode or " ".join(place.split())
        key = (name, municipalities[code])
        if key in existing:
            unchanged += 1
            continue
        existing.add(key)
        new.append(PlaceName(
            name=name, municipality_id=municipalities[code], source=source[:200],
            kind=PlaceName.Kind.POSTCODE if postcode else PlaceName.Kind.LOCALITY,
        ))
    PlaceName.objects.bulk_create(new, batch_size=2000)
    setting = CatalogueSetting.objects.first() or CatalogueSetting.objects.create()
    setting.places_loaded_at = timezone.now()
    setting.save(update_fields=["places_loaded_at", "updated_at"])
    analysis.forget_cached()
    transaction.on_commit(analysis.forget_cached)  # again, once others can see the rows
    record_audit(acting_user, None, "journeys.places.import", source or "places",
                 added=len(new), unchanged=unchanged)
    return PlaceImport(len(new), unchanged, ())
