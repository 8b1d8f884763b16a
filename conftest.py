"""Settings for the whole test session (mellanrum/ and tests/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def _own_chart_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test session gets its own on-disk chart cache, so that a test that counts
    drawings never sees pictures drawn by another run, and no run fills the developer's."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["charts"]["LOCATION"] = str(tmp_path_factory.mktemp("charts"))
    with override_settings(CACHES=caches):
        yield
