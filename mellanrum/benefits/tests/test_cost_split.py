"""Splitting the joint cost: every method compared, the lead's choice stored as a snapshot."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from mellanrum.benefits import actions as ledger_actions
from mellanrum.benefits.models import CostSplit
from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import login
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db


def post(alfa: Organisation, beta: Organisation, **extra: str) -> dict[str, str]:
    return {"joint_cost": "800", f"alone_{alfa.code}": "400", f"alone_{beta.code}": "600",
            "method": "shapley", "rationale": "", **extra}


def test_compare_shows_every_method_without_saving(client: Client, alice: User,
                                                   initiative: Initiative, alfa: Organisation,
                                                   beta: Organisation) -> None:
    response = login(client, alice).post(f"/samverkan/{initiative.pk}/kostnadsfordelning/",
                                         {**post(alfa, beta), "compare": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="split-preview"' in html
    labels = [m["label"] for m in response.context["preview"]]
    assert len(labels) >= 5
    assert not CostSplit.objects.exists()


def test_the_lead_saves_a_split_shown_to_every_partner(
    client: Client, alice: User, charlie: User, initiative: Initiative, alfa: Organisation,
    beta: Organisation,
) -> None:
    url = f"/samverkan/{initiative.pk}/kostnadsfordelning/"
    response = login(client, alice).post(url, {**post(alfa, beta), "save": "1"})
    assert response.status_code == 302
    split = CostSplit.objects.get()
    # Shapley of the game A=400, B=600, AB=800: A pays 300, B pays 500.
    assert split.amounts == {alfa.code: 300.0, beta.code: 500.0}
    assert split.in_core is True and split.chosen_by == alice
    assert {m["method"] for m in split.comparison} >= {"shapley", "nucleolus", "scrb",
                                                       "equal"}
    login(client, charlie)
    page = client.get(url).content.decode()
    assert 'id="split-current"' in page and "Shapley" in page
    assert 'name="save"' not in page
    detail = client.get(f"/samverkan/{initiative.pk}/").content.decode()
    assert 'id="split-summary"' in detail and "Shapley" in detail


def test_a_partner_that_is_not_the_lead_cannot_choose(client: Client, charlie: User,
                                                      initiative: Initiative,
                                                      alfa: Organisation,
                                                      beta: Organisation) -> None:
    response = login(client, charlie).post(f"/samverkan/{initiative.pk}/kostnadsfordelning/",
                                           {**post(alfa, beta), "save": "1"})
    assert response.status_code == 403
    assert not CostSplit.objects.exists()


@pytest.mark.parametrize(("extra", "field"), [
    ({"joint_cost": "-1"}, "joint_cost"),
    ({"joint_cost": "1e13"}, "joint_cost"),
    ({"method": ""}, "method"),
    ({"method": "lottery"}, "method"),
    ({"alone_9901": "-4"}, "alone_9901"),
])
def test_bad_split_input_is_refused(client: Client, alice: User, initiative: Initiative,
                                    alfa: Organisation, beta: Organisation,
                                    extra: dict[str, str], field: str) -> None:
    response = login(client, alice).post(f"/samverkan/{initiative.pk}/kostnadsfordelning/",
                                         {**post(alfa, beta, **extra), "save": "1"})
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not CostSplit.objects.exists()


def test_observers_take_no_share_and_three_partners_split(
    initiative: Initiative, alice: User, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    observer = actions.do_add_partner(initiative, acting_user=alice, organisation=gamma,
                                      role="observer")
    with pytest.raises(ValidationError):
        ledger_actions.do_choose_cost_split(
            initiative, acting_user=alice, joint_cost=Decimal(100),
            standalone={alfa.code: 40, beta.code: 40, gamma.code: 40}, method="equal")
    observer.role = "partner"
    observer.save(update_fields=["role"])
    with pytest.raises(ValidationError):  # invited: pays only once it has accepted
        ledger_actions.do_choose_cost_split(
            initiative, acting_user=alice, joint_cost=Decimal(100),
            standalone={alfa.code: 40, beta.code: 40, gamma.code: 40}, method="equal")
    do_answer_invitation(observer, acting_user=None, accept=True)
    split = ledger_actions.do_choose_cost_split(
        initiative, acting_user=alice, joint_cost=Decimal(100),
        standalone={alfa.code: 40, beta.code: 40, gamma.code: 40}, method="equal")
    assert split.amounts[alfa.code] == pytest.approx(100 / 3, abs=0.01)
    assert split.in_core is True and split.stability
