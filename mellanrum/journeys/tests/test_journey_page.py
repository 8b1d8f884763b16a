from __future__ import annotations

from django.test import Client
from django.urls import reverse

from mellanrum.landscape.models import Activity, Organisation

MOVE = "flytta-till-annan-kommun"


def test_the_list_shows_person_and_business_events_to_anyone(
    client: Client, catalogue: None
) -> None:
    response = client.get(reverse("journeys:life_events"))
    assert response.status_code == 200
    assert "Flytta till en annan kommun" in response.content.decode()
    assert "Öppna restaurang eller kafé" in response.content.decode()


def test_a_life_event_without_a_place_lists_its_steps(client: Client, catalogue: None) -> None:
    response = client.get(reverse("journeys:life_event", args=[MOVE]))
    assert response.status_code == 200
    assert response.context["journey"] is None
    assert 'id="life-event-steps"' in response.content.decode()
    assert "Anmäla flytten" in response.content.decode()


def test_the_journey_map_of_a_move_across_a_county_border(
    client: Client, activities: dict[tuple[str, str], Activity]
) -> None:
    response = client.get(reverse("journeys:life_event", args=[MOVE]),
                          {"municipality": "0114", "to": "1280"})
    assert response.status_code == 200
    journey = response.context["journey"]
    assert journey["analysis"]["borders"]["municipal"] == 1
    assert journey["analysis"]["borders"]["regional"] == 1
    body = response.content.decode()
    assert 'id="journey-map"' in body and 'id="journey-steps"' in body
    for name in ("Upplands Väsby kommun", "Malmö kommun", "Region Skåne", "Skatteverket",
                 "Söka plats i förskola", "Välj vårdcentral"):
        assert name in body
    lanes = [lane["organisation"]["name"] for lane in response.context["lanes"]]
    assert lanes[0] == "Skatteverket"
    assert "Region Stockholm" not in lanes


def test_an_unknown_municipality_gets_a_message_not_an_error(
    client: Client, catalogue: None
) -> None:
    response = client.get(reverse("journeys:life_event", args=[MOVE]),
                          {"municipality": "9999"})
    assert response.status_code == 200
    assert response.context["problem"] == "unknown_municipality"
    response = client.get(reverse("journeys:life_event", args=[MOVE]),
                          {"municipality": "0182", "to": "<b>"})
    assert response.context["problem"] == "unknown_to"


def test_an_unknown_life_event_is_404(client: Client, catalogue: None) -> None:
    assert client.get(reverse("journeys:life_event", args=["finns-inte"])).status_code == 404


def test_a_life_event_lists_the_collaborations_its_viewer_may_see(
    client: Client, catalogue: None
) -> None:
    from mellanrum.collaborations.actions import do_create_initiative
    from mellanrum.collaborations.models import Initiative
    from mellanrum.conftest import _user
    from mellanrum.journeys.models import LifeEvent

    nacka = Organisation.objects.get(code="0182")
    malmo = Organisation.objects.get(code="1280")
    step = LifeEvent.objects.get(slug=MOVE).steps.get(position=2)
    shown, hidden = (
        do_create_initiative(
            acting_user=_user(f"lead{n}", organisation, "editor"), lead=organisation,
            title=title, purpose="Syfte", is_public=public, phase="idea", citizen_value=3,
            savings=3, feasibility=3, reach=3, risk_level=3,
        )
        for n, organisation, title, public in (
            (1, nacka, "Flyttanmälan en gång", True), (2, malmo, "Hemlig flyttsamverkan", False)
        )
    )
    for initiative in (shown, hidden):
        initiative.steps.add(step)
    url = reverse("journeys:life_event", args=[MOVE])

    assert "Flyttanmälan en gång" not in client.get(url).content.decode()

    client.force_login(_user("reader", nacka, "reader"))
    body = client.get(url).content.decode()
    assert 'id="life-event-initiatives"' in body
    assert "Flyttanmälan en gång" in body and "Hemlig flyttsamverkan" not in body
    assert reverse("collaborations:initiative", args=[shown.pk]) in body
    assert Initiative.objects.count() == 2
