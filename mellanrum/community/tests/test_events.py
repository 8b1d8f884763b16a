"""Events: creating them, registering and cancelling, capacity, deadline, exports, calendar."""

from __future__ import annotations

import datetime
import io
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from mellanrum.community import actions
from mellanrum.community.models import Event, Registration
from mellanrum.conftest import _user
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation
from mellanrum.lib.xlsx import active_sheet

from .conftest import login, soon

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _form(**changes: str) -> dict[str, str]:
    start = soon(40, 9)
    data = {
        "title": "Nätverksträff", "description": "", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Alfa stadshus", "online_url": "", "capacity": "20",
        "registration_deadline": "", "network": "", "organiser": "9901",
    }
    data.update(changes)
    return data


def test_an_editor_creates_an_event_in_swedish_time(client: Client, alice: User) -> None:
    login(client, alice)
    response = client.post("/traffar/ny/", _form(starts_at="2030-07-01T13:00",
                                                 ends_at="2030-07-01T15:30"))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/traffar/{event.pk}/"
    local = event.starts_at.astimezone(STOCKHOLM)
    assert (local.hour, local.minute) == (13, 0)
    assert event.starts_at.astimezone(datetime.UTC).hour == 11  # summer time, UTC+2
    assert AuditEntry.objects.filter(action="community.create_event").exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00"}, "starts_at",
     "cannot start in the past"),
    ({"ends_at": "2000-01-01T10:00"}, "ends_at", "must end after it starts"),
    ({"capacity": "0"}, "capacity", "from 1 to 10"),
    ({"capacity": "-5"}, "capacity", "from 1 to 10"),
    ({"capacity": "1000000"}, "capacity", "from 1 to 10"),
    ({"place": ""}, "place", "mark the event as digital"),
    ({"starts_at": "31-02-2030"}, "starts_at", "Give a date and time"),
    ({"starts_at": "9999-12-31T23:59"}, "starts_at", "between 1990 and 2100"),
    ({"registration_deadline": "2099-01-01T10:00"}, "registration_deadline",
     "cannot be after the event starts"),
    ({"organiser": "9902"}, "organiser", "Choose an organisation"),
])
def test_bad_event_input_is_a_form_error_and_changes_nothing(
    client: Client, alice: User, beta: Organisation, changes: dict[str, str], field: str,
    message: str,
) -> None:
    login(client, alice)
    response = client.post("/traffar/ny/", _form(**changes), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Event.objects.exists()


def test_a_reader_cannot_create_events(client: Client, bob: User) -> None:
    login(client, bob)
    assert client.get("/traffar/ny/").status_code == 403
    assert client.post("/traffar/ny/", _form()).status_code == 403
    assert not Event.objects.exists()


def test_register_see_yourself_counted_and_cancel(
    client: Client, seminar: Event, bob: User
) -> None:
    login(client, bob)
    page = client.get(f"/traffar/{seminar.pk}/").content.decode()
    assert "Anmäl" in page or "Register" in page
    client.post(f"/traffar/{seminar.pk}/anmal/")
    seminar.refresh_from_db()
    assert seminar.registered_count == 1
    assert Registration.objects.filter(event=seminar, user=bob).exists()
    client.post(f"/traffar/{seminar.pk}/avanmal/")
    seminar.refresh_from_db()
    assert seminar.registered_count == 0
    assert not Registration.objects.exists()


def test_registering_twice_is_refused_with_a_message(seminar: Event, bob: User) -> None:
    actions.do_register(seminar, bob)
    with pytest.raises(ValidationError, match="already registered"):
        actions.do_register(seminar, bob)
    seminar.refresh_from_db()
    assert seminar.registered_count == 1


def test_a_full_event_refuses_more_registrations(
    seminar: Event, alice: User, bob: User, charlie: User, client: Client
) -> None:
    actions.do_register(seminar, alice)
    actions.do_register(seminar, bob)
    with pytest.raises(ValidationError, match="full"):
        actions.do_register(seminar, charlie)
    login(client, charlie)
    response = client.post(f"/traffar/{seminar.pk}/anmal/", follow=True)
    assert "message-error" in response.content.decode()
    seminar.refresh_from_db()
    assert seminar.registered_count == 2 and seminar.registrations.count() == 2


def test_registration_after_the_deadline_is_refused(seminar: Event, bob: User) -> None:
    late = seminar.deadline + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="closed"):
        actions.do_register(seminar, bob, now=late)
    assert not Registration.objects.exists()


def test_cancelling_without_a_registration_is_refused(seminar: Event, bob: User) -> None:
    with pytest.raises(ValidationError, match="not registered"):
        actions.do_cancel_registration(seminar, bob)


def test_capacity_cannot_drop_below_the_registered(
    seminar: Event, alice: User, bob: User
) -> None:
    actions.do_register(seminar, alice)
    actions.do_register(seminar, bob)
    with pytest.raises(ValidationError, match="already registered"):
        actions.do_update_event(seminar, acting_user=alice, capacity=1)


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_place_do_not_both_get_it(
    alfa: Organisation, beta: Organisation
) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
            "file:memorydb"):
        pytest.skip("needs a database file shared between threads")
    editor = _user("org", alfa, "editor")
    start = soon()
    event = actions.do_create_event(
        acting_user=editor, organiser=alfa, title="Sista platsen", starts_at=start,
        ends_at=start + datetime.timedelta(hours=1), place="Rum 1", capacity=1)
    people = [_user(f"p{i}", beta, "reader") for i in range(6)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def race(user: User) -> None:
        barrier.wait()
        try:
            actions.do_register(event, user)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - a busy database also counts as refused
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    event.refresh_from_db()
    assert outcomes.count("ok") == 1, outcomes
    assert event.registered_count == 1 and event.registrations.count() == 1


def test_past_events_are_listed_separately(client: Client, alice: User, alfa: Organisation,
                                           seminar: Event) -> None:
    start = timezone.now() - datetime.timedelta(days=10)
    old = actions.do_create_event(
        acting_user=alice, organiser=alfa, title="Förra årets träff", starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), place="Rum 2", allow_past=True)
    response = client.get("/traffar/")
    assert response.context["upcoming"] == [seminar]
    assert response.context["past"] == [old]
    login(client, alice)
    page = client.get(f"/traffar/{old.pk}/").content.decode()
    assert "ägt rum" in page or "taken place" in page
    with pytest.raises(ValidationError, match="closed"):
        actions.do_register(old, alice)


def test_visitors_see_public_events_but_no_attendees(
    client: Client, seminar: Event, bob: User
) -> None:
    actions.do_register(seminar, bob)
    page = client.get(f"/traffar/{seminar.pk}/").content.decode()
    assert seminar.title in page
    assert "bob" not in page
    assert client.post(f"/traffar/{seminar.pk}/anmal/").status_code == 302  # to log in
    assert seminar.registrations.count() == 1


def test_attendee_lists_are_formula_safe_csv_and_xlsx(
    client: Client, seminar: Event, alice: User, bob: User
) -> None:
    bob.first_name, bob.last_name, bob.email = "=HYPERLINK(\"x\")", "Berg", "bob@alfa.example"
    bob.save()
    actions.do_register(seminar, bob)
    login(client, alice)
    csv_text = client.get(f"/traffar/{seminar.pk}/deltagare.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "bob@alfa.example" in csv_text
    data = client.get(f"/traffar/{seminar.pk}/deltagare.xlsx").content
    sheet = active_sheet(load_workbook(io.BytesIO(data)))
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert isinstance(rows[1][0], str) and rows[1][0].startswith("'=HYPERLINK")
    assert rows[1][2] == "bob@alfa.example"
    assert client.get(f"/traffar/{seminar.pk}/deltagare.pdf").status_code == 404


def test_only_the_organisers_editors_download_attendees(
    client: Client, seminar: Event, bob: User, charlie: User
) -> None:
    for user in (bob, charlie):
        login(client, user)
        assert client.get(f"/traffar/{seminar.pk}/deltagare.csv").status_code == 403
        assert "attendees" not in client.get(f"/traffar/{seminar.pk}/").context or \
            client.get(f"/traffar/{seminar.pk}/").context["attendees"] is None


def test_calendar_file_has_the_event_in_utc(client: Client, seminar: Event) -> None:
    response = client.get(f"/traffar/{seminar.pk}/kalender.ics")
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    start = seminar.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in text
    assert "SUMMARY:Seminarium om e-tjänster" in text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")


def test_the_meeting_link_is_shown_only_to_registered_people(
    client: Client, alice: User, alfa: Organisation, bob: User, charlie: User
) -> None:
    start = soon()
    event = actions.do_create_event(
        acting_user=alice, organiser=alfa, title="Digital träff", starts_at=start,
        ends_at=start + datetime.timedelta(hours=1), is_digital=True,
        online_url="https://mote.example/abc")
    actions.do_register(event, bob)
    assert "mote.example" in login(client, bob).get(f"/traffar/{event.pk}/").content.decode()
    assert "mote.example" not in login(client, charlie).get(
        f"/traffar/{event.pk}/").content.decode()


def test_an_editor_edits_and_deletes_the_event(
    client: Client, seminar: Event, alice: User
) -> None:
    login(client, alice)
    data = _form(title="Nytt namn", capacity="5", organiser="")
    data["starts_at"] = timezone.localtime(seminar.starts_at).strftime("%Y-%m-%dT%H:%M")
    data["ends_at"] = timezone.localtime(seminar.ends_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/traffar/{seminar.pk}/andra/", data)
    assert response.status_code == 302, response.context["form"].errors
    seminar.refresh_from_db()
    assert (seminar.title, seminar.capacity) == ("Nytt namn", 5)
    client.post(f"/traffar/{seminar.pk}/ta-bort/")
    assert not Event.objects.exists()
