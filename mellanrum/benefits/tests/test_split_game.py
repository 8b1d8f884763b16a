"""The split page uses what people know: subgroup costs, the capacity model and the key
"fast del + rörlig del"; it says why methods coincide and tells each partner's story."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from mellanrum.benefits.models import CostSplit, LedgerRow
from mellanrum.collaborations import actions
from mellanrum.collaborations.consent_actions import do_answer_invitation
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import login
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

pytestmark = pytest.mark.django_db

ENGLISH: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def three(initiative: Initiative, alice: User, gamma: Organisation) -> Initiative:
    """Alfa (85 000 inhabitants) leads; Beta (30 000) and Gamma (20 000) are partners."""
    gamma.population = 20_000
    gamma.save()
    do_answer_invitation(actions.do_add_partner(initiative, acting_user=alice,
                                                organisation=gamma, role="partner"),
                         acting_user=None, accept=True)
    return initiative


def form(alfa: Organisation, beta: Organisation, gamma: Organisation,
         **extra: str) -> dict[str, str]:
    return {"joint_cost": "900000", f"alone_{alfa.code}": "600000",
            f"alone_{beta.code}": "400000", f"alone_{gamma.code}": "300000",
            "method": "shapley", "rationale": "", "model": "known", "fixed_percent": "30",
            "groups": "", **extra}


def url(initiative: Initiative) -> str:
    return f"/samverkan/{initiative.pk}/kostnadsfordelning/"


def methods(response: Any) -> dict[str, dict[str, float]]:
    return {m["method"]: m["amounts"] for m in response.context["preview"]}


def test_with_stand_alone_costs_only_the_page_says_why_every_method_agrees(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    response = login(client, alice).post(url(three), {**form(alfa, beta, gamma),
                                                      "compare": "1"})
    assert response.status_code == 200
    found = methods(response)
    # The saving of 400 000 kr shared equally: each pays its cost alone less 133 333 kr.
    assert found["shapley"][alfa.code] == pytest.approx(466_666.67, abs=0.01)
    assert found["nucleolus"][beta.code] == pytest.approx(266_666.67, abs=0.01)
    html = response.content.decode()
    assert ("Bara kostnaderna för var och en ensam är kända, så alla metoder ger samma svar — "
            "ange vad två eller tre parter skulle kosta tillsammans för att jämföra.") in html


def test_subgroup_costs_named_by_partner_make_shapley_differ_from_sharing_the_saving_equally(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    response = login(client, alice).post(url(three), {
        **form(alfa, beta, gamma, groups="Alfa kommun, Beta kommun: 700 000"), "compare": "1"})
    assert response.status_code == 200
    found = methods(response)
    equal_saving = {alfa.code: 466_666.67, beta.code: 266_666.67, gamma.code: 166_666.67}
    assert any(abs(found["shapley"][c] - equal_saving[c]) > 1 for c in equal_saving)
    # Shapley by hand: c(A)=600k, c(B)=400k, c(C)=300k, c(AB)=700k, c(AC)=900k (A and C
    # alone, the cheapest known parts), c(BC)=700k, c(ABC)=900k.
    # A joining in the orders ABC, ACB, BAC, BCA, CAB, CBA adds 600, 600, 300, 200, 600, 200.
    shapley_a = (600 + 600 + 300 + 200 + 600 + 200) / 6 * 1000
    assert found["shapley"][alfa.code] == pytest.approx(shapley_a, abs=0.01)
    html = response.content.decode()
    assert "Bara kostnaderna för var och en ensam" not in html
    # The Shapley story (the preview's default) names what Alfa adds first and last:
    # 600 000 kr alone, c(ABC) - c(BC) = 200 000 kr last.
    story = response.context["preview_stories"][0]["text"].replace("\xa0", " ")
    assert story.startswith("Alfa kommun betalar 416 667 kr.")
    assert "lägger till 600 000 kr" in story and "200 000 kr när den ansluter" in story
    # Nucleolus 425 000 / 225 000 / 250 000: Alfa and Beta together, and Gamma alone, gain
    # least, 50 000 kr each.
    nucleolus = {**form(alfa, beta, gamma, groups="Alfa kommun, Beta kommun: 700 000",
                        method="nucleolus"), "compare": "1"}
    stories = client.post(url(three), nucleolus, **ENGLISH).context["preview_stories"]
    assert "Gamma kommun pays 250,000 kr" in stories[2]["text"]
    assert "gains least from this split still gains 50,000 kr" in stories[2]["text"]
    assert not CostSplit.objects.exists()


def test_the_fixed_and_variable_key_is_shown_with_the_share_given(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    response = login(client, alice).post(url(three), {**form(alfa, beta, gamma),
                                                      "compare": "1"})
    # 30 % of 900 000 split equally (90 000 each), 630 000 by 85 000 / 30 000 / 20 000.
    assert methods(response)["fixed-variable:30"] == pytest.approx(
        {alfa.code: 90_000 + 630_000 * 85 / 135, beta.code: 90_000 + 630_000 * 30 / 135,
         gamma.code: 90_000 + 630_000 * 20 / 135}, abs=0.01)


def test_the_saved_split_tells_each_partners_story_with_its_amount(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    client = login(client, alice)
    response = client.post(url(three), {
        **form(alfa, beta, gamma, groups="Alfa kommun, Beta kommun: 700 000",
               method="fixed-variable"), "save": "1"})
    assert response.status_code == 302
    split = CostSplit.objects.get()
    assert split.method == "fixed-variable:30"
    assert split.game["groups"] == [[[alfa.code, beta.code], "700000"]]
    page = client.get(url(three), **ENGLISH)
    stories = page.context["current_stories"]
    assert [s["name"] for s in stories] == ["Alfa kommun", "Beta kommun", "Gamma kommun"]
    html = page.content.decode()
    # Beta pays 90 000 + 140 000 = 230 000 kr against 400 000 kr alone.
    assert "Beta kommun pays 230,000 kr. Alone it would pay 400,000 kr, so it saves " \
           "170,000 kr" in html
    assert "its equal part of the fixed share" in html
    swedish = client.get(url(three)).content.decode()
    assert "Beta kommun betalar 230" in swedish
    # The form shows what was known, with the partners' names.
    assert "Alfa kommun, Beta kommun: 700000" in swedish
    # The lead's share of the key is a planned cost in its ledger, like every partner's.
    row = LedgerRow.objects.get(organisation=alfa)
    assert row.cost_split == split and row.planned == Decimal("486666.67")
    assert "Fast del + rörlig del per invånare (30 % fast)" in row.description


def test_the_capacity_model_shares_each_step_between_the_partners_that_need_it(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    response = login(client, alice).post(url(three), {
        **form(alfa, beta, gamma, model="capacity", joint_cost="600000"), "compare": "1"})
    assert response.status_code == 200
    # Steps: 0-300k for all three (100k each), 300-400k for Alfa and Beta (50k each),
    # 400-600k Alfa alone.
    assert methods(response)["shapley"] == pytest.approx(
        {alfa.code: 350_000, beta.code: 150_000, gamma.code: 100_000})
    english = login(client, alice).post(url(three), {
        **form(alfa, beta, gamma, model="capacity", joint_cost="600000"), "compare": "1"},
        **ENGLISH)
    story = next(s["text"] for s in english.context["preview_stories"] if s["code"] == "9902")
    assert "Beta kommun pays 150,000 kr" in story
    assert ("100,000 kr of the step from 0 to 300,000 kr, shared by 3; 50,000 kr of the step "
            "from 300,000 to 400,000 kr, shared by 2") in story


def test_collaborating_at_a_higher_cost_than_alone_is_said_plainly(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    response = login(client, alice).post(url(three), {
        **form(alfa, beta, gamma, joint_cost="1500000"), "compare": "1"}, **ENGLISH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Doing it together costs 200,000 kr more than every partner doing it alone" in html
    assert "more than going alone" in html


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"alone_9902": "-5"}, "alone_9902", "above 0"),
    ({"alone_9902": ""}, "alone_9902", ""),
    ({"groups": "Alfa kommun, Beta kommun: 700 000\nBeta kommun, Alfa kommun: 650 000"},
     "groups", "Line 2: this group is already given on line 1."),
    ({"groups": "Alfa kommun, Delta kommun: 700 000"}, "groups",
     "Line 1: “Delta kommun” is not a paying partner of the initiative."),
    ({"groups": "Alfa kommun, Beta kommun: -700"}, "groups", "at least 0"),
    ({"groups": "Alfa kommun Beta kommun 700"}, "groups", "a colon"),
    ({"fixed_percent": "130"}, "fixed_percent", "between 0 and 100 %"),
    ({"fixed_percent": "-1"}, "fixed_percent", "between 0 and 100 %"),
    ({"model": "capacity", "joint_cost": "500000"}, "joint_cost", "600,000 kr"),
])
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation, change: dict[str, str], field: str, message: str,
) -> None:
    response = login(client, alice).post(url(three), {**form(alfa, beta, gamma, **change),
                                                      "save": "1"}, **ENGLISH)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert 'class="error-summary"' in response.content.decode() or "error" in \
        response.content.decode()
    assert not CostSplit.objects.exists()


def test_the_cost_model_gives_every_groups_cost_and_shapley_follows_it(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation,
) -> None:
    from itertools import permutations

    volumes = {alfa.code: 500, beta.code: 200, gamma.code: 100}

    def cost(group: tuple[str, ...]) -> float:
        return 300_000 + 1_000 * sum(volumes[c] for c in group) ** 0.8 if group else 0.0

    orders = list(permutations(volumes))
    shapley = {c: sum(cost(tuple(o[:o.index(c) + 1])) - cost(tuple(o[:o.index(c)]))
                      for o in orders) / len(orders) for c in volumes}
    client = login(client, alice)
    data = {**form(alfa, beta, gamma, model="formula", joint_cost="", formula_fixed="300000",
                   formula_unit_cost="1000", formula_exponent="0,8"),
            **{f"alone_{c}": "" for c in volumes},
            **{f"volume_{c}": str(v) for c, v in volumes.items()}}
    response = client.post(url(three), {**data, "compare": "1"})
    assert response.status_code == 200, response.context["form"].errors
    assert methods(response)["shapley"] == pytest.approx(shapley, abs=0.01)
    assert "Bara kostnaderna för var och en ensam" not in response.content.decode()
    assert client.post(url(three), {**data, "save": "1"}).status_code == 302
    split = CostSplit.objects.get()
    assert float(split.joint_cost) == pytest.approx(cost(tuple(volumes)), abs=0.01)
    assert float(split.standalone[alfa.code]) == pytest.approx(cost((alfa.code,)), abs=0.01)
    assert split.game["model"] == "formula" and split.game["volumes"][beta.code] == "200"


@pytest.mark.parametrize(("change", "field"), [
    ({"formula_exponent": "3"}, "formula_exponent"),
    ({"formula_unit_cost": "-1"}, "formula_unit_cost"),
    ({"volume_9903": ""}, "volume_9903"),
    ({"formula_fixed": "0", "volume_9903": "0"}, "formula_fixed"),
])
def test_a_bad_cost_model_changes_nothing(
    client: Client, alice: User, three: Initiative, alfa: Organisation, beta: Organisation,
    gamma: Organisation, change: dict[str, str], field: str,
) -> None:
    data = {**form(alfa, beta, gamma, model="formula", formula_fixed="300000",
                   formula_unit_cost="1000"),
            "volume_9901": "500", "volume_9902": "200", "volume_9903": "100", **change}
    response = login(client, alice).post(url(three), {**data, "save": "1"})
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not CostSplit.objects.exists()
