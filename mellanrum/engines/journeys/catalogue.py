"""Read, validate and write the life-event catalogue (JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mellanrum.engines.journeys.model import (
    AGENCY_CODES,
    InformationItem,
    LifeEvent,
    Step,
    check_responsible,
)

__all__ = [
    "CATALOGUE_PATH",
    "AgencyService",
    "Catalogue",
    "CatalogueError",
    "catalogue_to_dict",
    "load_catalogue",
    "parse_catalogue",
]

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "catalogue.json"
MAX_STEPS = 30


class CatalogueError(ValueError):
    """A catalogue that cannot be read; the message names the place of the problem."""


@dataclass(frozen=True)
class AgencyService:
    """A citizen-facing service of a national agency, shipped with the catalogue."""

    agency: str
    key: str
    name: str
    description: str = ""
    url: str = ""
    lead_time_days: int | None = None


@dataclass(frozen=True)
class Catalogue:
    """Life events, everyday synonym sets for the finder, and agency services."""

    life_events: tuple[LifeEvent, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    agency_services: tuple[AgencyService, ...] = ()
    information: tuple[InformationItem, ...] = ()
    version: int = 1
    source: str = ""


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: expected a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _text(item: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: '{key}' must be text")
    if required and not value.strip():
        raise CatalogueError(f"{where}: '{key}' is required")
    return value.strip()


def _days(value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CatalogueError(f"{where}: 'lead_time_days' must be a whole number of days ≥ 0")
    return value


def _numbers(value: Any, where: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value
    ):
        raise CatalogueError(f"{where}: expected a list of step numbers (1, 2, ...)")
    return tuple(sorted(set(value)))


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected an object")
    try:
        return Step(
            need=_text(raw, "need", where, required=True),
            responsible=_text(raw, "responsible", where, required=True),
            activity_hints=_strings(raw.get("activity_hints"), f"{where} activity_hints"),
            data_items=tuple(
                d.lower() for d in _strings(raw.get("data_items"), f"{where} data_items")
            ),
            lead_time_days=_days(raw.get("lead_time_days"), where),
            provider=_text(raw, "provider", where),
            need_en=_text(raw, "need_en", where),
            when=_strings(raw.get("when"), f"{where} when"),
            waits_for=_numbers(raw.get("waits_for"), f"{where} waits_for"),
        )
    except ValueError as exc:
        if isinstance(exc, CatalogueError):
            raise
        raise CatalogueError(f"{where}: {exc}") from None


def _event(raw: Any, number: int) -> LifeEvent:
    where = f"life event {number}"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected an object")
    event_id = _text(raw, "id", where, required=True)
    where = f"life event {event_id!r}"
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise CatalogueError(f"{where}: 'steps' must be a non-empty list")
    if len(steps_raw) > MAX_STEPS:
        raise CatalogueError(f"{where}: at most {MAX_STEPS} steps")
    steps = tuple(_step(s, f"{where} step {i}") for i, s in enumerate(steps_raw, start=1))
    try:
        return LifeEvent(
            id=event_id,
            label_sv=_text(raw, "label_sv", where, required=True),
            label_en=_text(raw, "label_en", where),
            audience=_text(raw, "for", where, required=True),
            description=_text(raw, "description", where),
            synonyms=_strings(raw.get("synonyms"), f"{where} synonyms"),
            steps=steps,
            description_en=_text(raw, "description_en", where),
        )
    except ValueError as exc:
        if isinstance(exc, CatalogueError):
            raise
        raise CatalogueError(str(exc)) from None


def _information(raw: Any, number: int) -> InformationItem:
    where = f"information item {number}"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected an object")
    may_fetch = _strings(raw.get("may_fetch"), f"{where} may_fetch")
    for value in may_fetch:
        if value != "*":
            try:
                check_responsible(value)
            except ValueError as exc:
                raise CatalogueError(f"{where}: {exc}") from None
    burden = raw.get("burden", True)
    if not isinstance(burden, bool):
        raise CatalogueError(f"{where}: 'burden' must be true or false")
    return InformationItem(
        item=_text(raw, "item", where, required=True).lower(),
        holder=_text(raw, "holder", where),
        holder_en=_text(raw, "holder_en", where),
        may_fetch=may_fetch,
        basis=_text(raw, "basis", where),
        burden=burden,
    )


def _service(raw: Any, number: int) -> AgencyService:
    where = f"agency service {number}"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected an object")
    agency = _text(raw, "agency", where, required=True)
    if agency not in AGENCY_CODES:
        raise CatalogueError(f"{where}: unknown agency {agency!r}")
    return AgencyService(
        agency=agency,
        key=_text(raw, "key", where, required=True),
        name=_text(raw, "name", where, required=True),
        description=_text(raw, "description", where),
        url=_text(raw, "url", where),
        lead_time_days=_days(raw.get("lead_time_days"), where),
    )


def parse_catalogue(data: Any) -> Catalogue:
    """Validate a decoded catalogue document and return it as records.

    Parameters
    ----------
    data : dict
        ``{"life_events": [...], "synonyms": [[...]], "agency_services": [...]}``;
        only ``life_events`` is required.

    Returns
    -------
    Catalogue

    Raises
    ------
    CatalogueError
        On the first problem, naming the life event and step.

    Examples
    --------
    >>> doc = {"life_events": [{"id": "ta-korkort", "label_sv": "Ta körkort", "for": "person",
    ...        "steps": [{"need": "Körkortstillstånd", "responsible": "agency:TS"}]}]}
    >>> parse_catalogue(doc).life_events[0].steps[0].agency
    'TS'
    >>> parse_catalogue({"life_events": [{"id": "x", "label_sv": "X", "for": "person",
    ...                  "steps": [{"need": "N", "responsible": "kommunen"}]}]})
    Traceback (most recent call last):
    ...
    mellanrum.engines.journeys.catalogue.CatalogueError: life event 'x' step 1: unknown \
responsible 'kommunen'; expected one of home_municipality, new_municipality, region, \
new_region, other or agency:SKV, agency:FK, ...
    """
    if not isinstance(data, dict):
        raise CatalogueError("the catalogue must be a JSON object with 'life_events'")
    raw_events = data.get("life_events")
    if not isinstance(raw_events, list):
        raise CatalogueError("'life_events' must be a list")
    events = tuple(_event(raw, n) for n, raw in enumerate(raw_events, start=1))
    seen: set[str] = set()
    for event in events:
        if event.id in seen:
            raise CatalogueError(f"life event {event.id!r} appears twice")
        seen.add(event.id)
    raw_synonyms = data.get("synonyms") or []
    if not isinstance(raw_synonyms, list):
        raise CatalogueError("'synonyms' must be a list of lists of strings")
    synonyms = tuple(
        s for s in (_strings(raw, f"synonym set {n}") for n, raw in
                    enumerate(raw_synonyms, start=1)) if s
    )
    raw_services = data.get("agency_services") or []
    if not isinstance(raw_services, list):
        raise CatalogueError("'agency_services' must be a list")
    services = tuple(_service(raw, n) for n, raw in enumerate(raw_services, start=1))
    raw_information = data.get("information") or []
    if not isinstance(raw_information, list):
        raise CatalogueError("'information' must be a list")
    information = tuple(
        _information(raw, n) for n, raw in enumerate(raw_information, start=1)
    )
    version = data.get("version", 1)
    return Catalogue(
        life_events=events,
        synonyms=synonyms,
        agency_services=services,
        information=information,
        version=version if isinstance(version, int) else 1,
        source=_text(data, "source", "catalogue"),
    )


def _step_to_dict(step: Step) -> dict[str, Any]:
    result: dict[str, Any] = {
        "need": step.need,
        "responsible": step.responsible,
        "activity_hints": list(step.activity_hints),
        "data_items": list(step.data_items),
        "lead_time_days": step.lead_time_days,
    }
    if step.provider:
        result["provider"] = step.provider
    if step.need_en:
        result["need_en"] = step.need_en
    if step.when:
        result["when"] = list(step.when)
    if step.waits_for:
        result["waits_for"] = list(step.waits_for)
    return result


def _event_to_dict(event: LifeEvent) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": event.id, "label_sv": event.label_sv, "label_en": event.label_en,
        "for": event.audience, "description": event.description,
    }
    if event.description_en:
        result["description_en"] = event.description_en
    result["synonyms"] = list(event.synonyms)
    result["steps"] = [_step_to_dict(s) for s in event.steps]
    return result


def _information_to_dict(item: InformationItem) -> dict[str, Any]:
    return {"item": item.item, "holder": item.holder, "holder_en": item.holder_en,
            "may_fetch": list(item.may_fetch), "basis": item.basis, "burden": item.burden}


def catalogue_to_dict(catalogue: Catalogue) -> dict[str, Any]:
    """Return the JSON document of `catalogue` (the inverse of :func:`parse_catalogue`).

    Examples
    --------
    >>> shipped = load_catalogue()
    >>> parse_catalogue(catalogue_to_dict(shipped)) == shipped
    True
    """
    return {
        "version": catalogue.version,
        "source": catalogue.source,
        "synonyms": [list(s) for s in catalogue.synonyms],
        "agency_services": [
            {"agency": s.agency, "key": s.key, "name": s.name, "description": s.description,
             "url": s.url, "lead_time_days": s.lead_time_days}
            for s in catalogue.agency_services
        ],
        "information": [_information_to_dict(i) for i in catalogue.information],
        "life_events": [_event_to_dict(e) for e in catalogue.life_events],
    }


@cache
def load_catalogue(path: Path | None = None) -> Catalogue:
    """Return the catalogue shipped in ``data/catalogue.json`` (or read from `path`).

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> sum(e.audience == "person" for e in catalogue.life_events) >= 20
    True
    """
    with open(path or CATALOGUE_PATH, encoding="utf-8") as handle:
        return parse_catalogue(json.load(handle))
