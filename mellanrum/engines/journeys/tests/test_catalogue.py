"""The shipped catalogue meets the issue's requirements, and bad documents are refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mellanrum.engines.journeys import (
    AGENCY_CODES,
    CatalogueError,
    catalogue_to_dict,
    load_catalogue,
    parse_catalogue,
)


def test_it_has_at_least_20_person_and_5_business_events_with_4_to_12_steps() -> None:
    catalogue = load_catalogue()
    audiences = [e.audience for e in catalogue.life_events]
    assert audiences.count("person") >= 20
    assert audiences.count("business") >= 5
    for event in catalogue.life_events:
        assert 4 <= len(event.steps) <= 12, event.id
        assert event.label_en, event.id
        assert event.synonyms, event.id


def test_it_covers_the_life_events_named_in_the_issue() -> None:
    ids = {e.id for e in load_catalogue().life_events}
    assert {
        "fa-barn", "borja-skolan", "flytta-till-annan-kommun", "aldras-stod-hemma",
        "anhorig-demens", "forlora-jobbet", "langvarigt-sjuk", "flykting-ny-i-sverige",
        "skilsmassa", "dodsfall-i-familjen", "starta-foretag", "oppna-restaurang", "bygga-hus",
        "anstalla-forsta", "avveckla-foretag",
    } <= ids


def test_who_does_what_follows_swedish_practice() -> None:
    events = {e.id: e for e in load_catalogue().life_events}
    move = events["flytta-till-annan-kommun"]
    assert move.steps[0].responsible == "agency:SKV"
    child = {s.need: s.responsible for s in events["fa-barn"].steps}
    assert child["Barnbidrag"] == "agency:FK"
    assert "agency:BOLV" in {s.responsible for s in events["starta-foretag"].steps}
    assert all(s.agency in AGENCY_CODES for e in events.values() for s in e.steps if s.agency)


def test_every_agency_has_services() -> None:
    agencies = {s.agency for s in load_catalogue().agency_services}
    assert agencies == set(AGENCY_CODES)


def test_export_and_parse_round_trip() -> None:
    catalogue = load_catalogue()
    assert parse_catalogue(catalogue_to_dict(catalogue)) == catalogue


def _doc() -> dict[str, Any]:
    return copy.deepcopy(catalogue_to_dict(load_catalogue()))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("life_events"), "'life_events' must be a list"),
        (lambda d: d["life_events"][0].update(id="Not a slug"), "must be a slug"),
        (lambda d: d["life_events"][0].update(steps=[]), "non-empty list"),
        (lambda d: d["life_events"][0]["steps"][0].update(responsible="kommun"),
         "unknown responsible"),
        (lambda d: d["life_events"][0]["steps"][0].update(lead_time_days=-3), "whole number"),
        (lambda d: d["life_events"][0]["steps"][0].update(need=""), "'need' is required"),
        (lambda d: d["life_events"][1].update(id=d["life_events"][0]["id"]), "appears twice"),
        (lambda d: d["life_events"][0].update({"for": "cat"}), "person or business"),
        (lambda d: d["agency_services"][0].update(agency="XYZ"), "unknown agency"),
    ],
)
def test_it_refuses_a_bad_document_naming_the_problem(change: Any, message: str) -> None:
    document = _doc()
    change(document)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(document)


def test_it_refuses_what_is_not_an_object() -> None:
    with pytest.raises(CatalogueError):
        parse_catalogue([1, 2, 3])
