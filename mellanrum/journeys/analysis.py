"""Adapter between the database and the journeys engine; the only module importing it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mellanrum.core.page_cache import remember
from mellanrum.engines.journeys import (
    AGENCY_CODES,
    CITIZEN_KINDS,
    ActivityRef,
    Catalogue,
    CatalogueError,
    InformationItem,
    JourneyAnalysis,
    OrganisationRef,
    Place,
    catalogue_to_dict,
    find,
    load_catalogue,
    parse_catalogue,
    resolve_journey,
)
from mellanrum.engines.journeys import LifeEvent as EngineLifeEvent
from mellanrum.engines.journeys import Step as EngineStep
from mellanrum.engines.journeys.catalogue import catalogue_to_dict as _to_dict
from mellanrum.engines.journeys.model import LOCAL_KINDS, check_responsible
from mellanrum.engines.journeys.places import (
    PlaceIndex,
    shipped_localities,
    shipped_municipality_names,
)
from mellanrum.landscape.models import Activity, Organisation

from .models import CatalogueSetting, LifeEvent, PlaceName, Step

__all__ = [
    "RESPONSIBLE_VALUES",
    "CatalogueError",
    "PlaceLookup",
    "UnknownLifeEvent",
    "catalogue_document",
    "check_responsible",
    "destination",
    "engine_catalogue",
    "find_for_place",
    "information_document",
    "journey_for_place",
    "lookup_municipality",
    "parse_document",
    "shipped_catalogue",
]

RESPONSIBLE_VALUES: tuple[str, ...] = (*LOCAL_KINDS, *(f"agency:{c}" for c in AGENCY_CODES))


def shipped_catalogue() -> Catalogue:
    return load_catalogue()


def parse_document(data: Any) -> Catalogue:
    """Validate an uploaded catalogue document (raises CatalogueError)."""
    return parse_catalogue(data)


# --- The catalogue as the engine sees it, rebuilt only when the database changes ----------

EngineCatalogue = tuple[tuple[EngineLifeEvent, ...], tuple[tuple[str, ...], ...]]
# Values read from the database and kept per process while what they were read from is
# unchanged (``page_cache.remember``): the catalogue, the place index, the municipalities' names.
_memo: dict[Any, Any] = {}
# Each place's organisations and activities (a few hundred activities each), for the places
# searched most recently.
_places_memo: dict[Any, Any] = {}
PLACES_KEPT = 64


def information_document(catalogue: Catalogue) -> list[dict[str, Any]]:
    """The catalogue's information holders as stored in CatalogueSetting."""
    items: list[dict[str, Any]] = _to_dict(catalogue)["information"]
    return items


def _engine_event(event: LifeEvent, steps: list[Step]) -> EngineLifeEvent:
    return EngineLifeEvent(
        id=event.slug,
        label_sv=event.label_sv,
        label_en=event.label_en,
        audience=event.audience,
        description=event.description,
        description_en=event.description_en,
        synonyms=tuple(event.synonyms),
        steps=tuple(
            EngineStep(
                need=s.need,
                responsible=s.responsible,
                activity_hints=tuple(s.activity_hints),
                data_items=tuple(s.data_items),
                lead_time_days=s.lead_time_days,
                provider=s.provider,
                need_en=s.need_en,
                when=tuple(s.when),
                # Waits only for earlier steps: a hand edit that reorders steps cannot
                # make the journey unreadable.
                waits_for=tuple(n for n in s.waits_for
                                if isinstance(n, int) and 1 <= n < s.position),
            )
            for s in steps
        ),
    )


def engine_catalogue() -> tuple[tuple[EngineLifeEvent, ...], tuple[tuple[str, ...], ...]]:
    """Life events and synonym sets from the database, kept per process while the tables they
    are read from are unchanged (``page_cache.remember``)."""

    def read() -> tuple[tuple[EngineLifeEvent, ...], tuple[tuple[str, ...], ...]]:
        steps: dict[int, list[Step]] = {}
        for step in Step.objects.order_by("life_event_id", "position"):
            steps.setdefault(step.life_event_id, []).append(step)
        events = tuple(
            _engine_event(e, steps.get(e.pk, []))
            for e in LifeEvent.objects.order_by("audience", "position", "label_sv")
            if steps.get(e.pk)
        )
        setting = CatalogueSetting.objects.first()
        synonyms = tuple(tuple(s) for s in (setting.synonyms if setting else []) if s)
        return events, synonyms

    return remember(_memo, "catalogue", read)  # type: ignore[no-any-return]


def engine_information() -> tuple[InformationItem, ...]:
    """Who holds each information item (CatalogueSetting, else the shipped catalogue)."""

    def read() -> tuple[InformationItem, ...]:
        setting = CatalogueSetting.objects.first()
        if setting is not None and setting.information:
            try:
                return parse_catalogue(
                    {"life_events": [], "information": setting.information}).information
            except CatalogueError:
                pass
        return shipped_catalogue().information

    return remember(_memo, "information", read)  # type: ignore[no-any-return]


def catalogue_document() -> dict[str, Any]:
    """The catalogue in the database as the JSON document of the shipped catalogue."""
    events, synonyms = engine_catalogue()
    shipped = shipped_catalogue()
    setting = CatalogueSetting.objects.first()
    return catalogue_to_dict(
        Catalogue(
            life_events=events,
            synonyms=synonyms,
            agency_services=shipped.agency_services,
            information=engine_information(),
            version=shipped.version,
            source=setting.source if setting and setting.source else shipped.source,
        )
    )


# --- Kept values ------------------------------------------------------------------------------
# The finder answers every request with the same municipalities, regions, agencies and
# activities. Each process keeps what it read while the data versions of what it read are
# unchanged (``page_cache.remember``), so a kept value is never stale, a write shows in the
# next search, and a finder page built from them can be kept in the shared page cache.

def forget_cached() -> None:
    """Drop the values kept in this process (they would not be used after a write anyway)."""
    _memo.clear()
    _places_memo.clear()


# --- Places ---------------------------------------------------------------------------------


@dataclass
class PlaceLookup:
    """The municipality a visitor meant, or why none was found (`problem`).

    `problem` is "", "empty", "postcode" (no loaded table knows the postcode), "unknown"
    (with `suggestions`) or "ambiguous" (the place spans the municipalities in `choices`).
    `kind` says what matched: code, municipality, locality or postcode.
    """

    organisation: Organisation | None = None
    problem: str = ""
    suggestions: list[Organisation] = field(default_factory=list)
    corrected: bool = False
    kind: str = ""
    choices: list[Organisation] = field(default_factory=list)


def place_index() -> PlaceIndex:
    """Municipality names (the database's and the shipped official ones), the shipped
    localities and the loaded postcodes and localities, built once per database state."""

    def build() -> PlaceIndex:
        shipped = shipped_municipality_names()
        rows = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).values_list(
            "code", "name", "short_name")
        municipalities = [
            (code, (short, name, *shipped.get(code, ()))) for code, name, short in rows
        ]
        known = {code for code, _names in municipalities}
        loaded = PlaceName.objects.values_list("name", "municipality__code")
        places = [(n, c) for n, c in shipped_localities() if c in known] + list(loaded)
        return PlaceIndex(municipalities, places)

    return remember(_memo, "places", build)  # type: ignore[no-any-return]


def lookup_municipality(text: str) -> PlaceLookup:
    """Find a municipality by code (``0182``), name in any common form (``Malmö stad``,
    ``malmo``), locality (``Saltsjöbaden``) or loaded postcode (``131 40``)."""
    answer = place_index().resolve(text or "")
    if answer.problem:
        suggestions = list(Organisation.objects.filter(
            kind=Organisation.Kind.MUNICIPALITY, code__in=answer.suggestions))
        suggestions.sort(key=lambda o: answer.suggestions.index(o.code))
        return PlaceLookup(problem=answer.problem, suggestions=suggestions)
    found = list(Organisation.objects.filter(
        kind=Organisation.Kind.MUNICIPALITY, code__in=answer.codes).order_by("name"))
    if len(found) > 1:
        return PlaceLookup(problem="ambiguous", choices=found, kind=answer.kind)
    if not found:
        return PlaceLookup(problem="unknown")
    return PlaceLookup(found[0], corrected=answer.corrected, kind=answer.kind)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().strip()
    text = re.sub(r"\s+", " ", text)
    for suffix in (" kommun", " stad", " municipality"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def _ref(organisation: Organisation) -> OrganisationRef:
    return OrganisationRef(
        code=organisation.code,
        name=organisation.name,
        kind=organisation.kind,
        county_code=organisation.county_code,
    )


def _region(municipality: Organisation) -> Organisation | None:
    return Organisation.objects.filter(
        kind=Organisation.Kind.REGION, county_code=municipality.county_code
    ).first()


def _place(
    municipality: Organisation, to: Organisation | None
) -> tuple[Place, list[Organisation]]:
    region = _region(municipality)
    to_region = _region(to) if to is not None else None
    agencies = list(
        Organisation.objects.filter(kind=Organisation.Kind.STATE_AGENCY, code__in=AGENCY_CODES)
    )
    place = Place(
        municipality=_ref(municipality),
        region=_ref(region) if region else None,
        to=_ref(to) if to else None,
        to_region=_ref(to_region) if to_region else None,
        agencies={a.code: _ref(a) for a in agencies},
    )
    involved = [o for o in (municipality, region, to, to_region) if o is not None] + agencies
    return place, involved


def _lead(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _activities(organisations: list[Organisation]) -> dict[str, list[ActivityRef]]:
    refs = {o.pk: _ref(o) for o in organisations}
    result: dict[str, list[ActivityRef]] = {ref.code: [] for ref in refs.values()}
    # Ordered by primary key, not by name: name order depends on the database's collation,
    # and ties between equally good matches must resolve the same way on SQLite and PostgreSQL.
    # Not the description: neither the finder nor a journey uses or shows it, and a page that
    # read it would be built again after every edit of a description (core/page_cache.py).
    rows = (
        Activity.objects.filter(organisation_id__in=list(refs))
        .order_by("pk")
        .values_list("pk", "name", "organisation_id", "lead_time_days", "url", "kind")
    )
    for pk, name, organisation_id, lead, url, kind in rows:
        ref = refs[organisation_id]
        result[ref.code].append(ActivityRef(str(pk), name, ref, "", _lead(lead), url, kind))
    return result


# --- Results as plain data for pages, the API and the CLI ---------------------------------


def _organisation_dict(ref: OrganisationRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"code": ref.code, "name": ref.name, "kind": ref.kind, "county_code": ref.county_code}


def _activity_dict(activity: ActivityRef | None) -> dict[str, Any] | None:
    if activity is None:
        return None
    return {
        "activity_id": activity.id,
        "name": activity.name,
        "organisation": activity.organisation.name,
        "organisation_code": activity.organisation.code,
        "url": activity.url,
        "lead_time_days": activity.lead_time_days,
        "kind": activity.kind,
    }


def _event_dict(event: EngineLifeEvent) -> dict[str, Any]:
    return {"id": event.id, "label": event.label_sv, "label_en": event.label_en,
            "for": event.audience, "description_en": event.description_en}


def journey_dict(
    journey: JourneyAnalysis, websites: dict[str, str] | None = None
) -> dict[str, Any]:
    """The journey as plain data; `websites` maps organisation codes to their web sites
    (shown where an organisation has described no services)."""
    websites = websites or {}
    information = {i.item: i for i in engine_information()}
    steps = []
    for s in journey.steps:
        steps.append({
            "number": s.number,
            "need": s.step.need,
            "need_en": s.step.need_en,
            "waits_for": list(s.step.waits_for),
            "start_day": s.start_day,
            "end_day": s.end_day,
            "responsible": s.step.responsible,
            "organisation": _organisation_dict(s.organisation),
            "activity": _activity_dict(s.activity),
            "match_score": s.match_score,
            "data_items": list(s.step.data_items),
            "lead_time_days": s.lead_time_days,
            "lead_time_source": s.lead_time_source,
            "gap": s.gap,
            "fetchable": [
                {"item": item, "holder": information[item].holder,
                 "basis": information[item].basis}
                for item in s.fetchable
            ],
            "website": websites.get(s.organisation.code, "") if s.organisation else "",
        })
    return {
        "life_event": _event_dict(journey.event),
        "place": {
            "municipality": _organisation_dict(journey.place.municipality),
            "region": _organisation_dict(journey.place.region),
            "to": _organisation_dict(journey.place.to),
            "to_region": _organisation_dict(journey.place.to_region),
        },
        "steps": steps,
        "analysis": {
            "organisation_count": journey.organisation_count,
            "organisations": [_organisation_dict(o) for o in journey.organisations],
            "handoff_count": len(journey.handoffs),
            "handoffs": [
                {"from_step": h.from_step, "to_step": h.to_step,
                 "from": h.from_organisation, "to": h.to_organisation,
                 "crosses_state": h.crosses_state}
                for h in journey.handoffs
            ],
            "borders": dict(journey.borders),
            "repeated_information": [
                {"item": r.item, "times": len(r.steps), "steps": list(r.steps),
                 "asked_by": list(r.asked_by)}
                for r in journey.repeated_information
            ],
            "total_lead_time_days": journey.total_lead_time_days,
            "critical_path_days": journey.critical_path_days,
            "critical_path": list(journey.critical_path),
            "fetchable_count": journey.fetchable_count,
            "fetchable_information": [
                {"item": f.item, "times": len(f.steps), "steps": list(f.steps),
                 "holder": f.holder, "basis": f.basis}
                for f in journey.fetchable_information
            ],
            "steps_without_lead_time": journey.steps_without_lead_time,
            "gap_count": len(journey.gaps),
            "gaps": [{"step": g.number, "need": g.step.need, "reason": g.gap}
                     for g in journey.gaps],
        },
    }


class UnknownLifeEvent(LookupError):
    pass


def journey_for_place(
    slug: str, municipality: Organisation, to: Organisation | None = None
) -> dict[str, Any]:
    """Resolve the life event `slug` for a municipality (and the one moved to)."""
    events, _synonyms = engine_catalogue()
    event = next((e for e in events if e.id == slug), None)
    if event is None:
        raise UnknownLifeEvent(slug)
    place, involved = _place(municipality, to)
    journey = resolve_journey(event, place, _activities(involved), engine_information())
    return journey_dict(journey, {o.code: o.website for o in involved if o.website})


_destinations: dict[tuple[str, ...], tuple[re.Pattern[str], dict[str, str]]] = {}


def destination(text: str) -> Organisation | None:
    """The municipality a query says the person moves to ("vi flyttar till Nacka").

    Only names right after "till" count, so that words such as "vara" or "mark" elsewhere in
    a sentence are not taken for the municipalities Vara and Mark.
    """
    rows = remember(_memo, "destinations", lambda: list(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
        .order_by("code")
        .values_list("code", "short_name", "name")
    ))
    # The compiled pattern is cached per set of names; rows are always fetched fresh so a
    # cached entry never refers to a row that no longer exists.
    key = tuple(f"{code}:{short or name}" for code, short, name in rows)
    cached = _destinations.get(key)
    if cached is None:
        names = {_fold(short or name): code for code, short, name in rows}
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
        if not alternatives:
            return None
        pattern = re.compile(rf"\btill\s+({alternatives})(?:s\b|\b)", re.IGNORECASE)
        cached = (pattern, names)
        _destinations.clear()
        _destinations[key] = cached
    pattern, names = cached
    match = pattern.search(unicodedata.normalize("NFC", text).casefold())
    if not match or match.group(1) not in names:
        return None
    found: Organisation | None = Organisation.objects.filter(code=names[match.group(1)]).first()
    return found


def _place_with_activities(
    municipality: Organisation, to: Organisation | None
) -> tuple[Place, list[Organisation], dict[str, list[ActivityRef]]]:
    place, involved = _place(municipality, to)
    return place, involved, _activities(involved)


def find_for_place(text: str, municipality: Organisation | None) -> dict[str, Any]:
    """Life events and services in the municipality for a need in everyday words.

    When the text names the municipality the person moves to, the steps of the new
    municipality and region are served from there.
    """
    events, synonyms = engine_catalogue()
    services: list[ActivityRef] = []
    place: Place | None = None
    to = destination(text) if municipality is not None else None
    if to is not None and municipality is not None and to.pk == municipality.pk:
        to = None
    to_info: dict[str, Any] | None = None
    if municipality is not None:
        place, involved, by_org = remember(
            _places_memo, (municipality.pk, to.pk if to else None),
            lambda: _place_with_activities(municipality, to), size=PLACES_KEPT,
        )
        services = [a for refs in by_org.values() for a in refs]
        if to is not None and place.to is not None:
            to_info = {
                **(_organisation_dict(place.to) or {}),
                "website": to.website,
                "service_count": sum(
                    a.kind in CITIZEN_KINDS for a in by_org.get(place.to.code, ())),
                "region": _organisation_dict(place.to_region),
                "region_service_count": sum(
                    a.kind in CITIZEN_KINDS for a in by_org.get(place.to_region.code, ()))
                if place.to_region else 0,
            }
    result = find(text, events, services, synonyms=synonyms, place=place)
    return {
        "to": to_info,
        "life_events": [
            {**_event_dict(m.event), "score": m.score, "matched": m.matched,
             "description": m.event.description}
            for m in result.life_events
        ],
        "services": [
            {
                **(_activity_dict(s.activity) or {}),
                "score": s.score,
                "life_event": s.life_event_id,
                "step": s.step_number,
                "need": s.need,
                "need_en": s.need_en,
                "prepare": list(s.data_items),
            }
            for s in result.services
        ],
    }
