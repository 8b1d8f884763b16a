"""A user of one organisation can never change another organisation's data, by any route."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Contact, Organisation


def login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def write_routes(activity: Activity, contact: Contact) -> list[tuple[str, str, dict[str, str]]]:
    code = activity.organisation.code
    form = {"name": "Hacked", "kind": "service", "systems_text": ""}
    return [
        ("get", reverse("landscape:activity_create", args=[code]), {}),
        ("post", reverse("landscape:activity_create", args=[code]), form),
        ("get", reverse("landscape:activity_edit", args=[activity.pk]), {}),
        ("post", reverse("landscape:activity_edit", args=[activity.pk]), form),
        ("get", reverse("landscape:activity_delete", args=[activity.pk]), {}),
        ("post", reverse("landscape:activity_delete", args=[activity.pk]), {}),
        ("get", reverse("landscape:contact_create", args=[code]), {}),
        ("post", reverse("landscape:contact_create", args=[code]), {"name": "X"}),
        ("get", reverse("landscape:contact_edit", args=[contact.pk]), {}),
        ("post", reverse("landscape:contact_edit", args=[contact.pk]), {"name": "X"}),
        ("post", reverse("landscape:contact_delete", args=[contact.pk]), {}),
        ("get", reverse("landscape:import", args=[code]), {}),
    ]


@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_it_rejects_every_web_write_from_outside_or_reader(
    client: Client, who: str, activity: Activity, contact: Contact, request: pytest.FixtureRequest
) -> None:
    login(client, request.getfixturevalue(who))
    for method, url, data in write_routes(activity, contact):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)
    activity.refresh_from_db()
    assert activity.name == "Ansökan om bygglov"
    assert Activity.objects.count() == 1
    assert Contact.objects.filter(pk=contact.pk, name="Anna Andersson").exists()


def test_anonymous_is_sent_to_login_for_every_write(
    client: Client, activity: Activity, contact: Contact
) -> None:
    for method, url, data in write_routes(activity, contact):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login"))
    assert Activity.objects.get().name == "Ansökan om bygglov"


def test_editor_can_use_every_write_route(
    client: Client, alice: User, activity: Activity, contact: Contact
) -> None:
    login(client, alice)
    for method, url, data in write_routes(activity, contact)[:4]:
        response = getattr(client, method)(url, data)
        assert response.status_code in (200, 302), (method, url, response.content[:500])
    assert Activity.objects.filter(name="Hacked").count() == 2  # one created, one renamed


def test_superuser_may_edit_any_organisation(
    client: Client, superuser: User, beta_activity: Activity
) -> None:
    login(client, superuser)
    url = reverse("landscape:activity_edit", args=[beta_activity.pk])
    response = client.post(url, {"name": "Hemtjänst i Beta", "kind": "service",
                                 "version": beta_activity.version})
    assert response.status_code == 302
    beta_activity.refresh_from_db()
    assert beta_activity.name == "Hemtjänst i Beta"


def test_api_rejects_writes_to_another_organisation(
    client: Client, charlie: User, activity: Activity, alfa: Organisation
) -> None:
    login(client, charlie)
    payload = json.dumps({"name": "Hacked"})
    put = client.put(f"/api/activities/{activity.pk}", payload, content_type="application/json")
    delete = client.delete(f"/api/activities/{activity.pk}")
    post = client.post(f"/api/organisations/{alfa.code}/activities", payload,
                       content_type="application/json")
    assert (put.status_code, delete.status_code, post.status_code) == (403, 403, 403)
    activity.refresh_from_db()
    assert activity.name == "Ansökan om bygglov"
    assert Activity.objects.count() == 1


def test_api_requires_login_to_read(client: Client, activity: Activity) -> None:
    assert client.get("/api/activities").status_code == 401
    assert client.get(f"/api/activities/{activity.pk}").status_code == 401
    assert client.get("/api/organisations").status_code == 401


def test_export_and_activity_pages_require_login(client: Client, activity: Activity) -> None:
    for url in [
        reverse("landscape:activities"),
        reverse("landscape:activity", args=[activity.pk]),
        reverse("landscape:export", args=[activity.organisation.code, "csv"]),
    ]:
        assert client.get(url).status_code == 302, url


def test_import_job_of_another_organisation_is_refused(
    client: Client, alice: User, charlie: User, alfa: Organisation
) -> None:
    from mellanrum.landscape.models import ImportJob

    job = ImportJob.objects.create(organisation=alfa, created_by=alice, filename="a.csv",
                                   data=b"Namn\nX\n", status="ready")
    login(client, charlie)
    url = reverse("landscape:import_confirm", args=[alfa.code, job.pk])
    assert client.post(url).status_code == 403
    assert client.get(reverse("landscape:import_status", args=[alfa.code, job.pk])
                      ).status_code == 403
    job.refresh_from_db()
    assert job.status == "ready"


def test_audit_log_is_for_superusers_and_the_organisations_own_administrators(
    client: Client, alice: User, bob: User, charlie: User, superuser: User, alfa: Organisation
) -> None:
    from mellanrum.landscape.actions import do_create_activity

    do_create_activity(alfa, acting_user=alice, key="x", name="<b>Färdtjänst</b>")
    url = reverse("landscape:audit_log", args=[alfa.code])
    for user in (alice, bob, charlie):  # an editor, a reader, another organisation's editor
        login(client, user)
        assert client.get(url).status_code == 403, user.username
    admin = User(username="ada", organisation=alfa, role="admin")
    admin.set_password(PASSWORD)
    admin.save()
    for user in (admin, superuser):
        login(client, user)
        html = client.get(url).content.decode()
        assert "activity.create" in html and "alice" in html
        assert "<b>Färdtjänst</b>" not in html
    other_admin = User(username="beda", organisation=charlie.organisation, role="admin")
    other_admin.set_password(PASSWORD)
    other_admin.save()
    login(client, other_admin)
    assert client.get(url).status_code == 403


def test_administrator_can_edit_own_organisation(
    client: Client, alfa: Organisation, activity: Activity
) -> None:
    admin = User(username="ada", organisation=alfa, role="admin")
    admin.set_password(PASSWORD)
    admin.save()
    login(client, admin)
    url = reverse("landscape:activity_edit", args=[activity.pk])
    response = client.post(url, {"name": "Bygglov", "kind": "service"})
    assert response.status_code == 302
