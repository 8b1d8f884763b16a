"""'My similar municipalities' (Kolada's, for the area that fits a concept) on the concept page,
the opportunity list and the counterparts search."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Concept
from mellanrum.core.models import User
from mellanrum.kolada.analysis import concept_area, my_similar
from mellanrum.kolada.models import ConceptKpi
from mellanrum.landscape.models import Activity, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings: Any) -> None:
    settings.TASKS_INLINE = True


@pytest.fixture
def sara(db: None) -> User:
    orgs = {code: Organisation.objects.create(code=code, name=name, kind="municipality",
                                              county_code=code[:2], population=population)
            for code, name, population in (("0180", "Stockholms stad", 990_000),
                                           ("1280", "Malmö stad", 360_000),
                                           ("0182", "Nacka kommun", 110_000))}
    # Bygglov in all three; street lighting only in Stockholm and Nacka (not similar).
    for code in orgs:
        Activity.objects.create(organisation=orgs[code], key="bl", name="Ansökan om bygglov",
                                annual_cost_sek=Decimal(1_000_000), lead_time_days=Decimal(30))
    for code in ("0180", "0182"):
        Activity.objects.create(organisation=orgs[code], key="gb", name="Gatubelysning",
                                annual_cost_sek=Decimal(2_000_000))
    do_run_analysis(Scope(), acting_user=None)
    user = User(username="sara", organisation=orgs["0180"], role="editor")
    user.set_password("x")
    user.save()
    return user


def test_the_area_comes_from_confirmed_kpis_then_from_the_name(db: None) -> None:
    assert concept_area("c1", "Hemtjänst i ordinärt boende") == "äldreomsorg"
    assert concept_area("c2", "Ansökan om bygglov") == "övergripande"
    ConceptKpi.objects.create(concept_id="c3", kpi_id="N15004")  # Grundskola åk 0-9
    assert concept_area("c3", "Skolskjuts") == "grundskola"


def test_my_similar_is_the_own_and_koladas_seven(sara: User) -> None:
    area, codes = my_similar(sara.organisation, "x", "Hemtjänst")  # type: ignore[misc]
    assert area == "äldreomsorg" and "0180" in codes and len(codes) == 8


def _concept(name: str) -> Concept:
    return Concept.objects.filter(memberships__activity__name=name).distinct().get()


def test_the_concept_page_can_show_only_my_similar_municipalities(client: Client,
                                                                   sara: User) -> None:
    client.force_login(sara)
    url = _concept("Ansökan om bygglov").get_absolute_url()
    everyone = client.get(url).content.decode()
    assert "Nacka kommun" in everyone and "?similar=1" in everyone
    mine = client.get(url, {"similar": "1"})
    names = {m.activity.organisation.name for m in mine.context["members"]}
    assert names == {"Stockholms stad", "Malmö stad"}


def test_the_opportunity_list_keeps_those_shared_with_my_similar(client: Client,
                                                                 sara: User) -> None:
    client.force_login(sara)
    everything = client.get("/gemensamt/mojligheter/")
    limited = client.get("/gemensamt/mojligheter/", {"similar": "1"})
    labels = {o.concept.label for o in limited.context["page"]}
    assert len(labels) < len({o.concept.label for o in everything.context["page"]})
    assert _concept("Ansökan om bygglov").label in labels
    assert _concept("Gatubelysning").label not in labels


def test_counterparts_can_be_limited_to_my_similar(client: Client, sara: User) -> None:
    client.force_login(sara)
    concept = _concept("Ansökan om bygglov")
    response = client.get(f"/motparter/begrepp/{concept.concept_id}/", {"similar": "1"})
    names = {r.organisation.name for r in response.context["result"].rows}
    assert names == {"Stockholms stad", "Malmö stad"}
