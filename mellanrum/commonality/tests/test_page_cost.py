"""Hot pages do no needless work: charts are drawn once, queries do not grow with the data."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Membership
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation
from mellanrum.lib import charts

from .conftest import login, make


def _charts(client: Client, url: str) -> list[str]:
    """The addresses (without their signature) of the charts on a page, each picture fetched
    as a browser does."""
    html = client.get(url).content.decode()
    addresses = re.findall(r'<img src="(/diagram/[0-9a-f]{64}\.svg\?a=[^"]+)"', html)
    for address in addresses:
        picture = client.get(address)
        assert picture.status_code == 200 and picture["Content-Type"].startswith("image/svg+xml")
    # The picture's key; the signature after "?" is made afresh for every page.
    return [address.split("?")[0] for address in addresses]


def _concept_url(activity: Activity) -> str:
    membership = Membership.objects.get(activity=activity, concept__run=analysis.current_run())
    return membership.concept.get_absolute_url()


def test_a_concept_page_renders_its_charts_once_and_again_when_the_data_change(
    client: Client, landscape: dict[str, Activity], alice: User, renders: list[str]
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    login(client, alice)
    url = _concept_url(landscape["alfa_bygglov"])
    first = _charts(client, url)
    assert len(first) == len(renders) == 2  # cost per inhabitant and lead time
    assert _charts(client, url) == first
    assert len(renders) == 2  # served from the cache
    client.cookies["django_language"] = "en"
    english = _charts(client, url)
    assert len(renders) == 4 and "Cost per inhabitant" in renders[-2]  # titles in the language
    assert english[0] != first[0]
    del client.cookies["django_language"]

    bygglov = landscape["beta_bygglov"]
    bygglov.annual_cost_sek = Decimal(2_500_000)  # the run stays, the data change
    bygglov.save()
    changed = _charts(client, url)
    assert len(renders) == 5  # only the cost chart is drawn again
    assert changed[0] != first[0] and changed[1] == first[1]


def test_the_cache_key_covers_everything_the_chart_is_drawn_from() -> None:
    base = charts.cache_key("bar", [[{"label": "A", "value": 1.0}], "Org", "kr", 560])
    for other in (
        charts.cache_key("bar", [[{"label": "A", "value": 2.0}], "Org", "kr", 560]),
        charts.cache_key("bar", [[{"label": "B", "value": 1.0}], "Org", "kr", 560]),
        charts.cache_key("bar", [[{"label": "A", "value": 1.0}], "Organisation", "kr", 560]),
        charts.cache_key("bar", [[{"label": "A", "value": 1.0}], "Org", "kr", 400]),
        charts.cache_key("grouped", [[{"label": "A", "value": 1.0}], "Org", "kr", 560]),
    ):
        assert other != base


def _count(client: Client, url: str) -> int:
    client.get(url)  # warm up caches that are filled once per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_hot_pages_use_the_same_number_of_queries_for_more_data(
    client: Client, landscape: dict[str, Activity], alice: User, beta: Organisation
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    login(client, alice)
    pk = landscape["alfa_bygglov"].pk
    urls = ["/organisationer/", "/organisationer/9901/", "/organisationer/9902/",
            f"/verksamheter/{pk}/", f"/verksamheter/{pk}/andra/", "/verksamheter/?q=bygg",
            "/gemensamt/", "/gemensamt/mojligheter/", "/hitta/?q=bygglov"]
    # The first visit to the finder loads the life-event catalogue (a write: that page is not
    # kept, the next one is, as every other page here is kept after its warm-up).
    client.get("/hitta/")
    before = {url: _count(client, url) for url in [*urls, _concept_url(landscape["alfa_bygglov"])]}

    for n in range(3, 9):  # six more municipalities with the same services, more systems
        organisation = Organisation.objects.create(
            code=f"99{n:02}", name=f"Kommun {n}", kind="municipality", county_code="99",
            county_name="Testlän", population=10_000 * n,
        )
        make(organisation, "bl", "Bygglov", 1_000_000 * n, 20 + n, (f"System {n}", "Castor"))
        make(organisation, "ht", "Hemtjänst", 9_000_000 * n, 10, ("Lifecare",))
        make(beta, f"x{n}", f"Bygglovsrådgivning {n}", 100_000, 5, (f"Verktyg {n}",))
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    after = {url: _count(client, url) for url in [*urls, _concept_url(landscape["alfa_bygglov"])]}
    assert list(after.values()) == list(before.values()), {
        url: (before[u], after[u]) for url, u in zip(after, before, strict=True)
        if after[url] != before[u]
    }


def test_many_organisations_get_a_histogram_and_the_table_still_lists_each(
    client: Client, landscape: dict[str, Activity], alice: User, renders: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mellanrum.commonality import concept_views as views

    actions.do_run_analysis(Scope.of(), acting_user=alice)
    login(client, alice)
    client.cookies["django_language"] = "en"
    monkeypatch.setattr(views, "MAX_BARS", 1)
    url = _concept_url(landscape["alfa_bygglov"])
    html = client.get(url).content.decode()
    assert 'alt="Bar chart of the distribution the analysis computed' in html
    assert len(_charts(client, url)) == 2
    assert "Point of the distribution" in renders[0]
    assert "Alfa kommun" in html and "Beta kommun" in html  # the table keeps every figure


def test_the_chart_of_many_organisations_draws_the_stored_distribution(
    landscape: dict[str, Activity], alice: User,
) -> None:
    from mellanrum.commonality.concept_views import _quantile_rows
    from mellanrum.commonality.models import Membership

    actions.do_run_analysis(Scope.of(), acting_user=alice)
    concept = Membership.objects.get(activity=landscape["alfa_bygglov"]).concept
    stored = concept.distribution("cost_per_inhabitant")
    assert stored is not None
    rows = dict(_quantile_rows(stored))
    assert rows["median"] == stored["median"] and rows["p90"] == stored["p90"]
    assert list(rows) == ["min", "p10", "q1", "median", "q3", "p90", "max"]


def test_charts_drawn_in_a_helper_process_are_the_same_as_drawn_here(
    settings: SettingsWrapper,
) -> None:
    rows = [("Alfa kommun", 1234.5), ("Beta kommun", 99.0)]
    settings.CHART_RENDER_PROCESSES = 0
    key = charts.bar_chart_url(rows, viewer=charts.PUBLIC, category_title="Org",
                               value_title="kr")[-68:-4]
    charts._cache().delete(f"chart-svg:{key}")
    here = charts.chart_svg(key)
    settings.CHART_RENDER_PROCESSES = 1
    charts._cache().delete(f"chart-svg:{key}")
    helper = charts.chart_svg(key)
    assert helper == here and helper is not None and helper.startswith("<svg")
    assert charts._pool is not None  # it really went through the helper process
