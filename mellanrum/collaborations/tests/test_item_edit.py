"""Editing shared goals, risks, decision entries and partner statements."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from mellanrum.collaborations import actions
from mellanrum.collaborations.models import DecisionEntry, Goal, Initiative, Risk, Statement
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation

from .conftest import login

pytestmark = pytest.mark.django_db


def goal_data(goal: Goal, **extra: str) -> dict[str, str]:
    return {"title": goal.title, "indicator": goal.indicator, "baseline": goal.baseline,
            "target": goal.target, "target_date": goal.target_date.isoformat(),
            "version": str(goal.version), **extra}


def test_the_lead_edits_a_goal(client: Client, alice: User, initiative: Initiative,
                               goal: Goal) -> None:
    url = f"/samverkan/{initiative.pk}/andra/goal/{goal.pk}/"
    assert login(client, alice).get(url).status_code == 200
    response = client.post(url, goal_data(goal, target="95 %"))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.target == "95 %" and goal.version == 2
    entry = AuditEntry.objects.get(action="collaborations.update_goal")
    assert entry.detail["old_target"] == "90 %"


def test_a_goal_whose_date_has_passed_can_keep_it_but_not_get_a_new_past_one(
    client: Client, alice: User, initiative: Initiative, goal: Goal,
) -> None:
    past = timezone.localdate() - datetime.timedelta(days=30)
    Goal.objects.filter(pk=goal.pk).update(target_date=past)
    goal.refresh_from_db()
    url = f"/samverkan/{initiative.pk}/andra/goal/{goal.pk}/"
    login(client, alice)
    assert client.post(url, goal_data(goal, target="80 %")).status_code == 302
    goal.refresh_from_db()
    earlier = (past - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, goal_data(goal, target_date=earlier))
    assert response.status_code == 200 and "target_date" in response.context["form"].errors
    goal.refresh_from_db()
    assert goal.target_date == past


def test_a_stale_edit_is_refused_with_409(client: Client, alice: User,
                                          initiative: Initiative, goal: Goal) -> None:
    url = f"/samverkan/{initiative.pk}/andra/goal/{goal.pk}/"
    login(client, alice)
    stale = goal_data(goal, title="Först")
    assert client.post(url, stale).status_code == 302
    response = client.post(url, {**stale, "title": "Sen"})
    assert response.status_code == 409
    goal.refresh_from_db()
    assert goal.title == "Först"


def test_partners_and_outsiders_cannot_edit_goals_risks_or_decisions(
    client: Client, charlie: User, dave: User, initiative: Initiative, goal: Goal,
    alice: User,
) -> None:
    risk = actions.do_add_risk(initiative, acting_user=alice, description="Risk",
                               likelihood=2, impact=3)
    decision = actions.do_add_decision(initiative, acting_user=alice,
                                       date=timezone.localdate(), decision="Beslut",
                                       decided_by="Styrgruppen")
    for user, status in ((charlie, 403), (dave, 404)):
        login(client, user)
        for kind, pk in (("goal", goal.pk), ("risk", risk.pk), ("decision", decision.pk)):
            url = f"/samverkan/{initiative.pk}/andra/{kind}/{pk}/"
            assert client.post(url, {"title": "x", "description": "x",
                                     "decision": "x"}).status_code == status
    risk.refresh_from_db()
    assert risk.description == "Risk"


def test_the_lead_edits_a_risk_and_corrects_a_decision(client: Client, alice: User,
                                                       initiative: Initiative) -> None:
    risk = actions.do_add_risk(initiative, acting_user=alice, description="Risk",
                               likelihood=2, impact=3)
    decision = actions.do_add_decision(initiative, acting_user=alice,
                                       date=timezone.localdate(), decision="Besult",
                                       decided_by="Styrgruppen")
    login(client, alice)
    response = client.post(f"/samverkan/{initiative.pk}/andra/risk/{risk.pk}/",
                           {"description": "Risk", "likelihood": "6", "impact": "3",
                            "version": "1"})
    assert response.status_code == 200 and "likelihood" in response.context["form"].errors
    response = client.post(f"/samverkan/{initiative.pk}/andra/risk/{risk.pk}/",
                           {"description": "Risk", "likelihood": "4", "impact": "3",
                            "version": "1"})
    assert response.status_code == 302
    assert Risk.objects.get().likelihood == 4
    url = f"/samverkan/{initiative.pk}/andra/decision/{decision.pk}/"
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"date": future, "decision": "Beslut",
                                 "decided_by": "Styrgruppen", "version": "1"})
    assert response.status_code == 200
    response = client.post(url, {"date": timezone.localdate().isoformat(),
                                 "decision": "Beslut", "decided_by": "Styrgruppen",
                                 "version": "1"})
    assert response.status_code == 302
    assert DecisionEntry.objects.get().decision == "Beslut"
    entry = AuditEntry.objects.get(action="collaborations.update_decision")
    assert entry.detail["old_decision"] == "Besult"


def test_a_partner_edits_its_own_statement_only(client: Client, alice: User, charlie: User,
                                               initiative: Initiative, alfa: Organisation,
                                               beta: Organisation) -> None:
    own = actions.do_add_statement(initiative, acting_user=charlie, organisation=beta,
                                   kind="principle", text="Öppen källkod")
    other = actions.do_add_statement(initiative, acting_user=alice, organisation=alfa,
                                     kind="goal", text="Lägre kostnad")
    login(client, charlie)
    response = client.post(f"/samverkan/utgangspunkt/{own.pk}/andra/",
                           {"kind": "constraint", "text": "Endast öppen källkod",
                            "version": "1"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.kind == "constraint" and own.text == "Endast öppen källkod"
    response = client.post(f"/samverkan/utgangspunkt/{other.pk}/andra/",
                           {"kind": "goal", "text": "Kapad", "version": "1"})
    assert response.status_code == 403
    assert Statement.objects.get(pk=other.pk).text == "Lägre kostnad"


def test_an_unknown_kind_or_item_is_not_found(client: Client, alice: User,
                                              initiative: Initiative, goal: Goal) -> None:
    login(client, alice)
    assert client.get(f"/samverkan/{initiative.pk}/andra/partner/1/").status_code == 404
    assert client.get(f"/samverkan/{initiative.pk}/andra/goal/{goal.pk + 99}/").status_code \
        == 404
    assert client.get(f"/samverkan/{initiative.pk}/andra/goal/{2**64}/").status_code == 404
