"""The cost-sharing calculator: enter partners and amounts, compare methods, export."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from mellanrum.landscape.models import Organisation
from mellanrum.lib.xlsx import active_sheet


def form_data(rows: list[tuple[str, str, str]], total: str, **extra: str) -> dict[str, str]:
    data = {
        "p-TOTAL_FORMS": str(max(5, len(rows))), "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0", "p-MAX_NUM_FORMS": "20",
        "kind": "cost", "total": total, "title": "Gemensam e-tjänsteplattform",
        "action": "compute",
    }
    for i, (code, alone, usage) in enumerate(rows):
        data |= {f"p-{i}-organisation": code, f"p-{i}-alone": alone, f"p-{i}-usage": usage}
    return data | extra


@pytest.fixture
def gamma(db: None) -> Organisation:
    return Organisation.objects.create(code="9903", name="Gamma kommun", kind="municipality",
                                       population=10_000)


def test_calculator_page_is_public_and_accessible_without_login(client: Client, db: None) -> None:
    response = client.get(reverse("benefits:calculator"))
    assert response.status_code == 200
    assert "Dela en gemensam kostnad rättvist" in response.content.decode()


def test_three_partners_get_every_method_and_a_stable_split(
    client: Client, alfa: Organisation, beta: Organisation, gamma: Organisation
) -> None:
    data = form_data(
        [("9901", "1 000 000", "85"), ("9902", "600 000", "30"), ("9903", "400 000", "10")],
        "1 500 000",
        groups="9901, 9902: 1 300 000",
    )
    response = client.post(reverse("benefits:calculator"), data)
    html = response.content.decode()
    assert response.status_code == 200, html[html.find("<main"):][:3000]
    for label in ["Shapleyvärde", "Nukleolus", "Minsta kärnan", "SCRB", "Lika delar",
                  "I proportion till folkmängd", "I proportion till användning"]:
        assert label in html, label
    assert "Ingen grupp av partner skulle tjäna på att gå ur" in html
    assert '<img src="/diagram/' in html


def test_equal_split_is_flagged_when_a_small_partner_would_leave(
    client: Client, alfa: Organisation, beta: Organisation, gamma: Organisation
) -> None:
    # Gamma alone costs 100 000; an equal third of 1 200 000 would make it leave.
    data = form_data(
        [("9901", "900 000", ""), ("9902", "500 000", ""), ("9903", "100 000", "")],
        "1 200 000",
    )
    html = client.post(reverse("benefits:calculator"), data).content.decode()
    assert "Gamma kommun skulle tjäna 300\xa0000 kr på att göra det ensam." in html


def test_export_gives_a_workbook_with_every_partner_and_method(
    client: Client, alfa: Organisation, beta: Organisation
) -> None:
    data = form_data([("9901", "1 000", ""), ("9902", "600", "")], "1 200", action="export")
    response = client.post(reverse("benefits:calculator"), data)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = active_sheet(load_workbook(io.BytesIO(response.content)))
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Alfa kommun" in values and "Beta kommun" in values
    assert "Shapleyvärde" in values


@pytest.mark.parametrize(
    ("rows", "total", "message"),
    [
        ([("9901", "1 000", "")], "900", "Välj minst två partner"),
        ([("9901", "1 000", ""), ("9901", "500", "")], "900", "bara väljas en gång"),
        ([("9901", "1 000", ""), ("9902", "-5", "")], "900", "större än eller lika med 0"),
        ([("9901", "tusen", ""), ("9902", "5", "")], "900", "Fyll i ett tal"),
        ([("9901", "1 000", ""), ("9902", "500", "")], "", "obligatoriskt"),
    ],
    ids=["one-partner", "duplicate", "negative", "not-a-number", "no-total"],
)
def test_bad_input_is_explained(
    client: Client, alfa: Organisation, beta: Organisation,
    rows: list[tuple[str, str, str]], total: str, message: str,
) -> None:
    response = client.post(reverse("benefits:calculator"), form_data(rows, total))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_group_naming_a_non_partner_is_refused(
    client: Client, alfa: Organisation, beta: Organisation
) -> None:
    data = form_data([("9901", "1 000", ""), ("9902", "600", "")], "1 200",
                     groups="9901, 0180: 700")
    html = client.post(reverse("benefits:calculator"), data).content.decode()
    assert "Rad 1: ”0180” är inte en av partnerna ovan." in html
    assert 'href="#id_groups"' in html


def test_partners_are_typed_by_name_and_subgroups_named_by_partner_name(
    client: Client, alfa: Organisation, beta: Organisation, gamma: Organisation
) -> None:
    by_code = client.post(reverse("benefits:calculator"), form_data(
        [("9901", "1 000 000", ""), ("9902", "600 000", ""), ("9903", "400 000", "")],
        "1 500 000", groups="9901, 9902: 1 300 000")).content.decode()
    by_name = client.post(reverse("benefits:calculator"), form_data(
        [("Alfa kommun", "1 000 000", ""), ("beta", "600 000", ""), ("Gamm", "400 000", "")],
        "1 500 000", groups="Alfa kommun, Beta: 1 300 000"))
    html = by_name.content.decode()
    assert by_name.status_code == 200, html[html.find("error-summary"):][:1500]
    assert html[html.find('id="result-heading"'):html.find('id="input-heading"')] == by_code[
        by_code.find('id="result-heading"'):by_code.find('id="input-heading"')]
    assert "Bara kostnaderna för var och en ensam är kända" not in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [("Ingenstans", "Ingen organisation heter ”Ingenstans”"),
     ("Beta", "”Beta” passar flera organisationer: Beta kommun, Betania stift. Skriv hela namnet."),
     ],
    ids=["unknown", "ambiguous"],
)
def test_an_unknown_or_ambiguous_partner_name_is_explained(
    client: Client, alfa: Organisation, beta: Organisation, typed: str, message: str
) -> None:
    beta.short_name = ""
    beta.save(update_fields=["short_name"])
    Organisation.objects.create(code="X1", name="Betania stift", kind="other")
    response = client.post(reverse("benefits:calculator"), form_data(
        [("Alfa", "1 000", ""), (typed, "600", "")], "1 200"))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'href="#id_p-1-organisation"' in html


def test_every_error_is_summarised_at_the_top_with_links_to_its_field(
    client: Client, alfa: Organisation, beta: Organisation
) -> None:
    data = form_data([("Alfa", "tusen", ""), ("Beta", "-5", ""), ("Alfa", "70", "")], "1 000",
                     groups="Alfa, Gamma: 700")
    html = client.post(reverse("benefits:calculator"), data).content.decode()
    summary = html[html.find('class="error-summary"'):html.find('id="input-heading"')]
    assert 'role="alert"' in summary and "autofocus" in summary and 'tabindex="-1"' in summary
    assert "Det finns 3 problem att rätta" in summary
    assert "Rad 1: ”Gamma” är inte en av partnerna ovan." in summary
    for anchor in ("id_groups", "id_p-0-alone", "id_p-1-alone"):
        assert f'href="#{anchor}"' in summary, anchor
    assert summary.count("<li>") == 3
    # A row without a partner, a missing total and a malformed subgroup line are listed too.
    data = form_data([("Alfa", "1", ""), ("Beta", "2", ""), ("", "70", "")], "",
                     groups="Alfa Beta 700")
    html = client.post(reverse("benefits:calculator"), data).content.decode()
    summary = html[html.find('class="error-summary"'):html.find('id="input-heading"')]
    for anchor in ("id_total", "id_groups", "id_p-2-organisation"):
        assert f'href="#{anchor}"' in summary, anchor


def test_the_calculator_starts_with_a_worked_example(client: Client, db: None) -> None:
    for code, name, short, population in [("0182", "Nacka kommun", "Nacka", 108_000),
                                          ("0120", "Värmdö kommun", "Värmdö", 47_000),
                                          ("0138", "Tyresö kommun", "Tyresö", 49_000)]:
        Organisation.objects.create(code=code, name=name, short_name=short,
                                    kind="municipality", population=population)
    html = client.get(reverse("benefits:calculator")).content.decode()
    assert 'value="Nacka kommun"' in html and 'value="Tyresö kommun"' in html
    assert "Nacka, Värmdö: 2 900 000" in html
    assert 'id="worked-example"' in html
    assert '<option value="Värmdö kommun">' in html
    # The example as filled in computes, and its methods disagree.
    data = form_data([("Nacka kommun", "2 400 000", "1 200"), ("Värmdö kommun", "1 100 000", "450"),
                      ("Tyresö kommun", "900 000", "380")], "3 300 000",
                     groups="Nacka, Värmdö: 2 900 000")
    response = client.post(reverse("benefits:calculator"), data)
    assert response.status_code == 200
    assert "✘ Nej" in response.content.decode() and "✔ Ja" in response.content.decode()


def test_more_rows_keeps_what_was_entered(client: Client, alfa: Organisation) -> None:
    data = form_data([("9901", "1 000", "")], "", action="more")
    html = client.post(reverse("benefits:calculator"), data).content.decode()
    assert 'name="p-9-organisation"' in html
    assert 'value="1 000"' in html or 'value="1000"' in html


def test_uploaded_game_file_is_compared(client: Client, alfa: Organisation) -> None:
    game = {"kind": "cost", "players": [{"id": "9901", "population": 85000}, {"id": "B"}],
            "values": {"9901": 21.95, "B": 17.08, "9901,B": 34.5}}
    upload = SimpleUploadedFile("game.json", json.dumps(game).encode())
    html = client.post(reverse("benefits:calculator_upload"), {"game": upload}).content.decode()
    assert "Alfa kommun" in html  # organisation codes are shown by name
    assert "Shapleyvärde" in html


def test_broken_game_file_gets_one_clear_message(client: Client, db: None) -> None:
    upload = SimpleUploadedFile("game.json", b'{"kind": "cost", "players": ["A"]')
    response = client.post(reverse("benefits:calculator_upload"), {"game": upload})
    assert response.status_code == 400
    assert "inte giltig JSON" in response.content.decode()


def test_api_compares_a_game(client: Client, alice: object) -> None:
    from mellanrum.conftest import PASSWORD

    client.login(username="alice", password=PASSWORD)
    game = {"kind": "cost", "players": ["A", "B"], "values": {"A": 4, "B": 6, "A,B": 8}}
    data = client.post("/api/fairshare/compare", json.dumps(game),
                       content_type="application/json").json()
    shapley = next(r for r in data["results"] if r["method"] == "shapley")
    assert shapley["allocation"] == pytest.approx({"A": 3.0, "B": 5.0})
    assert shapley["in_core"] is True
    bad = client.post("/api/fairshare/compare", json.dumps({"kind": "cost"}),
                      content_type="application/json")
    assert bad.status_code == 422


def test_api_solves_an_airport_game_of_4000_players(client: Client, alice: object) -> None:
    """An airport model with counts: exact Shapley and nucleolus by closed form, for 4 000
    players; Shapley per movement A 8/4000, B 8/4000 + 3/1000 (A's totals 6, B's 5)."""
    from mellanrum.conftest import PASSWORD

    client.login(username="alice", password=PASSWORD)
    game = {
        "kind": "cost",
        "players": [{"id": "A", "count": 3000}, {"id": "B", "count": 1000}],
        "model": {"type": "airport", "cost": {"A": 8, "B": 11}},
    }
    data = client.post(
        "/api/fairshare/compare", json.dumps(game), content_type="application/json"
    ).json()
    methods = {r["method"]: r for r in data["results"]}
    assert methods["shapley"]["allocation"] == pytest.approx({"A": 6.0, "B": 5.0})
    assert methods["nucleolus"]["in_core"] is True
    assert data["total"] == pytest.approx(11.0)
    bad = dict(game, model={"type": "airport", "cost": {"A": -8, "B": 11}})
    response = client.post(
        "/api/fairshare/compare", json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == 'model: cost of "A" is negative (-8)'


def test_calculator_says_why_methods_agree_and_shows_the_fixed_variable_key(
    client: Client, alfa: Organisation, beta: Organisation, gamma: Organisation
) -> None:
    rows = [("9901", "1 000 000", ""), ("9902", "600 000", ""), ("9903", "400 000", "")]
    response = client.post(reverse("benefits:calculator"), form_data(rows, "1 500 000"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bara kostnaderna för var och en ensam är kända" in html
    assert "Fast del + rörlig del per invånare (30 % fast)" in html
    known = client.post(reverse("benefits:calculator"),
                        form_data(rows, "1 500 000", groups="9901, 9902: 1 300 000"))
    assert "Bara kostnaderna för var och en ensam är kända" not in known.content.decode()


def test_api_says_when_collaborating_costs_more_than_going_alone(
    client: Client, alice: object
) -> None:
    from mellanrum.conftest import PASSWORD

    client.login(username="alice", password=PASSWORD)
    game = {"kind": "cost", "players": ["A", "B"], "values": {"A": 4, "B": 6, "A,B": 12}}
    data = client.post("/api/fairshare/compare", json.dumps(game),
                       content_type="application/json").json()
    assert data["costs_more_together"] is True and data["standalone_only"] is True
