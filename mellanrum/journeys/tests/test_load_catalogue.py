from __future__ import annotations

import pytest

from mellanrum.journeys import analysis
from mellanrum.journeys.actions import do_load_catalogue, ensure_catalogue
from mellanrum.journeys.models import CatalogueSetting, LifeEvent, Step
from mellanrum.landscape.models import Activity


def _snapshot() -> list[tuple[object, ...]]:
    return list(Step.objects.order_by("life_event__slug", "position").values_list(
        "life_event__slug", "position", "need", "responsible", "activity_hints", "data_items",
        "lead_time_days"))


def test_it_loads_the_shipped_catalogue(full_reference: None) -> None:
    counts = do_load_catalogue()
    shipped = analysis.shipped_catalogue()
    assert counts["life_events_created"] == len(shipped.life_events)
    assert LifeEvent.objects.filter(audience="person").count() >= 20
    assert LifeEvent.objects.filter(audience="business").count() >= 5
    assert CatalogueSetting.objects.get().synonyms
    assert Activity.objects.filter(organisation__code="SKV",
                                   name="Flyttanmälan till folkbokföringen").exists()


def test_loading_twice_changes_nothing(reference: None) -> None:
    do_load_catalogue()
    before = (_snapshot(), Activity.objects.count())
    counts = do_load_catalogue()
    assert counts == {"life_events_created": 0, "life_events_updated": 0,
                      "agency_services_created": 0}
    assert (_snapshot(), Activity.objects.count()) == before


def test_loading_keeps_edits_unless_asked_to_replace(reference: None) -> None:
    do_load_catalogue()
    LifeEvent.objects.filter(slug="fa-barn").update(label_sv="Få barn (redigerad)")
    do_load_catalogue()
    assert LifeEvent.objects.get(slug="fa-barn").label_sv == "Få barn (redigerad)"
    do_load_catalogue(replace=True)
    assert LifeEvent.objects.get(slug="fa-barn").label_sv == "Få barn"


def test_without_agencies_it_still_loads_the_life_events(db: None) -> None:
    do_load_catalogue()
    assert LifeEvent.objects.count() == len(analysis.shipped_catalogue().life_events)
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_ensure_catalogue_loads_only_into_an_empty_database() -> None:
    ensure_catalogue()
    count = LifeEvent.objects.count()
    LifeEvent.objects.filter(slug="fa-barn").delete()
    ensure_catalogue()
    assert LifeEvent.objects.count() == count - 1
