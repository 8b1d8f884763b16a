"""Citizen journeys: life events, their steps across organisations, and the finder.

Plain Python (no Django).  :func:`resolve_journey` maps a life event to the organisations
and activities of a place and counts organisations, hand-offs, borders, repeated
information, lead time and gaps; :func:`find` ranks life events and services for a need
written in everyday Swedish.  The starting catalogue is ``data/catalogue.json``.
"""

from mellanrum.engines.journeys.catalogue import (
    AgencyService,
    Catalogue,
    CatalogueError,
    catalogue_to_dict,
    load_catalogue,
    parse_catalogue,
)
from mellanrum.engines.journeys.finder import EventMatch, Finder, FindResult, ServiceMatch, find
from mellanrum.engines.journeys.matching import TextMatcher, text_matcher
from mellanrum.engines.journeys.model import (
    AGENCY_CODES,
    ActivityRef,
    InformationItem,
    LifeEvent,
    OrganisationRef,
    Place,
    Step,
)
from mellanrum.engines.journeys.resolve import (
    CITIZEN_KINDS,
    FetchableItem,
    Handoff,
    JourneyAnalysis,
    RepeatedItem,
    ResolvedStep,
    resolve_journey,
)

__all__ = [
    "AGENCY_CODES",
    "CITIZEN_KINDS",
    "ActivityRef",
    "AgencyService",
    "Catalogue",
    "CatalogueError",
    "EventMatch",
    "FetchableItem",
    "FindResult",
    "Finder",
    "Handoff",
    "InformationItem",
    "JourneyAnalysis",
    "LifeEvent",
    "OrganisationRef",
    "Place",
    "RepeatedItem",
    "ResolvedStep",
    "ServiceMatch",
    "Step",
    "TextMatcher",
    "catalogue_to_dict",
    "find",
    "load_catalogue",
    "parse_catalogue",
    "resolve_journey",
    "text_matcher",
]
