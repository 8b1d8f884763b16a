"""Who sees and changes an initiative: each role once, for pages and the API."""

from __future__ import annotations

import pytest
from django.test import Client

from mellanrum.collaborations import actions
from mellanrum.collaborations.models import Goal, Initiative, Statement
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import basic, login


def test_anonymous_sees_nothing(client: Client, initiative: Initiative) -> None:
    response = client.get(f"/samverkan/{initiative.pk}/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "logga" in response["Location"]
    page = client.get("/samverkan/")
    assert page.status_code == 200
    assert initiative.title not in page.content.decode()
    assert client.get("/api/initiatives").status_code == 401


@pytest.mark.parametrize("username", ["alice", "bob", "charlie", "erin"])
def test_partners_read_the_private_initiative(
    client: Client, initiative: Initiative, username: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(username)
    assert login(client, user).get(f"/samverkan/{initiative.pk}/").status_code == 200
    assert client.get(f"/api/initiatives/{initiative.pk}", **basic(user)).status_code == 200


def test_non_partner_gets_404_for_private_and_reads_public(
    client: Client, initiative: Initiative, dave: User, alice: User
) -> None:
    login(client, dave)
    assert client.get(f"/samverkan/{initiative.pk}/").status_code == 404
    assert client.get(f"/api/initiatives/{initiative.pk}", **basic(dave)).status_code == 404
    assert client.get("/api/initiatives", **basic(dave)).json()["count"] == 0
    actions.do_update_initiative(initiative, acting_user=alice, is_public=True)
    assert client.get(f"/samverkan/{initiative.pk}/").status_code == 200
    assert client.get("/api/initiatives", **basic(dave)).json()["count"] == 1
    # Reading a public initiative gives no right to change it or to add statements.
    assert client.get(f"/samverkan/{initiative.pk}/andra/").status_code == 403
    assert client.get(f"/samverkan/{initiative.pk}/utgangspunkter/ny/").status_code == 403


def test_only_lead_editor_and_superuser_edit(
    client: Client, initiative: Initiative, alice: User, bob: User, charlie: User,
    superuser: User,
) -> None:
    url = f"/samverkan/{initiative.pk}/andra/"
    for user, status in [(alice, 200), (superuser, 200), (bob, 403), (charlie, 403)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.get(f"/samverkan/{initiative.pk}/lagg-till/goal/").status_code == status


def test_partner_editor_cannot_edit_via_api(
    client: Client, initiative: Initiative, charlie: User
) -> None:
    body = {"title": "Kapad", "purpose": "x"}
    response = client.put(f"/api/initiatives/{initiative.pk}", body,
                          content_type="application/json", **basic(charlie))
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.title == "Gemensam e-tjänst för bygglov"


def test_partner_cannot_remove_another_partners_statement(
    client: Client, initiative: Initiative, alice: User, charlie: User, beta: Organisation,
) -> None:
    statement = actions.do_add_statement(initiative, acting_user=charlie, organisation=beta,
                                         kind="constraint", text="Inga molntjänster.")
    login(client, alice)
    response = client.post(f"/samverkan/utgangspunkt/{statement.pk}/ta-bort/")
    assert response.status_code == 403
    assert Statement.objects.filter(pk=statement.pk).exists()
    login(client, charlie)
    client.post(f"/samverkan/utgangspunkt/{statement.pk}/ta-bort/")
    assert not Statement.objects.filter(pk=statement.pk).exists()


def test_partner_cannot_write_statement_for_another_partner(
    client: Client, initiative: Initiative, alfa: Organisation, charlie: User
) -> None:
    login(client, charlie)
    response = client.post(f"/samverkan/{initiative.pk}/utgangspunkter/ny/",
                           {"organisation": alfa.code, "kind": "goal", "text": "Alfa vill"})
    assert response.status_code == 200  # the form refuses Alfa as a choice
    assert not Statement.objects.exists()
    api = client.post(f"/api/initiatives/{initiative.pk}/statements",
                      {"organisation": alfa.code, "kind": "goal", "text": "Alfa vill"},
                      content_type="application/json", **basic(charlie))
    assert api.status_code == 403
    assert not Statement.objects.exists()


def test_reader_of_partner_cannot_add_statement(
    client: Client, initiative: Initiative, erin: User, bob: User
) -> None:
    for user in (erin, bob):
        login(client, user)
        assert client.get(f"/samverkan/{initiative.pk}/utgangspunkter/ny/").status_code == 403


def test_alignment_set_by_statement_owner_or_lead_only(
    client: Client, initiative: Initiative, goal: Goal, alice: User, charlie: User,
    dave: User, bob: User, beta: Organisation,
) -> None:
    actions.do_update_initiative(initiative, acting_user=alice, is_public=True)
    statement = actions.do_add_statement(initiative, acting_user=charlie, organisation=beta,
                                         kind="constraint", text="Inga molntjänster.")
    url = f"/samverkan/{initiative.pk}/samstammighet/"
    data = {"statement": statement.pk, "goal": goal.pk, "stance": "conflicts"}
    for user in (dave, bob):
        login(client, user)
        assert client.post(url, data).status_code == 403
    assert not statement.alignments.exists()
    for user, stance in ((charlie, "conflicts"), (alice, "neutral")):
        login(client, user)
        assert client.post(url, {**data, "stance": stance}).status_code == 302
        assert statement.alignments.get().stance == stance


def test_removing_the_lead_is_refused(
    client: Client, initiative: Initiative, alice: User, alfa: Organisation
) -> None:
    lead = initiative.partners.get(organisation=alfa)
    login(client, alice)
    client.post(f"/samverkan/{initiative.pk}/ta-bort/partner/{lead.pk}/")
    assert initiative.partners.filter(pk=lead.pk).exists()


def test_superuser_sees_every_initiative(
    client: Client, initiative: Initiative, superuser: User
) -> None:
    assert client.get("/api/initiatives", **basic(superuser)).json()["count"] == 1
    assert Initiative.objects.count() == 1


def test_absurd_ids_are_not_found(
    client: Client, initiative: Initiative, alice: User, goal: Goal
) -> None:
    huge = "9" * 30
    login(client, alice)
    assert client.get(f"/samverkan/{huge}/").status_code == 404
    assert client.post(f"/samverkan/{initiative.pk}/ta-bort/goal/{huge}/").status_code == 404
    assert client.post(f"/samverkan/utgangspunkt/{huge}/ta-bort/").status_code == 404
    response = client.post(f"/samverkan/{initiative.pk}/samstammighet/",
                           {"statement": huge, "goal": goal.pk, "stance": "supports"})
    assert response.status_code == 302  # refused with a message
    assert client.get(f"/api/initiatives/{huge}", **basic(alice)).status_code in {404, 422}
