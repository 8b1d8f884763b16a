"""The input of the commonality engine: one activity of one organisation."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Activity"]


@dataclass(frozen=True)
class Activity:
    """A service, process or e-service of an organisation.

    Attributes
    ----------
    id : str
        Stable id, unique over all organisations.
    organisation : str
        Stable organisation id (e.g. municipality code).
    name : str
        The organisation's own name for the activity.
    description : str, optional
        Free text; it counts less than the name.
    kind : str, optional
        "service", "process", "e-service", ... (reported, not matched on).
    systems : tuple of str
        IT systems / products used for the activity.
    annual_cost_sek : float, optional
        Yearly cost in kronor.
    volume : float, optional
        Cases (ärenden) per year.
    lead_time_days : float, optional
        Typical lead time in days.
    population : int, optional
        Inhabitants of the organisation, for cost per inhabitant.
    language : {"sv", "en"}, optional
        Language of name and description; the call's language by default.

    Examples
    --------
    >>> Activity("a1", "0180", "Ansök om bygglov", systems=("Castor",)).systems
    ('Castor',)
    """

    id: str
    organisation: str
    name: str
    description: str | None = None
    kind: str | None = None
    systems: tuple[str, ...] = ()
    annual_cost_sek: float | None = None
    volume: float | None = None
    lead_time_days: float | None = None
    population: int | None = None
    language: str | None = None
