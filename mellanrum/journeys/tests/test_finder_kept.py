"""The finder's page is kept in the shared page cache (core/page_cache.py): every search is
still counted, and a write that changes what the page shows is seen on the next search."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from mellanrum.conftest import PageCacheHits
from mellanrum.journeys import analysis
from mellanrum.journeys.models import FinderUsage, PlaceName
from mellanrum.journeys.views import OUTCOME
from mellanrum.landscape.models import Activity, Organisation

URL = "/hitta/"
SEARCH = {"place": "Nacka", "q": "hemtjänst till mamma"}


def _page(response: Any) -> str:
    """The page without its CSRF tokens (each visitor gets their own)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _counts() -> tuple[int, int, int, int]:
    usage = FinderUsage.objects.get()
    return usage.searches, usage.with_results, usage.without_results, usage.rejected


def test_a_search_is_kept_and_every_search_is_counted(
    client: Client, activities: dict[tuple[str, str], Activity],
    hits: PageCacheHits,
) -> None:
    first = client.get(URL, SEARCH)
    assert not hits() and "Hemtjänst" in first.content.decode()
    again = client.get(URL, SEARCH)
    assert hits()
    assert _page(again) == _page(first) and again.status_code == 200
    assert OUTCOME not in first and OUTCOME not in again  # the count's header is not sent
    client.get(URL, {"place": "Nacka", "q": ""})
    client.get(URL, {"place": "Nacka", "q": ""})
    assert hits()
    client.get(URL, {"place": "Nacka", "q": "qwzx"})
    client.get(URL, {"place": "Nacka", "q": "qwzx"})
    assert hits()
    assert _counts() == (6, 2, 2, 2)
    # Another visitor (a new session) is served the same kept page and counted too.
    other = Client().get(URL, SEARCH)
    assert hits() and _page(other) == _page(first)
    assert _counts() == (7, 3, 2, 2)


def test_a_kept_search_shows_every_change_of_what_it_shows(
    client: Client, activities: dict[tuple[str, str], Activity],
    hits: PageCacheHits,
) -> None:
    hemtjanst = activities[("0182", "hemtjanst")]
    client.get(URL, SEARCH)
    # A description is neither searched nor shown: the page stays kept.
    Activity.objects.filter(pk=hemtjanst.pk).update(description="Ny beskrivning")
    client.get(URL, SEARCH)
    assert hits()

    Activity.objects.filter(pk=hemtjanst.pk).update(name="Hemtjänst i Nacka, ny")
    page = client.get(URL, SEARCH).content.decode()
    assert not hits() and "Hemtjänst i Nacka, ny" in page
    Activity.objects.filter(pk=hemtjanst.pk).update(url="https://nacka.example/hemtjanst")
    page = client.get(URL, SEARCH).content.decode()
    assert not hits() and "https://nacka.example/hemtjanst" in page
    Activity.objects.filter(pk=hemtjanst.pk).delete()
    page = client.get(URL, SEARCH).content.decode()
    assert not hits() and "Hemtjänst i Nacka, ny" not in page
    nacka = Organisation.objects.get(code="0182")
    Activity.objects.create(organisation=nacka, key="ht2", name="Hemtjänst för äldre")
    page = client.get(URL, SEARCH).content.decode()
    assert not hits() and "Hemtjänst för äldre" in page
    Organisation.objects.filter(pk=nacka.pk).update(name="Nacka nya kommun")
    page = client.get(URL, SEARCH).content.decode()
    assert not hits() and "Nacka nya kommun" in page


def test_a_place_loaded_after_a_search_is_found_at_once(
    client: Client, activities: dict[tuple[str, str], Activity],
) -> None:
    search = {"place": "Ankeborg", "q": "hemtjänst"}
    assert client.get(URL, search).context["lookup"].problem
    PlaceName.objects.create(name="Ankeborg", municipality=Organisation.objects.get(code="0182"))
    found = client.get(URL, search)
    assert found.context["lookup"].organisation.code == "0182"


def test_kept_values_follow_the_data_outside_pages_too(
    activities: dict[tuple[str, str], Activity],
) -> None:
    nacka = Organisation.objects.get(code="0182")
    names = {s["name"] for s in analysis.find_for_place("hemtjänst", nacka)["services"]}
    assert "Hemtjänst" in names
    Activity.objects.filter(organisation=nacka, key="hemtjanst").update(name="Hemhjälp")
    names = {s["name"] for s in analysis.find_for_place("hemtjänst", nacka)["services"]}
    assert "Hemtjänst" not in names
