from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.journeys.models import LifeEvent

SLUG = "ta-korkort"


def _form(**changes: str) -> dict[str, str]:
    data = {
        "slug": SLUG, "label_sv": "Ta körkort nu", "label_en": "Getting a licence",
        "audience": "person", "description": "", "synonyms_text": "körkort\nuppkörning",
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
        "steps-0-need": "Körkortstillstånd", "steps-0-responsible": "agency:TS",
        "steps-0-provider": "", "steps-0-hints_text": "körkortstillstånd",
        "steps-0-data_items_text": "Personnummer, synintyg", "steps-0-lead_time_days": "28",
        "steps-1-need": "", "steps-1-responsible": "home_municipality",
    }
    data.update(changes)
    return data


def _login(client: Client, user: User) -> None:
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("who", ["anonymous", "bob", "alice", "charlie"])
def test_only_catalogue_editors_may_change_life_events(
    client: Client, catalogue: None, who: str, request: pytest.FixtureRequest
) -> None:
    if who != "anonymous":
        _login(client, request.getfixturevalue(who))
    # A visitor is asked to log in, as everywhere else; a logged-in user without the right
    # is refused.
    refused = 302 if who == "anonymous" else 403
    edit = reverse("journeys:life_event_edit", args=[SLUG])
    assert client.get(edit).status_code == refused
    assert client.post(edit, _form()).status_code == refused
    assert client.post(reverse("journeys:life_event_delete", args=[SLUG])).status_code == refused
    assert client.get(reverse("journeys:import")).status_code == refused
    assert client.get(reverse("journeys:life_event_create")).status_code == refused
    assert LifeEvent.objects.get(slug=SLUG).label_sv == "Ta körkort"


def test_a_superuser_edits_a_life_event_and_its_steps(
    client: Client, catalogue: None, superuser: User
) -> None:
    _login(client, superuser)
    response = client.post(reverse("journeys:life_event_edit", args=[SLUG]), _form())
    assert response.status_code == 302
    event = LifeEvent.objects.get(slug=SLUG)
    assert event.label_sv == "Ta körkort nu"
    assert event.synonyms == ["körkort", "uppkörning"]
    steps = list(event.steps.values_list("need", "responsible", "data_items", "lead_time_days"))
    assert steps == [("Körkortstillstånd", "agency:TS", ["personnummer", "synintyg"], 28)]


def test_a_user_with_the_change_permission_is_a_catalogue_editor(
    client: Client, catalogue: None, bob: User
) -> None:
    bob.user_permissions.add(Permission.objects.get(codename="change_lifeevent"))
    _login(client, bob)
    assert client.post(reverse("journeys:life_event_edit", args=[SLUG]), _form()).status_code == 302
    response = client.post(reverse("journeys:life_event_delete", args=[SLUG]))
    assert response.status_code == 302
    assert not LifeEvent.objects.filter(slug=SLUG).exists()


def test_a_bad_edit_changes_nothing(client: Client, catalogue: None, superuser: User) -> None:
    _login(client, superuser)
    url = reverse("journeys:life_event_edit", args=[SLUG])
    for bad in (_form(**{"steps-0-need": ""}), _form(slug="fa-barn"), _form(slug="Inte OK"),
                _form(**{"steps-0-responsible": "agency:XX"}),
                _form(**{"steps-0-responsible": "other"})):
        response = client.post(url, bad)
        assert response.status_code == 200
    event = LifeEvent.objects.get(slug=SLUG)
    assert event.label_sv == "Ta körkort"
    assert event.steps.count() == 4


def test_export_then_import_round_trips_and_a_bad_file_changes_nothing(
    client: Client, catalogue: None, superuser: User
) -> None:
    exported = client.get(reverse("journeys:export"))
    assert exported.status_code == 200
    document = json.loads(exported.content)
    assert len(document["life_events"]) == LifeEvent.objects.count()
    _login(client, superuser)
    document["life_events"][0]["label_sv"] = "Ändrad"
    first = document["life_events"][0]["id"]
    upload = SimpleUploadedFile("c.json", json.dumps(document).encode(), "application/json")
    assert client.post(reverse("journeys:import"), {"file": upload}).status_code == 302
    assert LifeEvent.objects.get(slug=first).label_sv == "Ändrad"

    document["life_events"][0]["label_sv"] = "Ska inte sparas"
    document["life_events"][1]["steps"][0]["responsible"] = "nobody"
    upload = SimpleUploadedFile("c.json", json.dumps(document).encode(), "application/json")
    response = client.post(reverse("journeys:import"), {"file": upload})
    assert response.status_code == 200
    assert "nobody" in response.content.decode()
    assert LifeEvent.objects.get(slug=first).label_sv == "Ändrad"
    upload = SimpleUploadedFile("c.json", b"\xff not json", "application/json")
    assert client.post(reverse("journeys:import"), {"file": upload}).status_code == 200


def test_editing_keeps_english_texts_waiting_steps_and_when_words(
    client: Client, catalogue: None, superuser: User
) -> None:
    _login(client, superuser)
    edit = reverse("journeys:life_event_edit", args=[SLUG])
    initial = client.get(edit).context["formset"].initial
    assert initial[1]["waits_for_text"] == "1" and initial[1]["need_en"]
    changes = {
        "description_en": "From permit to licence.",
        "steps-0-need_en": "Learner's permit",
        "steps-1-need": "Körkortet utfärdas", "steps-1-responsible": "agency:TS",
        "steps-1-waits_for_text": "1", "steps-1-when_text": "körkort, bil",
    }
    assert client.post(edit, _form(**changes)).status_code == 302
    event = LifeEvent.objects.get(slug=SLUG)
    assert event.description_en == "From permit to licence."
    first, second = event.steps.order_by("position")
    assert (first.need_en, second.waits_for, second.when) == (
        "Learner's permit", [1], ["körkort", "bil"])


@pytest.mark.parametrize("waits_for", ["2", "x", "0"])
def test_a_step_can_only_wait_for_an_earlier_step_in_the_form(
    client: Client, catalogue: None, superuser: User, waits_for: str
) -> None:
    _login(client, superuser)
    response = client.post(reverse("journeys:life_event_edit", args=[SLUG]),
                           _form(**{"steps-0-waits_for_text": waits_for}))
    assert response.status_code == 200
    assert LifeEvent.objects.get(slug=SLUG).label_sv == "Ta körkort"
