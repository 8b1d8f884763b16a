from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation


def test_start_page_says_what_mellanrum_is_for(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mellanrum" in html
    assert '<main id="main"' in html
    assert 'lang="sv"' in html


def test_english_is_available(client: Client, db: None) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert 'lang="en"' in response.content.decode()
    assert "Organisations" in response.content.decode()


def test_directory_filters_by_county_and_population_band(
    client: Client, alfa: Organisation, beta: Organisation
) -> None:
    Organisation.objects.create(code="0180", name="Stockholms kommun", kind="municipality",
                                county_code="01", county_name="Stockholms län",
                                population=995_574)
    response = client.get(reverse("landscape:organisations"), {"county": "99", "band": "50-100k"})
    html = response.content.decode()
    assert "Alfa kommun" in html
    assert "Beta kommun" not in html
    assert "Stockholms kommun" not in html


def test_directory_search_and_chart_have_text_alternative(
    client: Client, alfa: Organisation, beta: Organisation
) -> None:
    response = client.get(reverse("landscape:organisations"), {"q": "alfa"})
    html = response.content.decode()
    assert "Alfa kommun" in html and "Beta kommun" not in html
    assert '<img src="/diagram/' in html
    assert "85\xa0000" in html  # population in the table alternative, Swedish grouping


def test_directory_htmx_request_returns_only_results(client: Client, alfa: Organisation) -> None:
    response = client.get(reverse("landscape:organisations"), HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "Alfa kommun" in response.content.decode()


def test_organisation_page_hides_activities_from_anonymous(
    client: Client, activity: Activity
) -> None:
    response = client.get(activity.organisation.get_absolute_url())
    assert response.status_code == 200
    assert "Ansökan om bygglov" not in response.content.decode()


def test_organisation_page_shows_activities_and_figures(
    client: Client, bob: User, activity: Activity
) -> None:
    client.login(username="bob", password=PASSWORD)
    html = client.get(activity.organisation.get_absolute_url()).content.decode()
    assert "Ansökan om bygglov" in html
    assert "4\xa0250\xa0000" in html
    assert "Add an activity" not in html and "Lägg till en verksamhet" not in html


def test_activity_list_searches_filters_and_sorts(
    client: Client, bob: User, activity: Activity, beta_activity: Activity
) -> None:
    client.login(username="bob", password=PASSWORD)
    url = reverse("landscape:activities")
    assert "Hemtjänst" not in client.get(url, {"q": "bygglov"}).content.decode()
    html = client.get(url, {"sort": "-cost"}).content.decode()
    assert html.index("Hemtjänst") < html.index("Ansökan om bygglov")
    html = client.get(url, {"organisation": "9902"}).content.decode()
    assert "Hemtjänst" in html and "Ansökan om bygglov" not in html


def test_activity_page_shows_cost_per_inhabitant(
    client: Client, bob: User, activity: Activity
) -> None:
    client.login(username="bob", password=PASSWORD)
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "50,00" in html  # 4 250 000 kr / 85 000 inhabitants
    assert "5\xa0000" in html  # cost per case: 4 250 000 / 850


def test_editor_creates_activity_with_systems(
    client: Client, alice: User, alfa: Organisation
) -> None:
    client.login(username="alice", password=PASSWORD)
    response = client.post(
        reverse("landscape:activity_create", args=[alfa.code]),
        {"name": "Försörjningsstöd", "kind": "service", "annual_cost_sek": "1 200 000,50",
         "systems_text": "OmsorgsPro (Exempel AB) | Ekonomi365"},
    )
    assert response.status_code == 302
    created = Activity.objects.get(name="Försörjningsstöd")
    assert created.annual_cost_sek == Decimal("1200000.50")
    systems = sorted(str(s) for s in created.systems.all())
    assert systems == ["Ekonomi365", "OmsorgsPro (Exempel AB)"]


def test_form_rejects_negative_cost_and_script_url(
    client: Client, alice: User, alfa: Organisation
) -> None:
    client.login(username="alice", password=PASSWORD)
    response = client.post(
        reverse("landscape:activity_create", args=[alfa.code]),
        {"name": "X", "kind": "service", "annual_cost_sek": "-5", "url": "javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()
    assert 'class="error-summary"' in response.content.decode()


def test_second_editor_gets_conflict_instead_of_overwriting(
    client: Client, alice: User, activity: Activity
) -> None:
    client.login(username="alice", password=PASSWORD)
    url = reverse("landscape:activity_edit", args=[activity.pk])
    first = {"name": "Bygglov – ansök", "kind": "eservice", "version": activity.version}
    second = {"name": "Söka bygglov", "kind": "eservice", "version": activity.version}
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 409
    activity.refresh_from_db()
    assert activity.name == "Bygglov – ansök"


def test_hostile_text_is_escaped(client: Client, alice: User, alfa: Organisation) -> None:
    Activity.objects.create(organisation=alfa, key="x", name="<script>alert(1)</script>")
    client.login(username="alice", password=PASSWORD)
    for url in [alfa.get_absolute_url(), reverse("landscape:activities")]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_send_a_content_security_policy(client: Client, db: None) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_unknown_organisation_gives_friendly_404(client: Client, db: None) -> None:
    response = client.get("/organisationer/0000/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_template_downloads(client: Client, db: None) -> None:
    xlsx = client.get(reverse("landscape:template", args=["xlsx"]))
    csv = client.get(reverse("landscape:template", args=["csv"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert csv.status_code == 200 and "Namn" in csv.content.decode("utf-8-sig")


def test_directory_filters_and_sorts_by_tax_rate(client: Client, db: None) -> None:
    from mellanrum.landscape.actions import do_load_reference_data

    do_load_reference_data()
    url = reverse("landscape:organisations")
    html = client.get(url, {"tax_min": "23,5", "sort": "-tax"}).content.decode()
    # 23.80 is the highest municipal rate in 2025 (Government figures: max - min = 7.20).
    assert "23,80" in html
    assert "Österåker" not in html  # 16.60, the lowest
    low = client.get(url, {"tax_max": "16,6", "kind": "municipality"}).content.decode()
    assert "Österåkers kommun" in low
    assert "1 organisation matchar" in low
    garbage = client.get(url, {"tax_min": "<script>", "sort": "nonsense"})
    assert garbage.status_code == 200


def test_hsts_is_sent_only_over_https(client: Client, db: None) -> None:
    assert "Strict-Transport-Security" not in client.get("/")
    secure = client.get("/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_is_http_only(client: Client, alice: User) -> None:
    response = client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD})
    assert response.cookies["sessionid"]["httponly"]
