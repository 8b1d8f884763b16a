from __future__ import annotations

from decimal import Decimal

import pytest

from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.models import Category, NamedGroup, Organisation


@pytest.fixture
def loaded(db: None) -> dict[str, int]:
    return do_load_reference_data()


def test_all_municipalities_and_regions_are_loaded(loaded: dict[str, int]) -> None:
    assert Organisation.objects.filter(kind="municipality").count() == 290
    assert Organisation.objects.filter(kind="region").count() == 21
    total = sum(population or 0 for population in Organisation.objects.filter(
        kind="municipality").values_list("population", flat=True))
    assert total == 10_587_710  # SCB's population of Sweden on 2024-12-31


def test_municipality_carries_county_group_and_tax(loaded: dict[str, int]) -> None:
    stockholm = Organisation.objects.get(code="0180")
    assert stockholm.short_name == "Stockholm"
    assert stockholm.county_name == "Stockholms län"
    assert stockholm.population == 995_574
    assert stockholm.skr_group_code == "A1"
    assert stockholm.tax_year == 2025
    assert stockholm.municipal_tax_rate is not None
    assert stockholm.regional_tax_rate is not None
    assert stockholm.total_tax_rate == stockholm.municipal_tax_rate + stockholm.regional_tax_rate


def test_gotland_has_no_regional_tax(loaded: dict[str, int]) -> None:
    gotland = Organisation.objects.get(code="0980")
    assert gotland.regional_tax_rate is None
    assert gotland.total_tax_rate == Decimal("33.60")


def test_state_agencies_are_organisations(loaded: dict[str, int]) -> None:
    names = set(Organisation.objects.filter(kind="state_agency").values_list("name", flat=True))
    assert {"Skatteverket", "Försäkringskassan", "Arbetsförmedlingen", "Migrationsverket"} <= names
    assert len(names) == 8


def test_real_associations_have_members_and_statistics_are_filters(
    loaded: dict[str, int],
) -> None:
    goteborgsregionen = Organisation.objects.get(name="Göteborgsregionen", kind="association")
    members = set(goteborgsregionen.members.values_list("short_name", flat=True))
    assert {"Göteborg", "Mölndal", "Kungsbacka"} <= members
    assert Organisation.objects.filter(name="Familjen Helsingborg", kind="association").exists()
    assert Organisation.objects.filter(name="Södertörnskommunerna").exists()
    # Size bands and SKR groups are filters, not organisations.
    assert not Organisation.objects.filter(name__startswith="Kommuner med").exists()
    assert not Organisation.objects.filter(name="Storstäder").exists()
    assert NamedGroup.objects.filter(title="Storstäder").get().members.count() == 3


def test_klassa_categories_form_a_tree(loaded: dict[str, int]) -> None:
    assert Category.objects.count() == 184
    child = Category.objects.filter(level="processgrupp").first()
    assert child is not None and child.parent is not None
    assert child.parent.level == "verksamhetsomrade"


def test_loading_twice_changes_nothing(loaded: dict[str, int]) -> None:
    before = Organisation.objects.count(), Category.objects.count(), NamedGroup.objects.count()
    do_load_reference_data()
    after = Organisation.objects.count(), Category.objects.count(), NamedGroup.objects.count()
    assert before == after
