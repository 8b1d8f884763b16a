"""The portfolio page: filters, the prioritisation score and its weights, chart and XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

from django.test import Client
from openpyxl import load_workbook

from mellanrum.collaborations import actions
from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.portfolio import DEFAULT_WEIGHTS, parse_weights, score
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation
from mellanrum.lib.xlsx import active_sheet

from .conftest import login


def test_score_is_weighted_mean_with_risk_inverted(initiative: Initiative) -> None:
    # 4, 3, 3, 4 and risk 2 (counts 4) with weights 3, 2, 2, 2, 1: (12+6+6+8+4)/10
    assert score(initiative, DEFAULT_WEIGHTS) == Decimal("3.60")
    only_risk = {**dict.fromkeys(DEFAULT_WEIGHTS, 0), "risk_level": 1}
    assert score(initiative, only_risk) == Decimal("4.00")


def test_bad_weights_fall_back_to_defaults() -> None:
    weights = parse_weights({"w_savings": "-2", "w_reach": "abc", "w_feasibility": "11",
                             "w_citizen_value": "5"})
    assert weights.values["savings"] == 2 and weights.values["reach"] == 2
    assert weights.values["citizen_value"] == 5
    assert set(weights.errors) == {"savings", "reach", "feasibility"}
    zero = parse_weights(dict.fromkeys((f"w_{n}" for n in DEFAULT_WEIGHTS), "") | {
        f"w_{n}": "0" for n in DEFAULT_WEIGHTS})
    assert zero.values == DEFAULT_WEIGHTS and "all_zero" in zero.errors


def test_portfolio_filters_and_ranks(
    client: Client, alice: User, charlie: User, initiative: Initiative, beta: Organisation
) -> None:
    second = actions.do_create_initiative(
        acting_user=charlie, lead=beta, title="Betas egna", purpose="x", phase="prestudy",
        is_public=True, citizen_value=5, savings=5, feasibility=5, reach=5, risk_level=1,
    )
    login(client, alice)
    rows = client.get("/samverkan/").context["rows"]
    assert [r.initiative for r in rows] == [second, initiative]
    # (Asked once: a second request gets the page from the shared page cache, not a context.)
    ideas = client.get("/samverkan/?phase=idea").context["rows"]
    assert ideas[0].initiative == initiative
    assert len(ideas) == 1
    partner_rows = client.get(f"/samverkan/?partner={beta.code}").context["rows"]
    assert len(partner_rows) == 2
    weighted = client.get("/samverkan/?w_citizen_value=0&w_savings=0&w_feasibility=0"
                          "&w_reach=0&w_risk_level=1").context["rows"]
    assert weighted[0].score == Decimal("5.00")
    page = client.get("/samverkan/?w_savings=99")
    assert page.context["weight_errors"] == ("savings",)
    html = page.content.decode()
    assert '<img src="/diagram/' in html and 'id="portfolio-table"' in html


def test_non_partner_portfolio_shows_only_public(
    client: Client, dave: User, initiative: Initiative
) -> None:
    login(client, dave)
    assert client.get("/samverkan/").context["rows"] == []


def test_xlsx_export_neutralises_formulas(
    client: Client, alice: User, alfa: Organisation
) -> None:
    actions.do_create_initiative(acting_user=alice, lead=alfa, title="=HYPERLINK(\"x\")",
                                 purpose="x", phase="idea")
    login(client, alice)
    response = client.get("/samverkan/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = active_sheet(load_workbook(io.BytesIO(response.content)))
    assert sheet.cell(2, 1).value == "'=HYPERLINK(\"x\")"
    assert sheet.cell(2, 3).value == "Alfa kommun"


def test_partner_filter_link_for_the_organisation_page(
    client: Client, bob: User, initiative: Initiative, alfa: Organisation
) -> None:
    login(client, bob)
    rows = client.get(f"/samverkan/?partner={alfa.code}").context["rows"]
    assert [r.initiative for r in rows] == [initiative]
    assert client.get("/samverkan/?partner=0000").context["rows"] == []


def test_linked_concept_and_life_event_filter_the_portfolio(
    client: Client, alice: User, initiative: Initiative
) -> None:
    from mellanrum.commonality.models import AnalysisRun, Concept
    from mellanrum.journeys.models import LifeEvent, Step

    run = AnalysisRun.objects.create(scope_key="all", scope_label="Alla", status="done")
    Concept.objects.create(run=run, scope_key="all", concept_id="c-bygglov", label="Bygglov")
    event = LifeEvent.objects.create(slug="bygga-hus", label_sv="Bygga hus")
    step = Step.objects.create(life_event=event, position=1, need="Söka bygglov",
                               responsible="municipality")
    login(client, alice)
    base = f"/samverkan/{initiative.pk}/lagg-till"
    assert client.post(f"{base}/concept/", {"concept": "c-bygglov"}).status_code == 302
    assert client.post(f"{base}/step/", {"step": step.pk}).status_code == 302
    again = client.post(f"{base}/concept/", {"concept": "c-bygglov"})
    assert again.status_code == 200 and again.context["form"].errors
    assert client.post(f"{base}/concept/", {"concept": "c-unknown"}).status_code == 200
    assert list(initiative.concept_links.values_list("label", flat=True)) == ["Bygglov"]
    page = client.get("/samverkan/?concept=c-bygglov&life_event=bygga-hus")
    assert [r.initiative for r in page.context["rows"]] == [initiative]
    assert page.context["concepts"] == [("c-bygglov", "Bygglov")]
    assert client.get("/samverkan/?concept=c-other").context["rows"] == []
    detail = client.get(f"/samverkan/{initiative.pk}/").content.decode()
    assert "/gemensamt/" in detail or "c-bygglov" in detail
    assert "Söka bygglov" in detail
