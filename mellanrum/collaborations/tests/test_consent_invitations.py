"""Joining is consent: invitations accepted or declined by the invited organisation's editors,
and a facilitator that runs an initiative without paying."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from mellanrum.benefits import payers
from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.collaborations.models import Initiative, Partner, Statement
from mellanrum.conftest import _user
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation

from .conftest import basic, login

EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def invited(initiative: Initiative, alice: User, gamma: Organisation) -> Partner:
    return actions.do_add_partner(initiative, acting_user=alice, organisation=gamma,
                                  role="partner")


def test_adding_an_organisation_invites_it_and_it_pays_nothing_until_it_accepts(
    initiative: Initiative, invited: Partner, alice: User,
) -> None:
    assert invited.status == "invited" and invited.invited_by == alice
    assert invited.invited_at is not None
    assert invited not in payers.paying_partners(initiative)
    assert AuditEntry.objects.filter(action="collaborations.invite_partner").exists()
    with translation.override("en"), pytest.raises(ValidationError, match="not accepted"):
        actions.do_add_statement(initiative, acting_user=None, organisation=invited.organisation,
                                 kind="goal", text="Vi vill vara med.")
    assert not Statement.objects.filter(organisation=invited.organisation).exists()


def test_invitation_shows_on_the_start_page_and_the_editor_accepts(
    client: Client, initiative: Initiative, invited: Partner, dave: User,
) -> None:
    login(client, dave)
    home = client.get("/", **EN).content.decode()
    assert "Invitations to collaborate" in home and initiative.title in home
    page = client.get(initiative.get_absolute_url(), **EN).content.decode()
    assert "Gamma kommun is invited to this initiative" in page
    response = client.post(f"/samverkan/{initiative.pk}/inbjudan/",
                           {"organisation": "9903", "answer": "accept"})
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.status == "accepted" and invited.answered_by == dave
    assert invited in payers.paying_partners(initiative)
    assert AuditEntry.objects.filter(action="collaborations.accept_invitation",
                                     user=dave).exists()
    assert "Invitations to collaborate" not in client.get("/", **EN).content.decode()


def test_declining_needs_a_reason_and_a_declined_partner_cannot_act(
    client: Client, initiative: Initiative, invited: Partner, dave: User,
) -> None:
    login(client, dave)
    response = client.post(f"/samverkan/{initiative.pk}/inbjudan/",
                           {"organisation": "9903", "answer": "decline", "reason": " "},
                           follow=True, **EN)
    assert "Say why the organisation declines" in response.content.decode()
    invited.refresh_from_db()
    assert invited.status == "invited"
    client.post(f"/samverkan/{initiative.pk}/inbjudan/",
                {"organisation": "9903", "answer": "decline",
                 "reason": "Vi har redan en egen lösning."})
    invited.refresh_from_db()
    assert invited.status == "declined"
    assert invited.decline_reason == "Vi har redan en egen lösning."
    page = client.get(initiative.get_absolute_url(), **EN).content.decode()
    assert "Vi har redan en egen lösning." in page
    # The API refuses its statement with a clear message, and nothing is written.
    client.logout()
    answer = client.post(f"/api/initiatives/{initiative.pk}/statements",
                         {"organisation": "9903", "kind": "goal", "text": "Ändå med"},
                         content_type="application/json", **basic(dave))
    assert answer.status_code == 422
    assert "declined" in str(answer.json()) or "tackat nej" in str(answer.json())
    assert not Statement.objects.filter(organisation=invited.organisation).exists()
    with translation.override("en"), pytest.raises(ValidationError, match="already answered"):
        do_answer_invitation(invited, acting_user=dave, accept=True)


def test_another_organisations_editor_cannot_answer_the_invitation(
    client: Client, initiative: Initiative, invited: Partner, charlie: User,
) -> None:
    login(client, charlie)
    response = client.post(f"/samverkan/{initiative.pk}/inbjudan/",
                           {"organisation": "9903", "answer": "accept"})
    assert response.status_code == 403
    invited.refresh_from_db()
    assert invited.status == "invited"


def test_a_facilitator_runs_the_initiative_and_pays_nothing(
    client: Client, alfa: Organisation, beta: Organisation, gamma: Organisation,
) -> None:
    forum = Organisation.objects.create(code="9990", name="Kommunförbundet Test",
                                        kind="association")
    leader = _user("processledare", forum, "editor")
    login(client, leader)
    response = client.post("/samverkan/ny/", {
        "title": "Gemensam e-arkivering", "purpose": "Ett arkiv.", "phase": "idea",
        "citizen_value": "3", "savings": "3", "feasibility": "3", "reach": "3",
        "risk_level": "3", "lead_role": "facilitator"})
    initiative = Initiative.objects.get()
    assert response["Location"] == initiative.get_absolute_url()
    facilitator = initiative.partners.get()
    assert facilitator.role == "facilitator" and facilitator.status == "accepted"
    assert initiative.lead == facilitator and not facilitator.pays
    for organisation in (alfa, beta, gamma):
        do_answer_invitation(
            actions.do_add_partner(initiative, acting_user=leader, organisation=organisation),
            acting_user=None, accept=True)
    assert {p.organisation.code for p in payers.paying_partners(initiative)} == {
        "9901", "9902", "9903"}
    # The facilitator edits the initiative like a lead.
    assert client.get(f"/samverkan/{initiative.pk}/andra/").status_code == 200
    with translation.override("en"), pytest.raises(ValidationError, match="already has"):
        actions.do_add_partner(initiative, acting_user=leader,
                               organisation=Organisation.objects.create(code="9991", name="X"),
                               role="facilitator")


def test_an_invited_facilitator_does_not_run_the_initiative_until_it_accepts(
    client: Client, initiative: Initiative, alice: User, gamma: Organisation, dave: User,
) -> None:
    partner = actions.do_add_partner(initiative, acting_user=alice, organisation=gamma,
                                     role="facilitator")
    login(client, dave)
    assert client.get(f"/samverkan/{initiative.pk}/andra/").status_code == 403
    do_answer_invitation(partner, acting_user=dave, accept=True)
    assert client.get(f"/samverkan/{initiative.pk}/andra/").status_code == 200
    assert not Partner.objects.get(pk=partner.pk).pays
