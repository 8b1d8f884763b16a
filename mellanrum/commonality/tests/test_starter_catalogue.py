"""The starter catalogue: a new organisation ticks the shared activities it does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from mellanrum.cli import main
from mellanrum.commonality import actions, analysis, starting_actions
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Concept, Membership
from mellanrum.conftest import _user
from mellanrum.core.models import AuditEntry, User
from mellanrum.landscape.models import Activity, Category, Organisation

from .conftest import login, make


@pytest.fixture
def gamma(db: None) -> Organisation:
    return Organisation.objects.create(code="9903", name="Gamma kommun", kind="municipality",
                                       population=12_000)


@pytest.fixture
def greta(gamma: Organisation) -> User:
    return _user("greta", gamma, "editor")


@pytest.fixture
def analysed(landscape: dict[str, Activity], alice: User, category: Category) -> Concept:
    """Both Alfa and Beta do bygglov (in KLASSA 3.2), hemtjänst and street lighting."""
    landscape["beta_bygglov"].category = category
    landscape["beta_bygglov"].save(update_fields=["category"])
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    return concept_of(landscape["alfa_bygglov"])


def concept_of(activity: Activity) -> Concept:
    return Membership.objects.get(activity=activity, concept__run=analysis.current_run()).concept


def url(code: str = "9903") -> str:
    return reverse("commonality:starter_catalogue", args=[code])


def row(concept: Concept, **fields: str) -> dict[str, str]:
    return {f"c{concept.pk}-{name}": value for name, value in fields.items()}


def post(client: Client, *rows: dict[str, str], code: str = "9903") -> str:
    data = {"run": str(analysis.current_run().pk)}  # type: ignore[union-attr]
    for r in rows:
        data |= r
    response = client.post(url(code), data)
    return response.content.decode() if response.status_code != 302 else response["Location"]


def test_the_catalogue_groups_shared_concepts_by_klassa_area_with_names_prefilled(
    client: Client, greta: User, analysed: Concept
) -> None:
    response = login(client, greta).get(url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "3.2 PLAN- OCH BYGGVERKSAMHET" in html
    assert "Utan KLASSA-område" in html  # hemtjänst and street lighting have no category
    name = Activity.objects.filter(concept_memberships__concept=analysed).order_by("name")[0].name
    assert f'name="c{analysed.pk}-name" id="id_c{analysed.pk}-name" value="{name}"' in html


def test_ticking_creates_activities_with_own_figures_in_their_concept(
    client: Client, greta: User, gamma: Organisation, analysed: Concept, category: Category
) -> None:
    login(client, greta)
    location = post(client, row(analysed, pick="on", name="Bygglov", annual_cost_sek="1 200 000",
                                volume_per_year="300", lead_time_days="21,5"))
    assert location == gamma.get_absolute_url()
    activity = Activity.objects.get(organisation=gamma)
    assert (activity.name, activity.category, activity.annual_cost_sek,
            activity.volume_per_year, activity.lead_time_days) == (
        "Bygglov", category, Decimal("1200000"), Decimal("300"), Decimal("21.5"))
    assert Membership.objects.filter(concept=analysed, activity=activity).exists()
    assert AuditEntry.objects.filter(organisation=gamma, action="activity.starter_catalogue",
                                     user=greta).exists()
    html = client.get(url()).content.decode()
    assert html.count("</strong> – finns redan") == 1
    assert f"c{analysed.pk}-pick" not in html


def test_a_concept_already_present_is_not_created_again(
    client: Client, greta: User, gamma: Organisation, analysed: Concept
) -> None:
    make(gamma, "egen", "Ansökan om bygglov")  # the same name as Alfa's, made after the analysis
    login(client, greta)
    assert f"c{analysed.pk}-pick" not in client.get(url()).content.decode()
    html = post(client, row(analysed, pick="on", name="Bygglov"))
    assert "Inget lades till" in html
    assert Activity.objects.filter(organisation=gamma).count() == 1
    with pytest.raises(ValidationError, match="redan"):
        starting_actions.do_start_from_catalogue(
            gamma, [starting_actions.StarterPick(concept_id=analysed.concept_id)],
            acting_user=greta)


def test_no_ticks_gives_a_message_and_changes_nothing(
    client: Client, greta: User, gamma: Organisation, analysed: Concept
) -> None:
    response = login(client, greta).post(url(), {"run": str(analysis.current_run().pk)})  # type: ignore[union-attr]
    assert response.status_code == 400
    assert "Kryssa i minst en verksamhet" in response.content.decode()
    assert not Activity.objects.filter(organisation=gamma).exists()


def test_bad_numbers_are_summarised_with_links_and_nothing_is_saved(
    client: Client, greta: User, gamma: Organisation, analysed: Concept,
    landscape: dict[str, Activity],
) -> None:
    other = concept_of(landscape["alfa_hemtjanst"])
    login(client, greta)
    html = post(client, row(analysed, pick="on", name="Bygglov", annual_cost_sek="mycket",
                            lead_time_days="-3"),
                row(other, volume_per_year="12"))
    assert 'role="alert"' in html
    assert f'href="#id_c{analysed.pk}-annual_cost_sek"' in html
    assert f'href="#id_c{analysed.pk}-lead_time_days"' in html
    assert f'href="#id_c{other.pk}-pick"' in html
    assert "Kryssa i den för att lägga till den, eller ångra det du fyllt i." in html
    assert not Activity.objects.filter(organisation=gamma).exists()


def test_a_renamed_row_that_is_not_ticked_is_not_silently_dropped(
    client: Client, greta: User, gamma: Organisation, analysed: Concept
) -> None:
    html = post(login(client, greta), row(analysed, name="Vårt bygglov"))
    assert f'href="#id_c{analysed.pk}-pick"' in html
    assert 'value="Vårt bygglov"' in html
    assert not Activity.objects.filter(organisation=gamma).exists()


def test_an_editor_of_another_organisation_cannot_start_gammas_catalogue(
    client: Client, charlie: User, bob: User, gamma: Organisation, analysed: Concept
) -> None:
    for user in (charlie, bob):
        login(client, user)
        assert client.get(url()).status_code == 403
        assert client.post(url(), {"run": "1", **row(analysed, pick="on")}).status_code == 403
    assert not Activity.objects.filter(organisation=gamma).exists()
    with pytest.raises(PermissionDenied):
        starting_actions.do_start_from_catalogue(
            gamma, [starting_actions.StarterPick(concept_id=analysed.concept_id)],
            acting_user=charlie)
    assert not Activity.objects.filter(organisation=gamma).exists()


def test_one_invalid_pick_saves_none_of_the_others(
    greta: User, gamma: Organisation, analysed: Concept, landscape: dict[str, Activity]
) -> None:
    other = concept_of(landscape["alfa_hemtjanst"])
    with pytest.raises(ValidationError, match="Inte i startkatalogen: c-nope"):
        starting_actions.do_start_from_catalogue(gamma, [
            starting_actions.StarterPick(concept_id=other.concept_id, name="Hemtjänst"),
            starting_actions.StarterPick(concept_id="c-nope"),
        ], acting_user=greta)
    with pytest.raises(ValidationError, match="samma namn"):
        starting_actions.do_start_from_catalogue(gamma, [
            starting_actions.StarterPick(concept_id=other.concept_id, name="Stöd"),
            starting_actions.StarterPick(concept_id=analysed.concept_id, name="stöd"),
        ], acting_user=greta)
    assert not Activity.objects.filter(organisation=gamma).exists()


def test_a_changed_analysis_asks_to_check_again(
    client: Client, greta: User, gamma: Organisation, analysed: Concept
) -> None:
    login(client, greta)
    response = client.post(url(), {"run": "0", **row(analysed, pick="on", name="Bygglov")})
    assert "De gemensamma begreppen uppdaterades" in response.content.decode()
    assert not Activity.objects.filter(organisation=gamma).exists()


def test_without_an_analysis_the_page_says_so(client: Client, greta: User) -> None:
    html = login(client, greta).get(url()).content.decode()
    assert "Ingen analys av gemensamma verksamheter har gjorts ännu" in html


def test_the_organisation_and_import_pages_link_editors_to_it(
    client: Client, greta: User, bob: User, gamma: Organisation
) -> None:
    login(client, greta)
    assert url() in client.get(gamma.get_absolute_url()).content.decode()
    assert url() in client.get(reverse("landscape:import", args=["9903"])).content.decode()
    login(client, bob)
    assert url() not in client.get(gamma.get_absolute_url()).content.decode()


def test_the_cli_lists_the_catalogue_and_adds_all_or_nothing(
    greta: User, charlie: User, gamma: Organisation, analysed: Concept,
    landscape: dict[str, Activity],
) -> None:
    other = concept_of(landscape["alfa_hemtjanst"])
    runner = CliRunner()
    listed = runner.invoke(main, ["starter-catalogue", "-o", "9903"])
    assert listed.exit_code == 0, listed.output
    assert "3.2 PLAN- OCH BYGGVERKSAMHET" in listed.output
    assert f"  {analysed.concept_id}  " in listed.output
    refused = runner.invoke(main, ["starter-catalogue", "-o", "9903", "--user", "charlie",
                                   "--concept", analysed.concept_id])
    assert refused.exit_code == 1
    assert "charlie får inte ändra verksamheterna för Gamma kommun" in refused.output
    unknown = runner.invoke(main, ["starter-catalogue", "-o", "9903", "--user", "greta",
                                   "--concept", other.concept_id, "--concept", "c-nope"])
    assert unknown.exit_code == 1
    assert "Inte i startkatalogen: c-nope" in unknown.output
    assert not Activity.objects.filter(organisation=gamma).exists()
    added = runner.invoke(main, ["starter-catalogue", "-o", "9903", "--user", "greta",
                                 "--language", "en", "--concept", other.concept_id])
    assert added.exit_code == 0, added.output
    assert "1 activity was added from the starter catalogue." in added.output
    assert Activity.objects.filter(organisation=gamma).count() == 1
    again = runner.invoke(main, ["starter-catalogue", "-o", "9903", "--concept",
                                 other.concept_id])
    assert again.exit_code == 1
    assert Activity.objects.filter(organisation=gamma).count() == 1
    relisted = runner.invoke(main, ["starter-catalogue", "-o", "9903", "--language", "en"])
    assert f"  {other.concept_id}  " in relisted.output
    assert "[already present]" in relisted.output


def test_the_api_lists_and_adds_all_or_nothing(
    client: Client, greta: User, charlie: User, gamma: Organisation, analysed: Concept,
    landscape: dict[str, Activity],
) -> None:
    other = concept_of(landscape["alfa_hemtjanst"])
    api = "/api/organisations/9903/starter-catalogue"
    login(client, greta)
    areas = client.get(api).json()
    concepts = {c["concept_id"]: c for a in areas for c in a["concepts"]}
    assert areas[0]["code"] == "3.2"
    assert concepts[analysed.concept_id]["category"] == "3.2.2"
    assert not concepts[other.concept_id]["present"]
    bad = client.post(api, {"picks": [{"concept_id": other.concept_id, "name": "Hemtjänst"},
                                      {"concept_id": analysed.concept_id, "lead_time_days": -1}]},
                      content_type="application/json")
    assert bad.status_code == 422
    none = client.post(api, {"picks": []}, content_type="application/json")
    assert none.status_code == 422 and "Kryssa i minst en" in none.content.decode()
    assert not Activity.objects.filter(organisation=gamma).exists()
    added = client.post(api, {"picks": [{"concept_id": other.concept_id,
                                         "annual_cost_sek": "12000000"}]},
                        content_type="application/json")
    assert added.status_code == 201, added.content
    assert [a["name"] for a in added.json()] == ["Hemtjänst"]
    again = client.post(api, {"picks": [{"concept_id": other.concept_id}]},
                        content_type="application/json")
    assert again.status_code == 422
    assert Activity.objects.filter(organisation=gamma).count() == 1
    login(client, charlie)
    assert client.get(api).status_code == 403
