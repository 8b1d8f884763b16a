"""Charts drawn ahead (core/predraw.py): after an analysis or an import the pages' pictures are
drawn before anyone asks, and a page always shows its current data."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Membership
from mellanrum.core.models import User
from mellanrum.landscape.actions import do_import_activities, do_update_activity
from mellanrum.landscape.models import Activity, Organisation
from mellanrum.landscape.spreadsheet import ActivityRow
from mellanrum.lib import charts

from .conftest import login


@pytest.fixture(autouse=True)
def _draw_ahead(settings: SettingsWrapper) -> None:
    settings.CHART_PREDRAW = True


def _pictures(client: Client, url: str) -> dict[str, str]:
    """The page's chart pictures by key, fetched as a browser does."""
    page = client.get(url).content.decode()
    pictures = {}
    for address in re.findall(r'<img src="(/diagram/[0-9a-f]{64}\.svg[^"]*)"', page):
        response = client.get(address.replace("&amp;", "&"))
        assert response.status_code == 200
        pictures[address.split("?")[0]] = response.content.decode()
    return pictures


def _concept_url(activity: Activity) -> str:
    membership = Membership.objects.get(activity=activity, concept__run=analysis.current_run())
    return membership.concept.get_absolute_url()


def _drawn(key_address: str) -> bool:
    key = key_address.removeprefix("/diagram/").removesuffix(".svg")
    return charts._cache().get(f"chart-svg:{key}") is not None


def test_an_analysis_draws_the_concept_pages_charts_before_anyone_asks(
    client: Client, landscape: dict[str, Activity], alice: User, renders: list[str]
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    drawn_ahead = len(renders)
    assert drawn_ahead > 0
    url = _concept_url(landscape["alfa_bygglov"])
    login(client, alice)
    page = client.get(url).content.decode()
    keys = re.findall(r'<img src="(/diagram/[0-9a-f]{64}\.svg)\?', page)
    assert len(keys) == 2 and all(_drawn(key) for key in keys)  # before the browser asks
    pictures = _pictures(client, url)
    assert len(renders) == drawn_ahead  # the pictures came from the cache
    assert all("Alfa kommun" in svg and "Beta kommun" in svg for svg in pictures.values())
    # In English too (every interface language is drawn ahead).
    client.cookies["django_language"] = "en"
    english = _pictures(client, url)
    assert len(renders) == drawn_ahead and set(english) != set(pictures)
    assert any("Cost per inhabitant" in svg for svg in english.values())


def test_the_analysis_draws_the_organisation_pages_key_figures_too(
    client: Client, landscape: dict[str, Activity], alice: User, alfa: Organisation,
    renders: list[str],
) -> None:
    from django.utils import timezone

    from mellanrum.kolada.models import KoladaValue
    from mellanrum.kolada.templatetags.kolada import organisation_chart_urls

    for code, value in (("9901", 1234.0), ("9902", 987.0)):
        KoladaValue.objects.create(kpi_id="N00901", municipality_code=code, year=2024,
                                   gender="T", value=value, changed_at=timezone.now())
    addresses = organisation_chart_urls(alfa)
    assert len(addresses) == 1
    assert not any(_drawn(address) for address in addresses)
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert all(_drawn(address) for address in addresses)
    drawn = len(renders)
    assert _pictures(client, "/organisationer/9901/") and len(renders) == drawn


def test_after_an_edit_the_page_shows_a_new_picture_of_the_new_figures(
    client: Client, landscape: dict[str, Activity], alice: User, renders: list[str]
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    url = _concept_url(landscape["alfa_bygglov"])
    login(client, alice)
    before = _pictures(client, url)
    beta = landscape["beta_bygglov"]
    # 4 567 800 kr for Beta's 30 000 inhabitants: 152,26 kr each, written 152,3.
    do_update_activity(beta, acting_user=alice, annual_cost_sek=Decimal(4_567_800))
    after = _pictures(client, url)
    assert len(set(after) - set(before)) == 1  # the cost chart has a new address ...
    new = after[(set(after) - set(before)).pop()]
    assert "152,3" in new and all("152,3" not in svg for svg in before.values())  # ... and data


def test_an_import_that_changes_figures_draws_their_concepts_charts_ahead(
    client: Client, landscape: dict[str, Activity], alice: User, beta: Organisation,
    renders: list[str],
) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    drawn = len(renders)
    row = ActivityRow(row_number=2, key="bl", name="Bygglovsansökan", kind="eservice",
                      annual_cost_sek=Decimal(4_567_800), volume_per_year=Decimal(100),
                      lead_time_days=Decimal(70))
    do_import_activities(beta, [row], acting_user=alice)
    assert len(renders) == drawn + 2  # the new cost chart, in Swedish and in English
    url = _concept_url(landscape["alfa_bygglov"])
    login(client, alice)
    pictures = _pictures(client, url)
    assert len(renders) == drawn + 2  # the page's pictures were all drawn ahead
    assert any("152,3" in svg for svg in pictures.values())


def test_nothing_is_drawn_ahead_when_it_is_turned_off(
    landscape: dict[str, Activity], alice: User, renders: list[str],
    settings: SettingsWrapper,
) -> None:
    settings.CHART_PREDRAW = False
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert renders == []
