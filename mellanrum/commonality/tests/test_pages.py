"""The overview, run progress, concept, matrix and opportunity pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import AnalysisRun, Concept, Membership
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity

from .conftest import login


@pytest.fixture
def analysed(landscape: dict[str, Activity], alice: User) -> dict[str, Activity]:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    return landscape


def concept_of(activity: Activity) -> Concept:
    return Membership.objects.get(
        activity=activity, concept__run=analysis.current_run()
    ).concept


@pytest.mark.parametrize(
    "url",
    ["/gemensamt/", "/gemensamt/matris/", "/gemensamt/mojligheter/", "/gemensamt/synonymer/",
     "/gemensamt/begrepp/c-x/", "/gemensamt/analys/1/"],
)
def test_every_page_requires_login(client: Client, url: str, db: None) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_overview_offers_the_run_button_to_editors_only(
    client: Client, alice: User, bob: User
) -> None:
    html = login(client, bob).get(reverse("commonality:overview")).content.decode()
    assert "Ingen analys har körts ännu" in html
    assert reverse("commonality:start_run") not in html
    html = login(client, alice).get(reverse("commonality:overview")).content.decode()
    assert reverse("commonality:start_run") in html


def test_a_reader_cannot_start_an_analysis(client: Client, bob: User, landscape: object) -> None:
    response = login(client, bob).post(reverse("commonality:start_run"), {"scope": "all"})
    assert response.status_code == 403
    assert not AnalysisRun.objects.exists()


def test_an_editor_runs_the_analysis_for_a_county_and_sees_the_result(
    client: Client, alice: User, landscape: object
) -> None:
    login(client, alice)
    response = client.post(reverse("commonality:start_run"), {"scope": "county", "county": "99"})
    run = AnalysisRun.objects.get()
    assert response["Location"] == reverse("commonality:run", args=[run.pk])
    assert run.scope == {"county": "99", "organisations": []}
    html = client.get(response["Location"]).content.decode()
    assert "Testlän" in html and "6 verksamheter i 4 begrepp" in html
    html = client.get(reverse("commonality:overview")).content.decode()
    assert "Bygglovsansökan" in html or "Ansökan om bygglov" in html


def test_a_run_form_without_a_county_is_refused(client: Client, alice: User, alfa: object
                                                ) -> None:
    response = login(client, alice).post(reverse("commonality:start_run"), {"scope": "county"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not AnalysisRun.objects.exists()


def test_progress_is_polled_while_the_run_is_under_way(client: Client, alice: User) -> None:
    run = AnalysisRun.objects.create(scope_key="all", scope={}, scope_label="Alla",
                                     status="running", stage="grouping", progress_total=3200)
    html = login(client, alice).get(
        reverse("commonality:run", args=[run.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html
    assert "Grupperar verksamheter" in html and "0 av 3\xa0200" in html


def test_a_failed_run_shows_its_message(client: Client, alice: User) -> None:
    run = AnalysisRun.objects.create(scope_key="all", scope={}, scope_label="Alla",
                                     status="failed", message="Something specific broke")
    html = login(client, alice).get(reverse("commonality:run", args=[run.pk])).content.decode()
    assert 'role="alert"' in html and "Something specific broke" in html
    assert "every 1s" not in html


def test_concept_page_shows_variants_systems_charts_and_explanation(
    client: Client, analysed: dict[str, Activity], bob: User
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    html = login(client, bob).get(concept.get_absolute_url()).content.decode()
    assert "Hemtjänst" in html and "Stöd i hemmet" in html
    assert "Lifecare" in html and "Treserva" in html
    assert html.count('<img src="/diagram/') == 2
    assert "1\xa0058,82" in html  # 90 000 000 kr / 85 000 inhabitants, in the table
    assert "900\xa0000" in html  # 90 000 000 kr / 100 cases: cost per case beside it
    assert "från en komplett ansökan till beslut" in html  # what lead time measures
    assert "<caption" in html and 'scope="row"' in html
    html = client.get(concept_of(analysed["alfa_bygglov"]).get_absolute_url()).content.decode()
    assert "2 kommuner gör detta" in html


def test_concept_page_lists_activities_to_move_in(
    client: Client, analysed: dict[str, Activity], alice: User
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    html = login(client, alice).get(concept.get_absolute_url(), {"q": "ljus"}).content.decode()
    assert "Vägljus" in html
    assert 'value="include"' in html


def test_an_unknown_concept_is_404(client: Client, analysed: object, bob: User) -> None:
    response = login(client, bob).get(reverse("commonality:concept", args=["c-nope"]))
    assert response.status_code == 404


def test_hostile_labels_are_escaped(
    client: Client, analysed: dict[str, Activity], alice: User
) -> None:
    concept = concept_of(analysed["alfa_bygglov"])
    hostile = '<script>alert("x")</script>'
    actions.do_record_decision(concept, "rename", acting_user=alice, label=hostile)
    login(client, alice)
    for url in (concept.get_absolute_url(), reverse("commonality:matrix"),
                reverse("commonality:opportunities"), reverse("commonality:overview"),
                analysed["beta_bygglov"].get_absolute_url()):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(" in html, url
        assert hostile not in html, url


def test_matrix_marks_who_does_what_with_text_not_colour(
    client: Client, analysed: dict[str, Activity], bob: User
) -> None:
    html = login(client, bob).get(reverse("commonality:matrix")).content.decode()
    assert html.count('<span class="visually-hidden">ja</span>') == 6
    assert html.count('<span class="visually-hidden">nej</span>') == 2
    assert "Alfa" in html and "Beta" in html
    html = client.get(reverse("commonality:matrix"), {"organisation": "9902"}).content.decode()
    assert html.count('<span class="visually-hidden">ja</span>') == 3
    assert "Gatubelysning" not in html


def test_opportunities_are_ranked_and_explained(
    client: Client, analysed: dict[str, Activity], bob: User
) -> None:
    html = login(client, bob).get(reverse("commonality:opportunities")).content.decode()
    assert ">Bygglovsansökan</a>" in html
    assert ">Hemtjänst</a>" not in html  # a whole care form is a core mandate, not ranked
    assert "ledtiden skiljer 42 dagar" in html  # 70 − 28, in days
    assert "5\xa0750\xa0000" in html  # total annual cost in kronor, not a 0–1 score
    assert "Gatubelysning" not in html  # done by one organisation only


def test_pages_without_an_analysis_send_you_to_the_overview(client: Client, bob: User) -> None:
    response = login(client, bob).get(reverse("commonality:matrix"))
    assert response["Location"] == reverse("commonality:overview")



def test_pages_speak_english_when_asked(
    client: Client, analysed: dict[str, Activity], bob: User
) -> None:
    login(client, bob)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("commonality:opportunities")).content.decode()
    assert "2 municipalities do this" in html and "kommuner gör detta" not in html
    # The run was started in Swedish; its scope still reads in the reader's language.
    assert "analysis of all organisations" in html and "alla organisationer" not in html
    html = client.get(reverse("commonality:overview")).content.decode()
    assert "Common ground" in html and "Latest analysis" in html
