"""Tests for the illustrative demo activity catalogues (mellanrum.landscape.demo_catalogue)."""

from __future__ import annotations

import csv
import dataclasses
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from mellanrum.landscape.demo_catalogue import (
    CANONICAL_ACTIVITIES,
    DEMO_SYSTEMS,
    DemoActivity,
    demo_catalogue,
    demo_contacts,
)

# The reference data shipped in the package (copied unchanged from the project's shared data).
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
KLASSA_CSV = REFERENCE / "klassa21_vo_pg.csv"
POPULATION_CSV = REFERENCE / "population_municipalities_2024.csv"
REPO = Path(__file__).resolve().parents[3]

STOCKHOLM = ("0180", 995_574)
BJURHOLM = ("2403", 2_359)
BY_CONCEPT = {a.concept_id: a for a in CANONICAL_ACTIVITIES}


def _stockholm_county() -> list[tuple[str, int]]:
    with POPULATION_CSV.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["county_code"] == "01"]
    return [(r["municipality_code"], int(r["population"])) for r in rows]


def test_same_inputs_give_identical_catalogue() -> None:
    first = demo_catalogue("0114", 50_323)
    assert first == demo_catalogue("0114", 50_323)
    assert demo_contacts("0114", "Upplands Väsby") == demo_contacts("0114", "Upplands Väsby")


def test_it_does_not_depend_on_the_hash_seed() -> None:
    script = (
        "from mellanrum.landscape.demo_catalogue import demo_catalogue;"
        "print([(a.key, a.name, str(a.annual_cost_sek)) for a in demo_catalogue('1480', 600000)])"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout)
    here = [(a.key, a.name, str(a.annual_cost_sek)) for a in demo_catalogue("1480", 600_000)]
    assert outputs == {f"{here}\n"}


def test_it_imports_no_django() -> None:
    script = "import sys, mellanrum.landscape.demo_catalogue;print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True
    )
    assert result.stdout.strip() == "False", result.stderr


def test_different_municipalities_name_the_same_activity_differently() -> None:
    a = {x.concept_id: x.name for x in demo_catalogue("0114", 50_000)}
    b = {x.concept_id: x.name for x in demo_catalogue("0115", 50_000)}
    shared = a.keys() & b.keys()
    assert len(shared) >= 60
    differing = sum(a[c] != b[c] for c in shared)
    assert differing / len(shared) >= 0.5


@pytest.mark.parametrize("population", [2_300, 2_359, 9_000, 50_000, 250_000, 1_000_000])
@pytest.mark.parametrize("code", ["0180", "2403", "1280", "0114", "2584"])
def test_catalogue_has_80_to_150_activities(code: str, population: int) -> None:
    assert 80 <= len(demo_catalogue(code, population)) <= 150


def test_larger_municipalities_run_more_activities() -> None:
    for code in ("0180", "2403", "1280"):
        assert len(demo_catalogue(code, 1_000_000)) > len(demo_catalogue(code, 2_300)) + 40


def test_every_municipality_runs_the_core_activities() -> None:
    core = {a.concept_id for a in CANONICAL_ACTIVITIES if a.tier == "core"}
    assert len(core) >= 40
    for code, population in [BJURHOLM, STOCKHOLM, ("0187", 11_822)]:
        assert core <= {a.concept_id for a in demo_catalogue(code, population)}


def test_every_category_code_exists_in_klassa() -> None:
    with KLASSA_CSV.open(encoding="utf-8") as f:
        known = {row["id"] for row in csv.DictReader(f)}
    assert "3.1.5" in known
    used = {a.category_code for a in CANONICAL_ACTIVITIES}
    used |= {a.category_code for a in demo_catalogue(*STOCKHOLM)}
    assert used - known == set()


def test_keys_are_unique_and_name_the_concept() -> None:
    for code, population in [BJURHOLM, STOCKHOLM]:
        catalogue = demo_catalogue(code, population)
        keys = [a.key for a in catalogue]
        assert len(set(keys)) == len(keys)
        assert all(a.key == f"demo-{a.concept_id}" for a in catalogue)
    concept_ids = [a.concept_id for a in CANONICAL_ACTIVITIES]
    assert len(set(concept_ids)) == len(concept_ids)


def test_cost_scales_with_population() -> None:
    big = sum(a.annual_cost_sek for a in demo_catalogue(*STOCKHOLM))
    small = sum(a.annual_cost_sek for a in demo_catalogue(*BJURHOLM))
    assert big > 100 * small
    for total, (_, population) in [(big, STOCKHOLM), (small, BJURHOLM)]:
        assert Decimal(20_000) < total / population < Decimal(150_000)


def test_per_inhabitant_cost_stays_in_band_across_the_county() -> None:
    for code, population in _stockholm_county():
        total = sum(a.annual_cost_sek for a in demo_catalogue(code, population))
        assert Decimal(20_000) < total / population < Decimal(150_000), code


def test_municipal_variation_includes_outliers_but_mostly_stays_within_30_percent() -> None:
    ratios = []
    for code, population in _stockholm_county():
        for activity in demo_catalogue(code, population):
            model = BY_CONCEPT[activity.concept_id].cost_per_inhabitant * population
            ratios.append(activity.annual_cost_sek / model)
    scale_band = [r for r in ratios if Decimal("0.6") <= r <= Decimal("1.45")]
    assert len(scale_band) / len(ratios) > 0.85
    assert any(r > Decimal("1.55") for r in ratios)
    assert any(r < Decimal("0.55") for r in ratios)


def test_lead_times_vary_within_half_the_typical_value() -> None:
    seen_none = False
    for activity in demo_catalogue("0184", 85_789):
        typical = BY_CONCEPT[activity.concept_id].lead_time_days
        if typical is None:
            assert activity.lead_time_days is None
            seen_none = True
            continue
        assert activity.lead_time_days is not None
        low = max(Decimal(1), typical * Decimal("0.5") - 1)
        assert low <= activity.lead_time_days <= typical * Decimal("1.5") + 1
    assert seen_none


def test_numbers_have_the_documented_precision() -> None:
    for activity in demo_catalogue(*BJURHOLM):
        assert isinstance(activity, DemoActivity)
        assert activity.annual_cost_sek == activity.annual_cost_sek.to_integral_value() > 0
        assert activity.volume_per_year == activity.volume_per_year.to_integral_value() >= 1
        assert activity.fte == activity.fte.quantize(Decimal("0.1")) >= Decimal("0.1")
        assert activity.volume_unit
        assert activity.kind in {"service", "process", "eservice"}


def test_systems_come_from_the_candidates() -> None:
    assert len(set(DEMO_SYSTEMS)) == len(DEMO_SYSTEMS) >= 20
    for activity in demo_catalogue(*STOCKHOLM):
        candidates = BY_CONCEPT[activity.concept_id].systems
        assert set(activity.systems) <= set(candidates) <= set(DEMO_SYSTEMS)
        assert bool(activity.systems) == bool(candidates)
    assert all(vendor.startswith("Exempelleverantör") for _, vendor in DEMO_SYSTEMS)


def test_canonical_list_is_large_and_covers_every_kind() -> None:
    assert 160 <= len(CANONICAL_ACTIVITIES) <= 200
    kinds = {a.kind for a in CANONICAL_ACTIVITIES}
    assert kinds == {"service", "process", "eservice"}
    with pytest.raises(TypeError):
        # Deliberately writing to the tuple: it must refuse.
        CANONICAL_ACTIVITIES[0] = CANONICAL_ACTIVITIES[1]  # type: ignore[index]


def test_every_canonical_activity_has_three_to_six_distinct_variants() -> None:
    for activity in CANONICAL_ACTIVITIES:
        variants = {v.casefold() for v in activity.variants}
        assert 3 <= len(variants) == len(activity.variants) <= 6, activity.concept_id


def test_names_are_variants_of_their_concept() -> None:
    for activity in demo_catalogue("0182", 112_112):
        assert activity.name in BY_CONCEPT[activity.concept_id].variants


def test_variant_spread_across_stockholm_county() -> None:
    county = _stockholm_county()
    assert len(county) == 26
    names: dict[str, set[str]] = defaultdict(set)
    runs: dict[str, int] = defaultdict(int)
    for code, population in county:
        for activity in demo_catalogue(code, population):
            names[activity.concept_id].add(activity.name)
            runs[activity.concept_id] += 1
    common = [c for c, n in runs.items() if n >= 20]
    assert len(common) >= 60
    spread = [c for c in common if len(names[c]) >= 2]
    assert len(spread) / len(common) >= 0.9


def test_count_picks_exactly_that_many_with_core_first() -> None:
    core = [a.concept_id for a in CANONICAL_ACTIVITIES if a.tier == "core"]
    assert len(demo_catalogue("0180", 995_574, count=len(CANONICAL_ACTIVITIES))) == len(
        CANONICAL_ACTIVITIES
    )
    small = demo_catalogue("0180", 995_574, count=10)
    assert [a.concept_id for a in small] == core[:10]


@pytest.mark.parametrize(
    ("code", "population", "count"),
    [("", 1000, None), ("0180", 0, None), ("0180", True, None), ("0180", 1000, 0),
     ("0180", 1000, len(CANONICAL_ACTIVITIES) + 1)],
)  # fmt: skip
def test_it_rejects_bad_input(code: str, population: int, count: int | None) -> None:
    with pytest.raises(ValueError):
        demo_catalogue(code, population, count=count)


def test_demo_activity_is_frozen() -> None:
    activity = demo_catalogue(*BJURHOLM)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        activity.name = "Annat namn"  # type: ignore[misc]  # deliberately: it must refuse


def test_contacts_are_synthetic_and_never_mailable() -> None:
    emails = []
    for code, name in [("0114", "Upplands Väsby"), ("2403", "Bjurholm"), ("1480", "Göteborg")]:
        contacts = demo_contacts(code, name)
        assert 3 <= len(contacts) <= 6
        assert len({c.email for c in contacts}) == len(contacts)
        assert all(c.role and " " in c.name for c in contacts)
        emails += [c.email for c in contacts]
    assert all(e.endswith(".example") for e in emails)
    assert all(e.isascii() and e.count("@") == 1 for e in emails)
    assert any(e.endswith("@upplands-vasby.example") for e in emails)
    assert any(e.endswith("@goteborg.example") for e in emails)
