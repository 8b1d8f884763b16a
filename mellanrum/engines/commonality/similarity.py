"""Which organisations are most alike: structural indicators plus shared concepts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Neighbour", "OrganisationProfile", "similar_organisations"]

NAMES_SV = {
    "population": "invånare",
    "density": "befolkningstäthet",
    "land_area": "landareal",
    "tax_rate": "skattesats",
    "county": "län",
    "skr_group": "kommungrupp",
}
NAMES_EN = {
    "population": "population",
    "density": "population density",
    "land_area": "land area",
    "tax_rate": "tax rate",
    "county": "county",
    "skr_group": "SKR municipality group",
}
CLOSE = 0.25  # |Δz| at or below which a numeric indicator counts as close


@dataclass(frozen=True)
class OrganisationProfile:
    """Structural indicators and activity profile of one organisation.

    Attributes
    ----------
    id : str
        Organisation id.
    numeric : mapping of str to float
        E.g. population, density, land_area, tax_rate (missing keys allowed).
    categorical : mapping of str to str
        E.g. county, skr_group.
    concepts : frozenset of str
        Ids of the concepts the organisation has activities in.
    """

    id: str
    numeric: Mapping[str, float] = field(default_factory=dict)
    categorical: Mapping[str, str] = field(default_factory=dict)
    concepts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Neighbour:
    """An organisation similar to the one asked about, with reasons."""

    organisation: str
    similarity: float
    structural: float
    activity: float | None
    shared_concepts: int
    reasons_sv: tuple[str, ...]
    reasons_en: tuple[str, ...]


def _z_scores(profiles: Sequence[OrganisationProfile]) -> dict[str, dict[str, float]]:
    keys = sorted({k for p in profiles for k in p.numeric})
    result: dict[str, dict[str, float]] = {p.id: {} for p in profiles}
    for key in keys:
        values = {p.id: float(p.numeric[key]) for p in profiles if key in p.numeric}
        data = list(values.values())
        if len(data) < 2:
            continue
        if min(data) > 0 and max(data) / min(data) > 10:
            values = {i: math.log(v) for i, v in values.items()}
            data = list(values.values())
        mean = sum(data) / len(data)
        std = math.sqrt(sum((x - mean) ** 2 for x in data) / len(data)) or 1.0
        for pid, value in values.items():
            result[pid][key] = (value - mean) / std
    return result


def _fmt_sv(value: float) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u00a0").replace(".", ",")


def _fmt_en(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def similar_organisations(
    profiles: Sequence[OrganisationProfile],
    organisation: str,
    *,
    k: int = 5,
    structural_weight: float = 0.6,
) -> list[Neighbour]:
    """Return the `k` organisations most similar to `organisation`.

    Numeric indicators are standardised (z-scores over all profiles; an
    indicator whose positive values span more than a factor 10, such as
    population, is log-transformed first).  The structural distance is the
    mean over indicators both organisations have of ``|Δz|`` for numbers and
    ``0`` (same) or ``1`` (different) for categories; structural similarity
    is ``exp(-distance)``.  Activity similarity is the Jaccard index of the
    concept sets.  The similarity is
    ``structural_weight * structural + (1 - structural_weight) * activity``
    (structural only when either has no concepts).  Ties go to the id.

    Examples
    --------
    >>> profiles = [
    ...     OrganisationProfile("0114", {"population": 45_000}, {"county": "AB"}, frozenset("xyz")),
    ...     OrganisationProfile("0115", {"population": 48_000}, {"county": "AB"}, frozenset("xy")),
    ...     OrganisationProfile("1480", {"population": 600_000}, {"county": "O"}, frozenset("x")),
    ... ]
    >>> [n.organisation for n in similar_organisations(profiles, "0114", k=2)]
    ['0115', '1480']
    >>> similar_organisations(profiles, "0114", k=1)[0].reasons_sv
    ('invånare nära (45\\xa0000 och 48\\xa0000)', 'samma län (AB)', '2 gemensamma verksamheter')
    """
    by_id = {p.id: p for p in profiles}
    if organisation not in by_id:
        raise KeyError(f"unknown organisation {organisation!r}")
    me = by_id[organisation]
    z = _z_scores(profiles)
    result = []
    for other in profiles:
        if other.id == organisation:
            continue
        deltas: list[float] = []
        sv: list[str] = []
        en: list[str] = []
        for key in sorted(set(z[me.id]) & set(z[other.id])):
            delta = abs(z[me.id][key] - z[other.id][key])
            deltas.append(delta)
            if delta <= CLOSE:
                a, b = me.numeric[key], other.numeric[key]
                sv.append(f"{NAMES_SV.get(key, key)} nära ({_fmt_sv(a)} och {_fmt_sv(b)})")
                en.append(f"{NAMES_EN.get(key, key)} close ({_fmt_en(a)} and {_fmt_en(b)})")
        for key in sorted(set(me.categorical) & set(other.categorical)):
            same = me.categorical[key] == other.categorical[key]
            deltas.append(0.0 if same else 1.0)
            if same:
                sv.append(f"samma {NAMES_SV.get(key, key)} ({me.categorical[key]})")
                en.append(f"same {NAMES_EN.get(key, key)} ({me.categorical[key]})")
        structural = math.exp(-sum(deltas) / len(deltas)) if deltas else 0.0
        shared = len(me.concepts & other.concepts)
        union = len(me.concepts | other.concepts)
        activity = shared / union if me.concepts and other.concepts else None
        if activity is None:
            similarity = structural
        else:
            similarity = structural_weight * structural + (1 - structural_weight) * activity
        if shared:
            sv.append(f"{shared} gemensamma verksamheter")
            en.append(f"{shared} shared activities")
        result.append(
            Neighbour(
                organisation=other.id,
                similarity=round(similarity, 6),
                structural=round(structural, 6),
                activity=None if activity is None else round(activity, 6),
                shared_concepts=shared,
                reasons_sv=tuple(sv),
                reasons_en=tuple(en),
            )
        )
    result.sort(key=lambda n: (-n.similarity, n.organisation))
    return result[:k]
