"""Settings for every test under tests/ (the app's own tests have mellanrum/conftest.py)."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import SettingsWrapper


@pytest.fixture(autouse=True)
def _no_charts_ahead(settings: SettingsWrapper) -> None:
    # No background thread drawing every page's charts after an analysis or an import while
    # a test (or its live server) runs; mellanrum/commonality/tests/test_charts_ahead.py
    # tests the drawing ahead.
    settings.CHART_PREDRAW = False


@pytest.fixture(autouse=True)
def _page_cache_of_this_test(settings: SettingsWrapper) -> None:
    # The shared page cache (core/page_cache.py) is on in every test, as in production, but in
    # memory and empty: the database's data versions start again with each test.
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-pages"}}
    from django.core.cache import caches

    caches["pages"].clear()
