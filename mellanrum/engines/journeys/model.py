"""Plain records of the journeys engine: life events, their steps, places and activities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "AGENCY_CODES",
    "AUDIENCES",
    "InformationItem",
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
    need_en : str
        The need in English (empty: the Swedish text is shown).
    when : tuple of str
        Words that say when the step applies (a building plot only when a new house is
        built).  A step with `when` is offered by the finder only for a query that matches
        one of them; journeys always show it.  Empty: the step always applies.
    waits_for : tuple of int
        Numbers (1-based) of the earlier steps that must be done before this one can start.
        Steps that wait for nothing start at once, in parallel.

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
    need_en: str = ""
    when: tuple[str, ...] = ()
    waits_for: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        check_responsible(self.responsible)
        if any(n < 1 for n in self.waits_for):
            raise ValueError("waits_for holds step numbers from 1")
        if not self.need.strip():
            raise ValueError("a step needs a need")
        if self.lead_time_days is not None and self.lead_time_days < 0:
            raise ValueError("lead time cannot be negative")

    def need_in(self, language: str = "sv") -> str:
        """The need in `language` (English falls back to Swedish)."""
        return (self.need_en or self.need) if language == "en" else self.need

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
    description_en: str = ""

    def __post_init__(self) -> None:
        for number, step in enumerate(self.steps, start=1):
            if any(n >= number for n in step.waits_for):
                raise ValueError(
                    f"life event {self.id} step {number}: a step can only wait for earlier steps"
                )
        if not _SLUG.match(self.id):
            raise ValueError(f"life event id {self.id!r} must be a slug (a-z, 0-9, -)")
        if self.audience not in AUDIENCES:
            raise ValueError(f"life event {self.id}: 'for' must be person or business")
        if not self.label_sv.strip():
            raise ValueError(f"life event {self.id}: a Swedish label is required")

    def label(self, language: str = "sv") -> str:
        """The label in `language` (English falls back to Swedish)."""
        return (self.label_en or self.label_sv) if language == "en" else self.label_sv

    def description_in(self, language: str = "sv") -> str:
        """The description in `language` (English falls back to Swedish)."""
        return (self.description_en or self.description) if language == "en" else self.description


@dataclass(frozen=True)
class InformationItem:
    """Who already holds a piece of information a step asks for, and who may fetch it.

    Attributes
    ----------
    item : str
        The data item as steps name it (``inkomst``).
    holder : str
        The authority and register that hold it (``Skatteverket (beskattningsuppgifter)``).
    may_fetch : tuple of str
        Responsible kinds (as in :class:`Step`) that may fetch it themselves, or ``*`` for
        every public organisation.  A step whose responsible kind is listed asks for it
        although it could fetch it.
    basis : str
        The legal basis or known service for fetching it (``SSBTEK``, ``Navet``).
    burden : bool
        False for identifiers such as personnummer: giving them costs the person nothing.
    """

    item: str
    holder: str
    may_fetch: tuple[str, ...] = ()
    basis: str = ""
    burden: bool = True
    holder_en: str = ""

    def fetchable_by(self, responsible: str) -> bool:
        """Whether an organisation of the `responsible` kind may fetch the item itself."""
        return "*" in self.may_fetch or responsible in self.may_fetch


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
    """An activity of an organisation, as matched against steps and queries.

    `kind` is the landscape's kind: ``service`` or ``eservice`` (a citizen can use it) or
    ``process`` (internal work, never offered to citizens).
    """

    id: str
    name: str
    organisation: OrganisationRef
    description: str = ""
    lead_time_days: float | None = None
    url: str = ""
    kind: str = "service"


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
