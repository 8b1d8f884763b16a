"""Illustrative demo activity catalogues for Swedish municipalities.

Everything this module produces is **illustrative**: the activities are ones a Swedish
municipality typically runs, but the names, costs, volumes, staffing, lead times, IT systems
(fictitious products from fictitious "Exempelleverantör" vendors) and contact persons are
invented. They are not statistics about any real municipality and must be labelled as demo data
wherever they are shown.

The canonical list lives in ``data/demo_activities.json``: one entry per activity concept with a
KLASSA 2.1 category code, 3-6 naming variants as municipalities write them, and simple per-capita
models for cost, volume and staffing. :func:`demo_catalogue` turns it into one municipality's
catalogue, deterministically from the municipality code (seeded with ``zlib.crc32``, never the
salted built-in ``hash``), so the same activity carries different names in different
municipalities while ``concept_id`` keeps the ground truth for evaluating matching.

Examples
--------
>>> catalogue = demo_catalogue("0180", 995_574)
>>> catalogue == demo_catalogue("0180", 995_574)
True
>>> 80 <= len(catalogue) <= 150
True
>>> bygglov = next(a for a in catalogue if a.concept_id == "bygglov")
>>> bygglov.key, bygglov.kind, bygglov.category_code
('demo-bygglov', 'service', '3.1.5')
>>> all(c.email.endswith(".example") for c in demo_contacts("0180", "Stockholm"))
True
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

__all__ = [
    "CANONICAL_ACTIVITIES",
    "DEMO_SYSTEMS",
    "CanonicalActivity",
    "DemoActivity",
    "DemoContact",
    "demo_catalogue",
    "demo_contacts",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "demo_activities.json"

KINDS = ("service", "process", "eservice")
TIERS = ("core", "common", "rare")
MIN_ACTIVITIES = 80
MAX_ACTIVITIES = 150

# Selection weight of non-core activities (Efraimidis-Spirakis weighted sampling).
_TIER_WEIGHT = {"common": 4.0, "rare": 1.0}
# Populations at which the target catalogue size reaches its lower and upper end.
_SMALL_POPULATION = 2_000
_LARGE_POPULATION = 1_000_000
_OUTLIER_SHARE = 0.05

System = tuple[str, str]


@dataclass(frozen=True)
class CanonicalActivity:
    """One activity concept with its naming variants and per-capita models."""

    concept_id: str
    kind: str
    category_code: str
    tier: str
    description: str
    legal_basis: str
    variants: tuple[str, ...]
    cost_per_inhabitant: Decimal
    volume_base: Decimal
    volume_per_1000: Decimal
    volume_unit: str
    fte_per_10000: Decimal
    lead_time_days: Decimal | None
    systems: tuple[System, ...]


@dataclass(frozen=True)
class DemoActivity:
    """One activity as an (illustrative) municipality would describe it."""

    key: str
    concept_id: str
    name: str
    description: str
    kind: str
    category_code: str
    annual_cost_sek: Decimal
    volume_per_year: Decimal
    volume_unit: str
    fte: Decimal
    lead_time_days: Decimal | None
    legal_basis: str
    systems: tuple[System, ...]


@dataclass(frozen=True)
class DemoContact:
    """A synthetic contact person; the e-mail domain is always ``.example``."""

    name: str
    role: str
    email: str


def _load(path: Path) -> tuple[tuple[System, ...], tuple[CanonicalActivity, ...]]:
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    systems = {key: (s["product"], s["vendor"]) for key, s in raw["systems"].items()}
    activities = []
    seen: set[str] = set()
    for row in raw["activities"]:
        cid = row["concept_id"]
        variants = tuple(row["variants"])
        checks = {
            "duplicate concept_id": cid in seen,
            "unknown kind": row["kind"] not in KINDS,
            "unknown tier": row["tier"] not in TIERS,
            "needs 3-6 distinct variants": not 3 <= len(set(variants)) == len(variants) <= 6,
            "unknown system": any(s not in systems for s in row["systems"]),
        }
        problems = [problem for problem, failed in checks.items() if failed]
        if problems:
            raise ValueError(f"{path.name}: {cid}: {'; '.join(problems)}")
        seen.add(cid)
        lead = row["lead_time_days"]
        activities.append(
            CanonicalActivity(
                concept_id=cid,
                kind=row["kind"],
                category_code=row["category_code"],
                tier=row["tier"],
                description=row["description"],
                legal_basis=row["legal_basis"],
                variants=variants,
                cost_per_inhabitant=Decimal(str(row["cost_per_inhabitant"])),
                volume_base=Decimal(str(row["volume_base"])),
                volume_per_1000=Decimal(str(row["volume_per_1000"])),
                volume_unit=row["volume_unit"],
                fte_per_10000=Decimal(str(row["fte_per_10000"])),
                lead_time_days=None if lead is None else Decimal(str(lead)),
                systems=tuple(systems[s] for s in row["systems"]),
            )
        )
    return tuple(systems.values()), tuple(activities)


DEMO_SYSTEMS: tuple[System, ...]
CANONICAL_ACTIVITIES: Sequence[CanonicalActivity]
DEMO_SYSTEMS, CANONICAL_ACTIVITIES = _load(DATA_FILE)


def _rng(*parts: str) -> random.Random:
    # crc32 is stable across processes and Python versions, unlike the salted hash().
    return random.Random(zlib.crc32("|".join(parts).encode("utf-8")))


def _size_fraction(population: int) -> float:
    """Where the population sits between a very small and a very large municipality, 0-1."""
    low, high = math.log10(_SMALL_POPULATION), math.log10(_LARGE_POPULATION)
    return min(1.0, max(0.0, (math.log10(population) - low) / (high - low)))


def _target_count(municipality_code: str, population: int) -> int:
    fraction = _size_fraction(population)
    target = round(82 + 63 * fraction) + _rng(municipality_code, "count").randint(-3, 3)
    return max(MIN_ACTIVITIES, min(MAX_ACTIVITIES, len(CANONICAL_ACTIVITIES), target))


def _selection_key(activity: CanonicalActivity, rng: random.Random, fraction: float) -> float:
    """Sort key: core first, then weighted random order (larger keys are picked first)."""
    u = rng.random()
    if activity.tier == "core":
        return math.inf
    weight = _TIER_WEIGHT[activity.tier] * (1.0 if activity.tier == "common" else 0.5 + fraction)
    return math.log(u if u > 0 else 1e-12) / weight


def _whole(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _instantiate(
    activity: CanonicalActivity, rng: random.Random, population: int, scale: float
) -> DemoActivity:
    # Always draw the same values in the same order so each stream stays aligned.
    first_weighted = [2.0] + [1.0] * (len(activity.variants) - 1)
    name = rng.choices(activity.variants, weights=first_weighted)[0]
    variation = rng.uniform(0.7, 1.3)
    is_outlier = rng.random() < _OUTLIER_SHARE
    outlier = rng.choice((rng.uniform(0.35, 0.55), rng.uniform(1.6, 2.4)))
    cost_factor = outlier if is_outlier else variation
    volume_factor = rng.uniform(0.7, 1.3)
    fte_factor = rng.uniform(0.75, 1.25)
    lead_factor = rng.uniform(0.5, 1.5)
    n_systems = rng.randint(1, min(2, len(activity.systems))) if activity.systems else 0
    chosen = set(rng.sample(range(len(activity.systems)), n_systems))

    cost = float(activity.cost_per_inhabitant) * population * scale * cost_factor
    volume = (
        float(activity.volume_base) + float(activity.volume_per_1000) * population / 1000
    ) * volume_factor
    fte = float(activity.fte_per_10000) * population / 10_000 * scale * fte_factor
    lead = activity.lead_time_days
    return DemoActivity(
        key=f"demo-{activity.concept_id}",
        concept_id=activity.concept_id,
        name=name,
        description=activity.description,
        kind=activity.kind,
        category_code=activity.category_code,
        annual_cost_sek=max(Decimal(1), _whole(cost)),
        volume_per_year=max(Decimal(1), _whole(volume)),
        volume_unit=activity.volume_unit,
        fte=max(Decimal("0.1"), Decimal(repr(fte)).quantize(Decimal("0.1"), ROUND_HALF_UP)),
        lead_time_days=None if lead is None else max(Decimal(1), _whole(float(lead) * lead_factor)),
        legal_basis=activity.legal_basis,
        systems=tuple(s for i, s in enumerate(activity.systems) if i in chosen),
    )


def demo_catalogue(
    municipality_code: str, population: int, *, count: int | None = None
) -> list[DemoActivity]:
    """Build the illustrative activity catalogue of one municipality.

    Parameters
    ----------
    municipality_code : str
        The four-digit municipality code; it alone seeds every random choice.
    population : int
        Number of inhabitants; costs, volumes and staff scale with it, and larger
        municipalities get more activities (about 80 at 2,000 inhabitants, 145 at a million).
    count : int, optional
        Exact number of activities instead of the size-based target (1 to the number of
        canonical activities). Core statutory activities are chosen before any other.

    Returns
    -------
    list of DemoActivity
        In canonical order, one per chosen concept, with a key of ``demo-<concept_id>``.

    Notes
    -----
    Per-inhabitant costs get a mild economy of scale, ``(population / 50,000) ** -0.05``,
    then +/-30 % municipal variation, and about 5 % of activities become outliers at 0.35-0.55
    or 1.6-2.4 times the model. Volumes vary +/-30 %, staff +/-25 %, lead times +/-50 %.
    """
    if not isinstance(municipality_code, str) or not municipality_code.strip():
        raise ValueError("municipality_code must be a non-empty string")
    if isinstance(population, bool) or not isinstance(population, int) or population < 1:
        raise ValueError(f"population must be a positive integer, not {population!r}")
    total = len(CANONICAL_ACTIVITIES)
    if count is None:
        count = _target_count(municipality_code, population)
    elif isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= total:
        raise ValueError(f"count must be an integer from 1 to {total}, not {count!r}")

    fraction = _size_fraction(population)
    scale = (population / 50_000) ** -0.05
    ranked = []
    for position, activity in enumerate(CANONICAL_ACTIVITIES):
        rng = _rng(municipality_code, activity.concept_id)
        ranked.append((-_selection_key(activity, rng, fraction), position, activity, rng))
    chosen = sorted(sorted(ranked)[:count], key=lambda item: item[1])
    return [_instantiate(activity, rng, population, scale) for _, _, activity, rng in chosen]


_FIRST_NAMES = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Linnea",
    "Lars", "Mikael", "Johan", "Anders", "Erik", "Per", "Karl", "Peter", "Jonas", "Ali",
)  # fmt: skip
_LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Åberg",
)  # fmt: skip
_ROLES = (
    "Bygglovschef", "Socialchef", "Digitaliseringsstrateg", "Förskolechef", "Miljöchef",
    "Äldreomsorgschef", "Ekonomichef", "Kommunikationschef", "Verksamhetsutvecklare",
    "Registrator", "Processledare", "Upphandlingschef", "Kultur- och fritidschef",
)  # fmt: skip


def _ascii_slug(text: str, separator: str = "-") -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", separator, folded.lower()).strip(separator)


def demo_contacts(municipality_code: str, municipality_name: str) -> list[DemoContact]:
    """Return 3-6 synthetic contact persons of one municipality, deterministically.

    E-mail addresses are ``fornamn.efternamn@<municipality-slug>.example``, a reserved domain,
    so nobody is ever mailed by mistake.
    """
    domain = _ascii_slug(municipality_name) or _ascii_slug(municipality_code) or "kommun"
    rng = _rng(municipality_code, "contacts")
    n = rng.randint(3, 6)
    firsts = rng.sample(_FIRST_NAMES, n)  # distinct first names keep e-mails unique
    roles = rng.sample(_ROLES, n)
    contacts = []
    for first, role in zip(firsts, roles, strict=True):
        last = rng.choice(_LAST_NAMES)
        local = f"{_ascii_slug(first, '')}.{_ascii_slug(last, '')}"
        contacts.append(DemoContact(f"{first} {last}", role, f"{local}@{domain}.example"))
    return contacts
