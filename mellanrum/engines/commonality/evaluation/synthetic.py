"""Deterministic synthetic activities for benchmarks: many organisations, varied names."""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from importlib import resources

from mellanrum.engines.commonality.activity import Activity

__all__ = ["synthetic_activities"]

_PREFIXES = (
    "parkering",
    "bostad",
    "miljö",
    "energi",
    "trafik",
    "natur",
    "hamn",
    "kultur",
    "idrott",
    "ungdom",
    "avfall",
    "vatten",
    "brand",
    "fritid",
    "kyrkogård",
    "torg",
    "buller",
    "radon",
    "fastighet",
    "tomt",
    "skog",
    "jakt",
    "fiske",
    "klimat",
    "djur",
    "hund",
    "båt",
)
_SUFFIXES = ("tillstånd", "bidrag", "rådgivning", "tillsyn", "dispens", "register")
_SYSTEMS = ("Castor", "Ärendo", "Vision", "Lifecare", "Treserva", "Procapita", "Platina", "W3D3")


def _variants(prefix: str, suffix: str) -> list[str]:
    compound = prefix + ("s" if prefix.endswith(("ing", "het", "gård")) else "") + suffix
    return [
        compound.capitalize(),
        f"Ansök om {compound}",
        f"{compound.capitalize()} – ansökan",
        f"{suffix.capitalize()} för {prefix}",
        f"Söka {compound}",
    ]


def _typo(name: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 6:
        return name
    i = rng.choice(letters[2:-1])
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _real_concepts() -> dict[str, list[str]]:
    text = (
        resources.files("mellanrum.engines.commonality.evaluation")
        .joinpath("names_sv.csv")
        .read_text("utf-8")
    )
    variants: dict[str, list[str]] = defaultdict(list)
    for row in csv.DictReader(text.splitlines()):
        if row["name"] not in variants[row["gold_concept"]]:
            variants[row["gold_concept"]].append(row["name"])
    return dict(variants)


def synthetic_activities(
    organisations: int = 290,
    per_organisation: int = 150,
    *,
    seed: int = 0,
    typo_rate: float = 0.03,
    unique_rate: float = 0.0,
) -> tuple[list[Activity], dict[str, str]]:
    """Return activities and their gold concepts for a benchmark.

    Concepts are the 69 of the evaluation set (with their real name variants)
    plus compound-built ones ("Parkeringstillstånd", "Tillstånd för
    parkering", ...) up to `per_organisation`.  Every organisation has each
    concept once, under a randomly chosen variant; `typo_rate` of the names
    get two letters swapped; `unique_rate` of them get an organisation-specific
    suffix, making the name unique (worst case for deduplication).  Costs,
    volumes, lead times, systems and populations are random but seeded.

    Examples
    --------
    >>> activities, gold = synthetic_activities(3, 10)
    >>> len(activities), len(set(gold.values()))
    (30, 10)
    >>> synthetic_activities(3, 10)[0] == activities
    True
    """
    rng = random.Random(seed)
    concepts = _real_concepts()
    extra = [(p, s) for s in _SUFFIXES for p in _PREFIXES]
    for prefix, suffix in extra:
        if len(concepts) >= per_organisation:
            break
        concepts[f"syn_{prefix}_{suffix}"] = _variants(prefix, suffix)
    chosen = sorted(concepts)[:per_organisation]
    activities: list[Activity] = []
    gold: dict[str, str] = {}
    for number in range(organisations):
        organisation = f"K{number:05d}"
        population = int(math.exp(rng.uniform(math.log(2_500), math.log(1_000_000))))
        for index, concept in enumerate(chosen):
            name = rng.choice(concepts[concept])
            if rng.random() < typo_rate:
                name = _typo(name, rng)
            if rng.random() < unique_rate:
                name = f"{name} ({organisation.lower()})"
            activity_id = f"{organisation}-{index:03d}"
            per_inhabitant = rng.lognormvariate(math.log(20), 0.5)
            activities.append(
                Activity(
                    id=activity_id,
                    organisation=organisation,
                    name=name,
                    systems=(rng.choice(_SYSTEMS),),
                    annual_cost_sek=round(per_inhabitant * population, 0),
                    volume=float(max(1, int(population * rng.uniform(0.001, 0.01)))),
                    lead_time_days=round(rng.lognormvariate(math.log(21), 0.6), 1),
                    population=population,
                )
            )
            gold[activity_id] = concept
    return activities, gold
