"""The initiatives API: visibility, create and update for leads, statements for partners."""

from __future__ import annotations

from django.test import Client

from mellanrum.collaborations.models import Goal, Initiative, Statement
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import basic

BODY = {"title": "Gemensam planering", "purpose": "Kontinuitet", "phase": "idea",
        "citizen_value": 4, "savings": 5, "feasibility": 2, "reach": 3, "risk_level": 4}


def test_detail_has_goals_partners_and_conflicts(
    client: Client, bob: User, initiative: Initiative, goal: Goal
) -> None:
    data = client.get(f"/api/initiatives/{initiative.pk}", **basic(bob)).json()
    assert data["lead"] == "9901"
    assert {p["organisation"]: p["role"] for p in data["partners"]} == {
        "9901": "lead", "9902": "partner"}
    assert data["goals"][0]["target"] == "90 %"
    assert data["conflicts"] == 0


def test_editor_creates_and_lead_updates(client: Client, alice: User, charlie: User) -> None:
    response = client.post("/api/initiatives", BODY, content_type="application/json",
                           **basic(alice))
    assert response.status_code == 201
    pk = response.json()["id"]
    assert response.json()["lead"] == "9901"
    updated = client.put(f"/api/initiatives/{pk}", {**BODY, "phase": "prestudy"},
                         content_type="application/json", **basic(alice))
    assert updated.status_code == 200 and updated.json()["phase"] == "prestudy"
    assert Initiative.objects.get().phase_changes.count() == 2
    assert client.post("/api/initiatives", {**BODY, "lead": "9901"},
                       content_type="application/json", **basic(charlie)).status_code == 403


def test_create_refuses_bad_input_and_changes_nothing(
    client: Client, alice: User, bob: User
) -> None:
    for bad in ({"savings": 0}, {"reach": 6}, {"phase": "done"}, {"title": ""},
                {"start_date": "2026-05-02", "end_date": "2026-05-01"},
                {"start_date": "1066-10-14"}, {"lead": "no-such-organisation"}):
        response = client.post("/api/initiatives", {**BODY, **bad},
                               content_type="application/json", **basic(alice))
        assert response.status_code == 422, (bad, response.content)
    reader = client.post("/api/initiatives", BODY, content_type="application/json",
                         **basic(bob))
    assert reader.status_code == 403
    assert not Initiative.objects.exists()


def test_partner_editor_adds_own_statement(
    client: Client, charlie: User, dave: User, initiative: Initiative, beta: Organisation
) -> None:
    url = f"/api/initiatives/{initiative.pk}/statements"
    body = {"kind": "budget_rule", "text": "Högst 1 mkr per år."}
    response = client.post(url, body, content_type="application/json", **basic(charlie))
    assert response.status_code == 201
    assert response.json()["organisation"] == beta.code
    assert client.post(url, body, content_type="application/json",
                       **basic(dave)).status_code == 404
    bad = client.post(url, {**body, "organisation": "nope"}, content_type="application/json",
                      **basic(charlie))
    assert bad.status_code == 422
    assert Statement.objects.count() == 1


def test_portfolio_rows_with_scores(
    client: Client, alice: User, initiative: Initiative, alfa: Organisation
) -> None:
    data = client.get("/api/portfolio", {"w_risk_level": "0"}, **basic(alice)).json()
    assert data["weights"]["risk_level"] == 0
    assert data["rows"][0]["id"] == initiative.pk
    assert data["rows"][0]["lead"] == alfa.name
    assert data["rows"][0]["score"] == "3.56"


def test_nul_characters_and_absurd_paging_are_refused(
    client: Client, alice: User, charlie: User, initiative: Initiative
) -> None:
    response = client.post("/api/initiatives", {**BODY, "title": "Bygg\x00lov"},
                           content_type="application/json", **basic(alice))
    assert response.status_code == 422
    statement = client.post(f"/api/initiatives/{initiative.pk}/statements",
                            {"kind": "goal", "text": "a\x00b"},
                            content_type="application/json", **basic(charlie))
    assert statement.status_code == 422
    assert Initiative.objects.count() == 1 and not Statement.objects.exists()
    paging = client.get("/api/initiatives", {"limit": "9" * 40, "offset": "9" * 40},
                        **basic(alice))
    assert paging.status_code == 422
