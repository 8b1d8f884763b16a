"""Counterparts: from an activity or a concept, the people responsible in other organisations,
read from the latest commonality analysis."""

from __future__ import annotations

import pytest
from django.test import Client

from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope, concept_of
from mellanrum.community import actions
from mellanrum.community.models import Network
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Contact, Organisation

from .conftest import login


@pytest.fixture
def landscape(alfa: Organisation, beta: Organisation, gamma: Organisation) -> dict[str, Activity]:
    """The same e-service in three municipalities (Alfa and Beta alike, Gamma far away),
    plus an unrelated activity; analysed."""
    delta = Organisation.objects.create(code="9904", name="Delta kommun", kind="municipality",
                                        county_code="99", county_name="Testlän",
                                        population=80_000)
    alfa.population, gamma.population = 85_000, 900_000
    alfa.save()
    gamma.save()
    storkom = Organisation.objects.create(code="KF99", name="Testlänets kommunförbund",
                                          kind="association")
    storkom.members.set([alfa, beta, delta])
    owner = Contact.objects.create(organisation=beta, name="Berit Bygg", role="Bygglovschef",
                                   email="berit@beta.example")
    made = {}
    for org, name, contact in ((alfa, "Ansökan om bygglov", None),
                               (beta, "Bygglov – ansökan", owner),
                               (gamma, "Ansöka om bygglov", None),
                               (delta, "Ansökan om bygglov för fritidshus", None)):
        made[org.code] = Activity.objects.create(organisation=org, key="bygglov", name=name,
                                                 kind="eservice", owner=contact)
    Activity.objects.create(organisation=beta, key="hemtjanst", name="Hemtjänst",
                            kind="service")
    do_run_analysis(Scope(), acting_user=None)
    return made


def test_counterparts_of_an_activity_are_the_concepts_other_members(
    client: Client, bob: User, landscape: dict[str, Activity]
) -> None:
    login(client, bob)
    mine = landscape["9901"]
    response = client.get(f"/motparter/verksamhet/{mine.pk}/")
    rows = response.context["result"].rows
    assert {r.activity for r in rows} == {landscape["9902"], landscape["9903"],
                                          landscape["9904"]}
    assert mine not in {r.activity for r in rows}
    page = response.content.decode()
    assert "Berit Bygg" in page and "berit@beta.example" in page


def test_counterparts_are_ranked_by_how_alike_the_organisations_are(
    client: Client, bob: User, landscape: dict[str, Activity]
) -> None:
    login(client, bob)
    rows = client.get(f"/motparter/verksamhet/{landscape['9901'].pk}/").context["result"].rows
    similarities = [r.similarity for r in rows]
    assert similarities == sorted(similarities, reverse=True)
    assert rows[-1].organisation.code == "9903"  # another county, ten times the population


def test_filters_by_county_and_association(
    client: Client, bob: User, landscape: dict[str, Activity]
) -> None:
    login(client, bob)
    url = f"/motparter/verksamhet/{landscape['9901'].pk}/"
    in_county = client.get(url, {"county": "99"}).context["result"].rows
    assert {r.organisation.code for r in in_county} == {"9902", "9904"}
    members = client.get(url, {"association": "KF99"}).context["result"].rows
    assert {r.organisation.code for r in members} == {"9902", "9904"}
    nothing = client.get(url, {"county": "zz", "association": "\x00" * 40})
    assert nothing.status_code == 200 and nothing.context["result"].rows == []


def test_counterparts_export_as_csv(client: Client, bob: User,
                                   landscape: dict[str, Activity]) -> None:
    login(client, bob)
    response = client.get(f"/motparter/verksamhet/{landscape['9901'].pk}/", {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "berit@beta.example" in text and "Ansökan om bygglov\r\n" not in text
    assert text.count("\r\n") == 4  # header and three counterparts


def test_visitors_who_are_not_logged_in_see_no_counterparts(
    client: Client, landscape: dict[str, Activity]
) -> None:
    response = client.get(f"/motparter/verksamhet/{landscape['9901'].pk}/")
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
    csv = client.get(f"/motparter/verksamhet/{landscape['9901'].pk}/", {"format": "csv"})
    assert csv.status_code == 302


def test_counterparts_of_a_concept_list_every_organisation(
    client: Client, bob: User, landscape: dict[str, Activity]
) -> None:
    login(client, bob)
    concept = concept_of(landscape["9901"])
    assert concept is not None
    response = client.get(f"/motparter/begrepp/{concept.concept_id}/")
    assert {r.organisation.code for r in response.context["result"].rows} == {
        "9901", "9902", "9903", "9904"}
    assert client.get("/motparter/begrepp/no-such-concept/").status_code == 404


def test_network_members_of_a_linked_network_are_listed(
    client: Client, bob: User, charlie: User, landscape: dict[str, Activity]
) -> None:
    concept = concept_of(landscape["9901"])
    assert concept is not None
    network = actions.do_create_network(acting_user=charlie, title="Bygglovsnätverket",
                                        visibility="public")
    actions.do_link_network_concept(network, acting_user=charlie,
                                    concept_id=concept.concept_id)
    login(client, bob)
    people = client.get(f"/motparter/verksamhet/{landscape['9901'].pk}/").context[
        "result"].people
    assert [p.user for p in people] == [charlie]
    hidden = actions.do_create_network(acting_user=charlie, title="Slutet", visibility="members")
    actions.do_link_network_concept(hidden, acting_user=charlie, concept_id=concept.concept_id)
    people = client.get(f"/motparter/verksamhet/{landscape['9901'].pk}/").context[
        "result"].people
    assert [p.network_title for p in people] == ["Bygglovsnätverket"]
    assert Network.objects.count() == 2


def test_an_activity_outside_the_analysis_says_so(
    client: Client, bob: User, landscape: dict[str, Activity], alfa: Organisation
) -> None:
    late = Activity.objects.create(organisation=alfa, key="ny", name="Ny verksamhet")
    login(client, bob)
    response = client.get(f"/motparter/verksamhet/{late.pk}/")
    assert response.status_code == 200 and response.context["result"].concept is None
    assert client.get("/motparter/verksamhet/999999/").status_code == 404
    assert client.get(f"/motparter/verksamhet/{2**63}/").status_code == 404


def test_the_activity_and_concept_pages_link_to_counterparts(
    client: Client, bob: User, landscape: dict[str, Activity]
) -> None:
    login(client, bob)
    mine = landscape["9901"]
    assert f"/motparter/verksamhet/{mine.pk}/" in client.get(
        f"/verksamheter/{mine.pk}/").content.decode()
    concept = concept_of(mine)
    assert concept is not None
    assert f"/motparter/begrepp/{concept.concept_id}/" in client.get(
        concept.get_absolute_url()).content.decode()
