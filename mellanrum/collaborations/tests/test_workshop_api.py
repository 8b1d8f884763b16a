"""The workshop, the shared principles and the draft agreement through the JSON API."""

from __future__ import annotations

import io
import json

from django.test import Client
from docx import Document

from mellanrum.collaborations import actions
from mellanrum.collaborations import workshop_actions as wa
from mellanrum.collaborations.models import Initiative, PrincipleApproval, Statement
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import basic

BASE = "/api/initiatives"


def _post(client: Client, user: User, url: str, body: object) -> tuple[int, object]:
    response = client.post(url, json.dumps(body), content_type="application/json",
                           **basic(user))
    return response.status_code, response.json() if response.content else None


def test_a_draft_is_recorded_on_behalf_and_confirmed_by_the_partner(
    client: Client, initiative: Initiative, alice: User, charlie: User, beta: Organisation,
) -> None:
    status, body = _post(client, alice, f"{BASE}/{initiative.pk}/statements/on-behalf",
                         {"organisation": beta.code, "kind": "principle",
                          "text": "Vi återanvänder befintliga plattformar."})
    assert status == 201 and isinstance(body, dict) and body["is_draft"] is True
    url = f"{BASE}/{initiative.pk}/statements/{body['id']}/confirm"
    assert _post(client, alice, url, {})[0] == 403
    status, confirmed = _post(client, charlie, url, {"version": 1})
    assert status == 200 and isinstance(confirmed, dict)
    assert confirmed["is_draft"] is False and confirmed["confirmed_by"] == "charlie"


def test_tensions_carry_suggestions_with_reasons_and_a_stance_is_set(
    client: Client, initiative: Initiative, alice: User, alfa: Organisation, beta: Organisation,
) -> None:
    cap = actions.do_add_statement(initiative, acting_user=alice, organisation=alfa,
                                   kind="budget_rule", text="Högst 500 000 kr per år.")
    reuse = wa.do_record_on_behalf(initiative, acting_user=alice, organisation=beta,
                                   kind="principle", text="Återanvänd befintlig plattform.")
    body = client.get(f"{BASE}/{initiative.pk}/tensions", **basic(alice)).json()
    pair = body["partners"][0]
    assert pair["suggestion"]["stance"] == "tension" and "500 000 kr" in \
        pair["suggestion"]["reason"]
    response = client.put(f"{BASE}/{initiative.pk}/tensions",
                          json.dumps({"first": reuse.pk, "second": cap.pk, "stance": "tension"}),
                          content_type="application/json", **basic(alice))
    assert response.status_code == 200 and response.json()["stance"] == "tension"


def test_principles_are_written_published_and_a_stale_approval_is_a_conflict(
    client: Client, initiative: Initiative, alice: User, charlie: User,
) -> None:
    url = f"{BASE}/{initiative.pk}/principles"
    status, _ = _post(client, alice, url, {"principles": [{"text": "Ett"}], "publish": True})
    assert status == 201
    _post(client, alice, url, {"principles": [{"text": "Två"}], "publish": True})
    status, body = _post(client, charlie, f"{url}/1/approve", {"number": 1})
    assert status == 409 and isinstance(body, dict) and "2" in body["detail"]
    assert not PrincipleApproval.objects.exists()
    status, body = _post(client, charlie, f"{url}/2/approve", {"number": 2})
    assert status == 201 and isinstance(body, dict)
    assert body["versions"][0]["approvals"][0]["organisation"] == "9902"
    assert body["versions"][0]["waiting_for"] == ["Alfa kommun"]


def test_a_partner_may_not_write_the_principles(
    client: Client, initiative: Initiative, charlie: User,
) -> None:
    status, _ = _post(client, charlie, f"{BASE}/{initiative.pk}/principles",
                      {"principles": [{"text": "Ett"}]})
    assert status == 403
    assert not initiative.principle_versions.exists()


def test_the_agreement_is_a_word_document_with_the_parties(
    client: Client, initiative: Initiative, charlie: User,
) -> None:
    response = client.get(f"{BASE}/{initiative.pk}/agreement.docx", **basic(charlie))
    assert response.status_code == 200
    text = "\n".join(c.text for t in Document(io.BytesIO(response.content)).tables
                     for r in t.rows for c in r.cells)
    assert "Alfa kommun" in text and "Beta kommun" in text
    assert not Statement.objects.exists()
