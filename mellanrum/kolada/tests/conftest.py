from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .fake_kolada import FakeKolada


@pytest.fixture
def fake_kolada(settings: Any) -> Iterator[FakeKolada]:
    """A local Kolada with three municipalities and a region, served in pages of two items."""
    fake = FakeKolada()
    fake.set("N01951", "0180", 2023, 984748.0)
    fake.set("N01951", "0182", 2023, 110003.0)
    fake.set("N01951", "1480", 2023, 600000.0)
    fake.set("N01951", "0001", 2023, 2454821.0)
    fake.set("N01951", "G12345", 2023, 5.0)  # a Kolada group average: not stored
    fake.set("N00901", "0182", 2023, 19.24)
    fake.set("N00901", "0180", 2023, None)  # Kolada has no value
    fake.set("N15004", "0182", 2022, 101.5, women=100.0, men=103.0)
    fake.start()
    settings.KOLADA_API_URL = fake.base_url
    settings.KOLADA_PER_PAGE = 2
    settings.KOLADA_RETRIES = 2
    settings.KOLADA_RETRY_BACKOFF_MS = 1
    settings.KOLADA_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()
