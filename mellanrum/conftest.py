"""Shared fixtures: alice (Alfa kommun, editor), bob (Alfa, reader), charlie (Beta kommun,
editor of Beta, so no rights in Alfa) and a superuser, as in healthchecks' hc/test.py."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from pytest_django.fixtures import SettingsWrapper

from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Category, Contact, Organisation

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _no_charts_ahead(settings: SettingsWrapper) -> None:
    # Drawing every page's charts after each analysis or import would slow every test down;
    # commonality/tests/test_charts_ahead.py turns it on.
    settings.CHART_PREDRAW = False


@pytest.fixture(autouse=True)
def _page_cache_of_this_test(settings: SettingsWrapper) -> None:
    # The shared page cache (core/page_cache.py) is on in every test, as in production, but in
    # memory and empty: the database's data versions start again with each test.
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-pages"}}
    from django.core.cache import caches

    caches["pages"].clear()


class PageCacheHits:
    """Asked after requests: was any of them served from the shared page cache? Each question
    forgets the requests before it (the page cache logs a hit at DEBUG level)."""

    def __init__(self, log: pytest.LogCaptureFixture) -> None:
        log.set_level(logging.DEBUG, logger="mellanrum.core.page_cache")
        self._log = log

    def __call__(self) -> bool:
        found = any("page cache: hit" in r.getMessage() for r in self._log.records)
        self.clear()
        return found

    def clear(self) -> None:
        self._log.clear()


@pytest.fixture
def hits(caplog: pytest.LogCaptureFixture) -> PageCacheHits:
    return PageCacheHits(caplog)


@pytest.fixture
def alfa(db: None) -> Organisation:
    return Organisation.objects.create(
        code="9901", name="Alfa kommun", short_name="Alfa", kind="municipality",
        county_code="99", county_name="Testlän", population=85_000,
    )


@pytest.fixture
def beta(db: None) -> Organisation:
    return Organisation.objects.create(
        code="9902", name="Beta kommun", short_name="Beta", kind="municipality",
        county_code="99", county_name="Testlän", population=30_000,
    )


def _user(username: str, organisation: Organisation | None, role: str, **extra: bool) -> User:
    user = User(username=username, organisation=organisation, role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def alice(alfa: Organisation) -> User:
    return _user("alice", alfa, "editor")


@pytest.fixture
def bob(alfa: Organisation) -> User:
    return _user("bob", alfa, "reader")


@pytest.fixture
def charlie(beta: Organisation) -> User:
    return _user("charlie", beta, "editor")


@pytest.fixture
def superuser(db: None) -> User:
    return _user("root", None, "editor", is_superuser=True, is_staff=True)


@pytest.fixture
def category(db: None) -> Category:
    area = Category.objects.create(code="3.2", label="PLAN- OCH BYGGVERKSAMHET",
                                   level="verksamhetsomrade")
    return Category.objects.create(code="3.2.2", label="Bygglov", level="processgrupp",
                                   parent=area)


@pytest.fixture
def contact(alfa: Organisation) -> Contact:
    return Contact.objects.create(organisation=alfa, name="Anna Andersson", role="Bygglovschef",
                                  email="anna.andersson@alfa.example")


@pytest.fixture
def activity(alfa: Organisation, category: Category) -> Activity:
    return Activity.objects.create(
        organisation=alfa, key="bygglov", name="Ansökan om bygglov", kind="eservice",
        category=category, annual_cost_sek=Decimal("4250000"), volume_per_year=Decimal("850"),
        volume_unit="ärenden", lead_time_days=Decimal("28"),
    )


@pytest.fixture
def beta_activity(beta: Organisation) -> Activity:
    return Activity.objects.create(
        organisation=beta, key="hemtjanst", name="Hemtjänst", kind="service",
        annual_cost_sek=Decimal("90000000"),
    )


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings: Any, tmp_path_factory: Any) -> None:
    """Uploaded files (protocol extracts) go to a directory of the test run, never the
    checkout's media/."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
