"""The finder on everyday phrasings (evaluation/phrasings_sv.csv), typos and bad input.

The phrasings were written before the finder was tuned; the `holdout` rows were never used
for tuning. docs/journeys.md reports the accuracy.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mellanrum.engines.journeys import (
    ActivityRef,
    OrganisationRef,
    Place,
    find,
    load_catalogue,
)

PHRASINGS = Path(__file__).resolve().parents[1] / "evaluation" / "phrasings_sv.csv"
CATALOGUE = load_catalogue()


def _rows(split: str | None = None) -> list[dict[str, str]]:
    with open(PHRASINGS, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if split is None or r["split"] == split]


def _ids(text: str) -> list[str]:
    result = find(text, CATALOGUE.life_events, synonyms=CATALOGUE.synonyms)
    return [m.event.id for m in result.life_events]


def _accuracy(split: str) -> tuple[float, float]:
    rows = _rows(split)
    top1 = sum(_ids(r["text"])[:1] == [r["expected"]] for r in rows) / len(rows)
    top3 = sum(r["expected"] in _ids(r["text"])[:3] for r in rows) / len(rows)
    return top1, top3


def test_the_table_has_at_least_40_phrasings_with_known_life_events() -> None:
    rows = _rows()
    assert len(rows) >= 40
    known = {e.id for e in CATALOGUE.life_events}
    assert {r["expected"] for r in rows} <= known
    assert len(_rows("holdout")) >= 20


@pytest.mark.parametrize(("split", "top1_floor", "top3_floor"),
                         [("tune", 0.95, 0.97), ("holdout", 0.85, 0.9)])
def test_accuracy_floor(split: str, top1_floor: float, top3_floor: float) -> None:
    top1, top3 = _accuracy(split)
    assert top1 >= top1_floor
    assert top3 >= top3_floor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("flyttar", "flytta-till-annan-kommun"),
        ("fytta", "flytta-till-annan-kommun"),
        ("äldreboende", "aldras-stod-hemma"),
        ("särskilt boende", "aldras-stod-hemma"),
        ("mamma klarar sig inte hemma längre", "aldras-stod-hemma"),
        ("jag vill starta ett kafé", "oppna-restaurang"),
        ("jag vill starta ett cafe", "oppna-restaurang"),
        ("hemtjänts", "aldras-stod-hemma"),
        ("FÖRÄLDRAPENNING", "fa-barn"),
    ],
)
def test_everyday_words_and_typos_find_the_life_event(text: str, expected: str) -> None:
    assert _ids(text)[:1] == [expected]


@pytest.mark.parametrize("text", ["", "   ", "och i på", "<b></b>", "!!!"])
def test_empty_or_wordless_queries_find_nothing(text: str) -> None:
    assert _ids(text) == []


def test_a_10000_character_query_is_cut_and_answered() -> None:
    assert _ids("flytta " * 1500)[:1] == ["flytta-till-annan-kommun"]


def test_nonsense_finds_nothing_confidently() -> None:
    assert _ids("xqzzt blorf") == []


NACKA = OrganisationRef("0182", "Nacka kommun", "municipality", "01")
STHLM = OrganisationRef("01", "Region Stockholm", "region", "01")
PM = OrganisationRef("PM", "Pensionsmyndigheten", "state_agency")
SERVICES = [
    ActivityRef("1", "Hemtjänst", NACKA),
    ActivityRef("2", "Trygghetslarm", NACKA),
    ActivityRef("3", "Bygglov", NACKA),
    ActivityRef("4", "Hjälpmedel – förskrivning", STHLM),
    ActivityRef("5", "Bostadstillägg för pensionärer", PM),
]


def test_services_of_the_best_life_event_come_with_what_to_prepare() -> None:
    place = Place(NACKA, region=STHLM, agencies={"PM": PM})
    result = find("mamma klarar sig inte hemma längre", CATALOGUE.life_events, SERVICES,
                  synonyms=CATALOGUE.synonyms, place=place)
    names = [s.activity.name for s in result.services]
    assert names[:2] == ["Hemtjänst", "Trygghetslarm"]
    assert "Bygglov" not in names
    assert {"Hjälpmedel – förskrivning", "Bostadstillägg för pensionärer"} <= set(names)
    assert "personnummer" in result.services[0].data_items
    assert result.services[0].life_event_id == "aldras-stod-hemma"


def test_a_service_named_in_the_query_is_found_directly() -> None:
    result = find("bygglov", CATALOGUE.life_events, SERVICES, synonyms=CATALOGUE.synonyms)
    assert "Bygglov" in [s.activity.name for s in result.services]


def test_scores_are_ordered_and_between_0_and_1() -> None:
    result = find("vi ska flytta till Nacka", CATALOGUE.life_events, SERVICES,
                  synonyms=CATALOGUE.synonyms)
    scores = [m.score for m in result.life_events]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
