"""Plain records of the journeys engine: life events, their steps, places and activities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "AGENCY_CODES",
    "AUDIENCES",
    "LOCAL_KINDS",
    "ActivityRef",
    "LifeEvent",
    "OrganisationRef",
    "Place",
    "Step",
    "check_responsible",
]

AUDIENCES = ("person", "business")
# The national agencies of the reference data (`landscape/reference.py`).
AGENCY_CODES = ("SKV", "FK", "AF", "PM", "CSN", "MIGR", "BOLV", "TS")
LOCAL_KINDS = ("home_municipality", "new_municipality", "region", "new_region", "other")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_responsible(value: str) -> str:
    """Return `value` if it names a responsible kind, else raise ValueError.

    Examples
    --------
    >>> check_responsible("agency:SKV")
    'agency:SKV'
    >>> check_responsible("county")
    Traceback (most recent call last):
    ...
    ValueError: unknown responsible 'county'; expected one of home_municipality, \
new_municipality, region, new_region, other or agency:SKV, agency:FK, ...
    """
    if value in LOCAL_KINDS:
        return value
    if value.startswith("agency:") and value[len("agency:") :] in AGENCY_CODES:
        return value
    raise ValueError(
        f"unknown responsible {value!r}; expected one of {', '.join(LOCAL_KINDS)} "
        "or agency:SKV, agency:FK, ..."
    )


@dataclass(frozen=True)
class Step:
    """One step of a life event: a need and who is responsible for meeting it.

    Attributes
    ----------
    need : str
        What the person needs, in Swedish (``"Anmäla flytten"``).
    responsible : str
        ``home_municipality``, ``new_municipality``, ``region``, ``new_region``,
        ``agency:<CODE>`` (SKV, FK, AF, PM, CSN, MIGR, BOLV, TS) or ``other``.
    activity_hints : tuple of str
        Words or phrases that identify the activity serving the step.
    data_items : tuple of str
        Information the person is asked for (``personnummer``, ``adress``, ...).
    lead_time_days : int or None
        Typical lead time of the step.
    provider : str
        Who serves an ``other`` step (``"A-kassan"``); empty otherwise.

    Examples
    --------
    >>> Step("Anmäla flytten", "agency:SKV", ("flyttanmälan",), ("personnummer",), 5).agency
    'SKV'
    """

    need: str
    responsible: str
    activity_hints: tuple[str, ...] = ()
    data_items: tuple[str, ...] = ()
    lead_time_days: int | None = None
    provider: str = ""

    def __post_init__(self) -> None:
        check_responsible(self.responsible)
        if not self.need.strip():
            raise ValueError("a step needs a need")
        if self.lead_time_days is not None and self.lead_time_days < 0:
            raise ValueError("lead time cannot be negative")

    @property
    def agency(self) -> str | None:
        """The agency code of an ``agency:<CODE>`` step, else None."""
        if self.responsible.startswith("agency:"):
            return self.responsible[len("agency:") :]
        return None


@dataclass(frozen=True)
class LifeEvent:
    """A life event of a person or a business, with its ordered steps.

    Examples
    --------
    >>> event = LifeEvent("ta-korkort", "Ta körkort", "Getting a driving licence", "person",
    ...                   steps=(Step("Körkortstillstånd", "agency:TS"),))
    >>> event.label("en"), len(event.steps)
    ('Getting a driving licence', 1)
    """

    id: str
    label_sv: str
    label_en: str
    audience: str
    description: str = ""
    synonyms: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    def __post_init__(self) -> None:
        if not _SLUG.match(self.id):
            raise ValueError(f"life event id {self.id!r} must be a slug (a-z, 0-9, -)")
        if self.audience not in AUDIENCES:
            raise ValueError(f"life event {self.id}: 'for' must be person or business")
        if not self.label_sv.strip():
            raise ValueError(f"life event {self.id}: a Swedish label is required")

    def label(self, language: str = "sv") -> str:
        """The label in `language` (English falls back to Swedish)."""
        return (self.label_en or self.label_sv) if language == "en" else self.label_sv


@dataclass(frozen=True)
class OrganisationRef:
    """An organisation as the engine sees it (code, name, kind and county).

    `kind` is ``municipality``, ``region`` or ``state_agency`` (other kinds are allowed
    and treated as neither).
    """

    code: str
    name: str
    kind: str
    county_code: str = ""


@dataclass(frozen=True)
class ActivityRef:
    """An activity (service) of an organisation, as matched against steps and queries."""

    id: str
    name: str
    organisation: OrganisationRef
    description: str = ""
    lead_time_days: float | None = None
    url: str = ""


@dataclass(frozen=True)
class Place:
    """Where a journey happens: the home municipality and, for moves, the new one.

    Regions and agencies are looked up by the caller (the region of a municipality is the
    one with its county code).

    Examples
    --------
    >>> home = OrganisationRef("0182", "Nacka kommun", "municipality", "01")
    >>> Place(home).to is None
    True
    """

    municipality: OrganisationRef
    region: OrganisationRef | None = None
    to: OrganisationRef | None = None
    to_region: OrganisationRef | None = None
    agencies: dict[str, OrganisationRef] = field(default_factory=dict)
