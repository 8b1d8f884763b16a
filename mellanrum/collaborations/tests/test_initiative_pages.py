"""Creating and editing initiatives and their parts in the web pages, bad input included."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from mellanrum.collaborations.models import (
    DecisionEntry,
    Goal,
    Initiative,
    Partner,
    PhaseChange,
    Risk,
    SteeringMember,
)
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Activity, Contact, Organisation

from .conftest import in_a_year, login

VALID = {
    "title": "Gemensam hemtjänstplanering", "purpose": "Bättre kontinuitet.", "phase": "idea",
    "citizen_value": "4", "savings": "5", "feasibility": "2", "reach": "4", "risk_level": "3",
}


def _today() -> datetime.date:
    return timezone.localdate()


def test_editor_creates_initiative_and_her_organisation_leads(
    client: Client, alice: User, alfa: Organisation
) -> None:
    login(client, alice)
    assert client.get("/samverkan/ny/").status_code == 200
    response = client.post("/samverkan/ny/", VALID)
    initiative = Initiative.objects.get()
    assert response["Location"] == f"/samverkan/{initiative.pk}/"
    assert initiative.lead is not None and initiative.lead.organisation == alfa
    assert initiative.phase_changes.get().changed_by == alice
    assert AuditEntry.objects.filter(action="collaborations.create").exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Gemensam hemtjänstplanering" in page.content.decode()


def test_reader_cannot_create(client: Client, bob: User) -> None:
    login(client, bob)
    assert client.get("/samverkan/ny/").status_code == 403
    assert client.post("/samverkan/ny/", VALID).status_code == 403
    assert not Initiative.objects.exists()


def test_superuser_chooses_the_lead(client: Client, superuser: User, beta: Organisation) -> None:
    login(client, superuser)
    client.post("/samverkan/ny/", {**VALID, "lead": beta.code})
    lead = Initiative.objects.get().lead
    assert lead is not None and lead.organisation == beta
    client.post("/samverkan/ny/", {**VALID, "lead": "not-a-code"})
    assert Initiative.objects.count() == 1


def test_bad_scores_and_dates_are_refused_with_a_message(client: Client, alice: User) -> None:
    login(client, alice)
    for bad in ({"savings": "0"}, {"savings": "6"}, {"reach": "-3"}, {"reach": "1e9"},
                {"start_date": "2026-05-01", "end_date": "2026-04-01"},
                {"start_date": "0001-01-01"}, {"start_date": "2026-02-30"}):
        response = client.post("/samverkan/ny/", {**VALID, **bad})
        assert response.status_code == 200, bad
        assert response.context["form"].errors, bad
        assert 'role="alert"' in response.content.decode()
    assert not Initiative.objects.exists()


def test_phase_change_is_kept_in_history(
    client: Client, alice: User, initiative: Initiative
) -> None:
    login(client, alice)
    data = {**VALID, "title": initiative.title, "phase": "prestudy"}
    assert client.post(f"/samverkan/{initiative.pk}/andra/", data).status_code == 302
    client.post(f"/samverkan/{initiative.pk}/andra/", data)  # unchanged phase: no new entry
    phases = list(PhaseChange.objects.filter(initiative=initiative).values_list("phase",
                                                                                flat=True))
    assert phases == ["idea", "prestudy"]


def test_lead_adds_goal_decision_risk_steering_member(
    client: Client, alice: User, initiative: Initiative, beta: Organisation
) -> None:
    login(client, alice)
    base = f"/samverkan/{initiative.pk}/lagg-till"
    posts = {
        "goal": {"title": "Kortare handläggning", "indicator": "Median dagar",
                 "baseline": "28", "target": "14", "target_date": in_a_year().isoformat()},
        "decision": {"date": _today().isoformat(), "decision": "Förstudie startas",
                     "decided_by": "Styrgruppen", "rationale": "Stor volym"},
        "risk": {"description": "Leverantören hinner inte", "likelihood": "3", "impact": "4",
                 "owner": "Projektledaren", "mitigation": "Tidig dialog"},
        "steering": {"name": "Eva Ek", "organisation": beta.code, "role": "Ordförande"},
    }
    for kind, data in posts.items():
        assert client.get(f"{base}/{kind}/").status_code == 200
        assert client.post(f"{base}/{kind}/", data).status_code == 302, kind
    assert Goal.objects.get().target == "14"
    assert DecisionEntry.objects.get().recorded_by == alice
    assert Risk.objects.get().score == 12
    assert SteeringMember.objects.get().organisation == beta
    page = client.get(f"/samverkan/{initiative.pk}/").content.decode()
    assert "Leverantören hinner inte" in page and "Förstudie startas" in page


def test_impossible_goal_and_decision_dates_change_nothing(
    client: Client, alice: User, initiative: Initiative
) -> None:
    login(client, alice)
    base = f"/samverkan/{initiative.pk}/lagg-till"
    yesterday = (_today() - datetime.timedelta(days=1)).isoformat()
    tomorrow = (_today() + datetime.timedelta(days=1)).isoformat()
    goal = {"title": "Mål", "indicator": "I", "target": "1", "target_date": yesterday}
    decision = {"date": tomorrow, "decision": "Beslut", "decided_by": "Styrgruppen"}
    for kind, data, field in (("goal", goal, "target_date"), ("decision", decision, "date")):
        response = client.post(f"{base}/{kind}/", data)
        assert response.status_code == 200
        assert field in response.context["form"].errors
    risk = {"description": "R", "likelihood": "9", "impact": "-1"}
    response = client.post(f"{base}/risk/", risk)
    assert set(response.context["form"].errors) == {"likelihood", "impact"}
    assert not Goal.objects.exists() and not DecisionEntry.objects.exists()
    assert not Risk.objects.exists()


def test_partner_must_be_an_organisation_and_contact_from_it(
    client: Client, alice: User, initiative: Initiative, gamma: Organisation,
    alfa: Organisation,
) -> None:
    login(client, alice)
    url = f"/samverkan/{initiative.pk}/lagg-till/partner/"
    response = client.post(url, {"organisation": "Påhittad kommun", "role": "partner"})
    assert "organisation" in response.context["form"].errors
    Contact.objects.create(organisation=alfa, name="Anna Alfa")
    response = client.post(url, {"organisation": gamma.code, "role": "partner",
                                 "contact": "Anna Alfa"})
    assert "contact" in response.context["form"].errors
    response = client.post(url, {"organisation": gamma.code, "role": "lead"})
    assert "role" in response.context["form"].errors
    assert initiative.partners.count() == 2
    Contact.objects.create(organisation=gamma, name="Gun Gamma", email="gun@gamma.example")
    client.post(url, {"organisation": gamma.code, "role": "observer",
                      "contact": "gun@gamma.example"})
    partner = initiative.partners.get(organisation=gamma)
    assert partner.role == Partner.Role.OBSERVER and partner.contact is not None
    response = client.post(url, {"organisation": gamma.code, "role": "partner"})
    assert response.status_code == 200 and initiative.partners.count() == 3


def test_links_to_activity_and_removal(
    client: Client, alice: User, initiative: Initiative, beta_activity: Activity,
    gamma: Organisation,
) -> None:
    login(client, alice)
    url = f"/samverkan/{initiative.pk}/lagg-till/activity/"
    assert client.post(url, {"activity": beta_activity.pk}).status_code == 302
    assert list(initiative.activities.all()) == [beta_activity]
    other = Activity.objects.create(organisation=gamma, key="x", name="Annat")
    assert client.post(url, {"activity": other.pk}).status_code == 200
    client.post(f"/samverkan/{initiative.pk}/ta-bort/activity/{beta_activity.pk}/")
    assert not initiative.activities.exists()
    assert client.get(f"/samverkan/{initiative.pk}/lagg-till/nonsense/").status_code == 404
