"""The opportunity ranking a process leader acts on: status from arrangements, real units,
filters, XLSX export, "Starta samverkan", the law page and `mellanrum opportunities`."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from mellanrum.cli import main
from mellanrum.collaborations.models import ConceptLink, Initiative
from mellanrum.commonality import actions
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Membership, Opportunity
from mellanrum.core.models import User
from mellanrum.landscape import actions as landscape_actions
from mellanrum.landscape.models import Activity, Organisation

from .conftest import login


@pytest.fixture
def analysed(landscape: dict[str, Activity], alice: User) -> dict[str, Activity]:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    return landscape


def bygglov(landscape: dict[str, Activity]) -> Opportunity:
    concept = Membership.objects.get(activity=landscape["alfa_bygglov"]).concept
    return Opportunity.objects.get(concept__concept_id=concept.concept_id,
                                   concept__run=concept.run)


def test_done_jointly_by_everyone_is_already_joint_after_reranking(
    analysed: dict[str, Activity], alice: User, alfa: Organisation, beta: Organisation,
) -> None:
    assert bygglov(analysed).status == "open"
    landscape_actions.do_set_arrangement(analysed["alfa_bygglov"], acting_user=None,
                                         form="gemensam_namnd", partners=[beta])
    landscape_actions.do_set_arrangement(analysed["beta_bygglov"], acting_user=None,
                                         form="gemensam_namnd", partners=[alfa])
    actions.do_rerank_opportunities(acting_user=alice)
    found = bygglov(analysed)
    assert found.status == "already_joint" and found.score == 0
    assert "alla gör det redan i samverkan" in found.explanation_sv


def test_partly_joint_shows_who_is_still_outside(
    client: Client, analysed: dict[str, Activity], alice: User, bob: User,
) -> None:
    region = Organisation.objects.create(code="98", name="Region Prov", kind="region")
    landscape_actions.do_set_arrangement(analysed["alfa_bygglov"], acting_user=None,
                                         form="avtalssamverkan", partners=[region])
    actions.do_rerank_opportunities(acting_user=alice)
    assert bygglov(analysed).outside == ["9902"]
    html = login(client, bob).get(reverse("commonality:opportunities")).content.decode()
    assert "Delvis i samverkan" in html
    assert "Utanför: Beta kommun" in html


def test_an_editor_ranks_again_from_the_page_and_a_reader_may_not(
    client: Client, analysed: dict[str, Activity], alice: User, bob: User, beta: Organisation,
) -> None:
    landscape_actions.do_set_arrangement(analysed["alfa_bygglov"], acting_user=None,
                                         form="avtalssamverkan", partners=[beta])
    url = reverse("commonality:rerank")
    assert login(client, bob).post(url).status_code == 403
    assert bygglov(analysed).status == "open"
    assert login(client, alice).post(url).status_code == 302
    assert bygglov(analysed).status == "already_joint"  # Beta is Alfa's partner in it


def test_filters_by_status_nature_area_and_association(
    client: Client, analysed: dict[str, Activity], bob: User, alfa: Organisation,
) -> None:
    login(client, bob)
    url = reverse("commonality:opportunities")

    def shown(**query: str) -> bool:
        return ">Bygglovsansökan</a>" in client.get(url, query).content.decode()

    assert shown(status="open") and not shown(status="already_joint")
    assert shown(nature="myndighetsutovning") and not shown(nature="internal_support")
    assert shown(area="3.2") and not shown(area="3.5")
    association = Organisation.objects.create(code="ASSOC", name="Förbundet",
                                              kind="association")
    assert not shown(association="ASSOC")
    association.members.add(alfa)
    assert shown(association="ASSOC")


def test_the_export_is_a_workbook_in_real_units(
    client: Client, analysed: dict[str, Activity], bob: User,
) -> None:
    response = login(client, bob).get(reverse("commonality:opportunities_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert "Total årskostnad (kr)" in header and "Status" in header
    row = [c.value for c in sheet[2]]
    assert row[header.index("Total årskostnad (kr)")] == 5_750_000
    assert row[header.index("Organisationer (antal)")] == 2


def test_starta_samverkan_creates_an_initiative_with_concept_and_partners(
    client: Client, analysed: dict[str, Activity], alice: User, bob: User, beta: Organisation,
) -> None:
    opportunity = bygglov(analysed)
    url = reverse("commonality:start_initiative", args=[opportunity.concept.concept_id])
    assert login(client, bob).post(url).status_code == 403
    assert not Initiative.objects.exists()
    response = login(client, alice).post(url)
    initiative = Initiative.objects.get()
    assert response["Location"] == initiative.get_absolute_url()
    assert ConceptLink.objects.get(initiative=initiative).concept_id == \
        opportunity.concept.concept_id
    assert sorted(initiative.partners.values_list("organisation__code", "role", "status")) == [
        ("9901", "lead", "accepted"), ("9902", "partner", "invited")]


def test_an_association_starts_samverkan_as_facilitator_and_pays_nothing(
    client: Client, analysed: dict[str, Activity], alice: User,
) -> None:
    association = alice.organisation
    assert association is not None
    association.kind = Organisation.Kind.ASSOCIATION
    association.save(update_fields=["kind"])
    concept = bygglov(analysed).concept
    login(client, alice).post(reverse("commonality:start_initiative",
                                      args=[concept.concept_id]))
    lead = Initiative.objects.get().partners.get(organisation=association)
    assert (lead.role, lead.pays) == ("facilitator", False)


def test_the_law_page_names_the_paragraphs(client: Client, bob: User) -> None:
    html = login(client, bob).get(reverse("commonality:law")).content.decode()
    assert "KL 9 kap. 37 §" in html and "KL 9 kap. 19 §" in html
    assert "regeringsformen 12 kap. 4 §" in html.casefold()


def test_the_matrix_shows_how_with_a_legend(
    client: Client, analysed: dict[str, Activity], bob: User, beta: Organisation,
) -> None:
    landscape_actions.do_set_arrangement(analysed["alfa_bygglov"], acting_user=None,
                                         form="avtalssamverkan", partners=[beta])
    html = login(client, bob).get(reverse("commonality:matrix")).content.decode()
    assert '<abbr class="arrangement-symbol" title="Avtalssamverkan' in html
    assert "Teckenförklaring" in html


def test_the_concept_page_shows_the_arrangement(
    client: Client, analysed: dict[str, Activity], bob: User, beta: Organisation,
) -> None:
    landscape_actions.do_set_arrangement(analysed["alfa_bygglov"], acting_user=None,
                                         form="kommunalforbund", partners=[beta])
    concept = bygglov(analysed).concept
    html = login(client, bob).get(concept.get_absolute_url()).content.decode()
    assert "Kommunalförbund" in html and "(Beta)" in html


def test_the_opportunities_command_keeps_its_json_contract(analysed: dict[str, Activity]
                                                          ) -> None:
    result = CliRunner().invoke(main, ["opportunities", "--format", "json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and set(rows[0]) == {"rank", "concept", "score", "organisations", "status",
                                     "why"}
    assert rows[0]["rank"] == 1 and rows[0]["organisations"] == 2
    assert rows[0]["status"] in {"open", "partly_joint", "already_joint"}
    assert rows[0]["why"].startswith("2 kommuner gör detta")
