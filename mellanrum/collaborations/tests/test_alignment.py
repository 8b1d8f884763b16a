"""Partner statements against shared goals: people set the stance, the texts suggest one."""

from __future__ import annotations

from django.test import Client

from mellanrum.collaborations import actions
from mellanrum.collaborations.analysis import suggest
from mellanrum.collaborations.models import Alignment, Goal, Initiative, Statement
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Organisation

from .conftest import login


def test_partner_editor_adds_statement_and_marks_conflict(
    client: Client, charlie: User, initiative: Initiative, goal: Goal, beta: Organisation
) -> None:
    login(client, charlie)
    url = f"/samverkan/{initiative.pk}/utgangspunkter/ny/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"organisation": beta.code, "kind": "constraint",
                                 "text": "Ansökningar om bygglov får inte lämnas digitalt."})
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.organisation == beta and statement.created_by == charlie
    audit = AuditEntry.objects.get(action="collaborations.add_statement")
    assert audit.organisation == beta and audit.user == charlie
    page = client.get(f"/samverkan/{initiative.pk}/samstammighet/")
    row = page.context["rows"][0]
    assert row["cells"][0]["suggestion"].stance == "conflicts"
    assert row["cells"][0]["alignment"] is None  # suggestions are never stored
    assert page.context["conflicts"] == 0
    client.post(f"/samverkan/{initiative.pk}/samstammighet/",
                {"statement": statement.pk, "goal": goal.pk, "stance": "conflicts"})
    page = client.get(f"/samverkan/{initiative.pk}/samstammighet/")
    assert page.context["conflicts"] == 1
    html = page.content.decode()
    assert "✗" in html and 'data-stance="conflicts"' in html
    detail = client.get(f"/samverkan/{initiative.pk}/")
    assert detail.context["conflicts"] == 1


def test_stance_for_a_goal_of_another_initiative_is_refused(
    client: Client, alice: User, initiative: Initiative, goal: Goal, alfa: Organisation,
) -> None:
    other = actions.do_create_initiative(acting_user=alice, lead=alfa, title="Annat",
                                         purpose="x", phase="idea")
    statement = actions.do_add_statement(other, acting_user=alice, organisation=alfa,
                                         kind="goal", text="Bygglov digitalt")
    login(client, alice)
    response = client.post(f"/samverkan/{other.pk}/samstammighet/",
                           {"statement": statement.pk, "goal": goal.pk, "stance": "supports"})
    assert response.status_code == 404
    response = client.post(f"/samverkan/{other.pk}/samstammighet/",
                           {"statement": statement.pk, "goal": goal.pk, "stance": "bogus"})
    assert response.status_code == 302
    assert not Alignment.objects.exists()


def test_statement_from_non_partner_is_refused_by_the_action(
    initiative: Initiative, gamma: Organisation, alice: User
) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.do_add_statement(initiative, acting_user=alice, organisation=gamma,
                                 kind="goal", text="Vi vill också")
    assert not Statement.objects.exists()


def test_suggestion_rules() -> None:
    goal = "Handläggningstiden för bygglov halveras"
    assert suggest("Kortare handläggningstid för bygglov", "goal", goal).stance == "supports"
    limited = suggest("Bygglov får endast handläggas av egen personal", "constraint", goal)
    assert limited.stance == "conflicts" and limited.rule == "limit"
    assert "endast" in limited.words and "bygglov" in limited.shared_terms
    assert suggest("Vi prioriterar skolan", "goal", goal).stance == "neutral"
    ceiling = suggest("Högst 500 000 kr per år till nya system", "budget_rule",
                      "Alla kommuner använder samma plattform")
    assert ceiling.stance == "conflicts" and ceiling.rule == "ceiling"
    assert "alla" in ceiling.words
