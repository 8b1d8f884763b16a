"""Journey analysis and the finder as JSON, in the same shapes as the CLI.

Public, like the finder page and the catalogue: no login needed.
"""

import re
from typing import Any

from django.http import HttpRequest
from django.utils.html import strip_tags
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from mellanrum.landscape.models import Organisation

from . import actions, analysis

router = Router(tags=["journeys"])

MAX_QUERY_LENGTH = 500


class JourneyQuery(Schema):
    municipality: str
    to: str = ""


class FindQuery(Schema):
    q: str
    municipality: str = ""


def _municipality(code: str) -> Organisation:
    code = code.strip()
    found = None
    if re.fullmatch(r"\d{4}", code):
        found = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY,
                                            code=code).first()
    if found is None:
        raise HttpError(404, f"unknown municipality code {code[:20]!r}")
    return found


@router.get("/life-events", auth=None)
def list_life_events(request: HttpRequest) -> list[dict[str, Any]]:
    """The life events of the catalogue (id, label, for)."""
    actions.ensure_catalogue()
    events, _synonyms = analysis.engine_catalogue()
    return [{"id": e.id, "label": e.label_sv, "label_en": e.label_en, "for": e.audience,
             "steps": len(e.steps)} for e in events]


@router.get("/journeys/{life_event}", auth=None)
def journey(request: HttpRequest, life_event: str, filters: Query[JourneyQuery]) -> dict[str, Any]:
    """A life event resolved in a municipality (and `to` for moves), with its analysis."""
    actions.ensure_catalogue()
    municipality = _municipality(filters.municipality)
    to = _municipality(filters.to) if filters.to.strip() else None
    try:
        return analysis.journey_for_place(life_event, municipality, to)
    except analysis.UnknownLifeEvent:
        raise HttpError(404, f"unknown life event {life_event[:80]!r}") from None


@router.get("/find", auth=None)
def find(request: HttpRequest, filters: Query[FindQuery]) -> dict[str, Any]:
    """Life events and services for a need in everyday words, best first."""
    actions.ensure_catalogue()
    if len(filters.q) > MAX_QUERY_LENGTH:
        raise HttpError(422, f"the query is longer than {MAX_QUERY_LENGTH} characters")
    query = " ".join(strip_tags(filters.q).split())
    if not query:
        raise HttpError(422, "the query is empty")
    municipality = _municipality(filters.municipality) if filters.municipality.strip() else None
    return analysis.find_for_place(query, municipality)
