"""A small slice of the reference data (four municipalities in two counties, their regions and
the eight agencies), the shipped catalogue and a few hand-made activities.

`full_reference` loads all of the reference data, for the tests that need it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mellanrum.journeys.actions import do_load_catalogue
from mellanrum.landscape.actions import do_load_reference_data
from mellanrum.landscape.models import Activity, Organisation
from mellanrum.landscape.reference import STATE_AGENCIES

ORGANISATIONS = [
    # (code, name, short name, kind, county code)
    ("0114", "Upplands Väsby kommun", "Upplands Väsby", "municipality", "01"),
    ("0180", "Stockholms kommun", "Stockholm", "municipality", "01"),
    ("0182", "Nacka kommun", "Nacka", "municipality", "01"),
    ("1280", "Malmö kommun", "Malmö", "municipality", "12"),
    ("01", "Region Stockholm", "Region Stockholm", "region", "01"),
    ("12", "Region Skåne", "Region Skåne", "region", "12"),
]

ACTIVITIES = [
    # (organisation code, key, name, lead time)
    ("0182", "hemtjanst", "Hemtjänst", 14),
    ("0182", "trygghetslarm", "Trygghetslarm", 7),
    ("0182", "forskoleplats", "Ansök om förskoleplats", 90),
    ("0182", "skolval", "Skolval", None),
    ("0182", "sophamtning", "Sophämtning", None),
    ("0182", "serveringstillstand", "Ansökan om serveringstillstånd", 56),
    ("0182", "livsmedel", "Registrering av livsmedelsanläggning", 14),
    ("0114", "forskoleplats", "Förskolekö", 100),
    ("1280", "forskoleplats", "Söka plats i förskola", 120),
    ("1280", "skolval", "Välj skola", 30),
    ("01", "vardcentral", "Lista dig på en vårdcentral", 1),
    ("12", "vardcentral", "Välj vårdcentral", 1),
    ("12", "fardtjanst", "Färdtjänst", 35),
]


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    """Each test starts without the finder's short-lived per-process caches: rolled-back
    tests reuse primary keys, so a cached place could belong to an earlier test."""
    from mellanrum.journeys.analysis import forget_cached

    forget_cached()


@pytest.fixture
def full_reference(db: None) -> None:
    do_load_reference_data()


@pytest.fixture
def reference(db: None) -> None:
    for code, name, short_name, kind, county in ORGANISATIONS:
        Organisation.objects.create(code=code, name=name, short_name=short_name, kind=kind,
                                    county_code=county)
    for code, name, url in STATE_AGENCIES:
        Organisation.objects.create(code=code, name=name, short_name=name, kind="state_agency",
                                    website=url)


@pytest.fixture
def catalogue(reference: None) -> None:
    do_load_catalogue()


@pytest.fixture
def activities(catalogue: None) -> dict[tuple[str, str], Activity]:
    result = {}
    for code, key, name, lead in ACTIVITIES:
        organisation = Organisation.objects.get(code=code)
        result[(code, key)] = Activity.objects.create(
            organisation=organisation, key=key, name=name,
            lead_time_days=Decimal(lead) if lead is not None else None,
        )
    return result
