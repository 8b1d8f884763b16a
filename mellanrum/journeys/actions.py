"""Every write to the life-event catalogue goes through a ``do_*`` function here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mellanrum.core.actions import record_audit
from mellanrum.core.models import User
from mellanrum.landscape.actions import do_import_activities
from mellanrum.landscape.models import Organisation
from mellanrum.landscape.spreadsheet import ActivityRow

from . import analysis
from .models import CatalogueSetting, FinderUsage, LifeEvent, Step


@dataclass(frozen=True)
class StepData:
    """A step as submitted by a form or an import, already validated."""

    need: str
    responsible: str
    provider: str = ""
    activity_hints: tuple[str, ...] = ()
    data_items: tuple[str, ...] = ()
    lead_time_days: int | None = None


def _write_steps(event: LifeEvent, steps: Sequence[StepData]) -> None:
    event.steps.all().delete()
    Step.objects.bulk_create(
        [
            Step(
                life_event=event,
                position=number,
                need=s.need,
                responsible=s.responsible,
                provider=s.provider,
                activity_hints=list(s.activity_hints),
                data_items=list(s.data_items),
                lead_time_days=s.lead_time_days,
            )
            for number, s in enumerate(steps, start=1)
        ]
    )


def _check_steps(steps: Sequence[StepData]) -> None:
    if not steps:
        raise ValueError("a life event needs at least one step")
    for step in steps:
        analysis.check_responsible(step.responsible)


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
    event.synonyms = list(synonyms)
    event.updated_by = acting_user if acting_user and acting_user.is_authenticated else None
    event.full_clean()
    if creating:
        event.save()
    else:
        event.save(update_fields=["slug", "label_sv", "label_en", "audience", "description",
                                  "synonyms", "updated_by", "updated_at"])
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
                 tuple(s.data_items), s.lead_time_days)
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


@transaction.atomic
def do_load_catalogue(*, acting_user: User | None = None, replace: bool = False) -> dict[str, int]:
    """Load the shipped catalogue. Running it again changes nothing.

    Life events already in the database are kept as edited unless `replace` is set. The
    national agencies' citizen services named in the catalogue are added to (or updated
    in) the agencies' activities when the reference data has the agencies.
    """
    catalogue = analysis.shipped_catalogue()
    existing = set(LifeEvent.objects.values_list("slug", flat=True))
    created = updated = 0
    for position, event in enumerate(catalogue.life_events, start=1):
        if event.id in existing and not replace:
            continue
        current = LifeEvent.objects.filter(slug=event.id).first()
        saved = do_save_life_event(
            current, acting_user=acting_user, slug=event.id, label_sv=event.label_sv,
            label_en=event.label_en, audience=event.audience, description=event.description,
            synonyms=event.synonyms, steps=_steps_from_catalogue(event.steps),
        )
        if saved.position != position:
            saved.position = position
            saved.save(update_fields=["position"])
        if current is None:
            created += 1
        else:
            updated += 1
    setting = CatalogueSetting.objects.first()
    if setting is None:
        CatalogueSetting.objects.create(
            synonyms=[list(s) for s in catalogue.synonyms], source=catalogue.source
        )
    elif replace:
        setting.synonyms = [list(s) for s in catalogue.synonyms]
        setting.source = catalogue.source
        setting.save(update_fields=["synonyms", "source", "updated_at"])
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
        )
        created += current is None
        updated += current is not None
    if isinstance(data, dict) and "synonyms" in data:
        synonyms = [list(s) for s in catalogue.synonyms]
        setting = CatalogueSetting.objects.first()
        if setting is None:
            CatalogueSetting.objects.create(synonyms=synonyms)
        else:
            setting.synonyms = synonyms
            setting.save(update_fields=["synonyms", "updated_at"])
    record_audit(acting_user, None, "journeys.catalogue.import", "catalogue",
                 created=created, updated=updated)
    return {"created": created, "updated": updated}


FINDER_OUTCOMES = ("with_results", "without_results", "rejected")


def do_count_finder_search(outcome: str, *, day: date | None = None) -> None:
    """Count one finder search by outcome; nothing about the search itself is kept."""
    if outcome not in FINDER_OUTCOMES:
        raise ValueError(f"unknown finder outcome {outcome!r}")
    day = day or timezone.localdate()
    FinderUsage.objects.get_or_create(day=day)
    FinderUsage.objects.filter(day=day).update(
        searches=F("searches") + 1, **{outcome: F(outcome) + 1}
    )
