"""A small two-municipality landscape for the commonality tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import vl_convert
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mellanrum.conftest import PASSWORD
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, ITSystem, Organisation
from mellanrum.lib import charts


@pytest.fixture(autouse=True)
def _inline_tasks(settings: SettingsWrapper) -> None:
    settings.TASKS_INLINE = True


def make(organisation: Organisation, key: str, name: str, cost: int | None = None,
         lead: int | None = None, systems: tuple[str, ...] = ()) -> Activity:
    activity = Activity.objects.create(
        organisation=organisation, key=key, name=name,
        annual_cost_sek=None if cost is None else Decimal(cost),
        lead_time_days=None if lead is None else Decimal(lead),
        volume_per_year=Decimal(100) if cost else None,
    )
    for product in systems:
        activity.systems.add(ITSystem.objects.get_or_create(product=product, vendor="")[0])
    return activity


@pytest.fixture
def landscape(activity: Activity, alfa: Organisation, beta: Organisation) -> dict[str, Activity]:
    """Alfa and Beta name bygglov and hemtjänst differently; street lighting too."""
    activity.systems.add(ITSystem.objects.create(product="Castor", vendor=""))
    return {
        "alfa_bygglov": activity,
        "beta_bygglov": make(beta, "bl", "Bygglovsansökan", 1_500_000, 70, ("Ärendia",)),
        "alfa_hemtjanst": make(alfa, "ht", "Hemtjänst", 90_000_000, 10, ("Lifecare",)),
        "beta_hemtjanst": make(beta, "hj", "Stöd i hemmet", 40_000_000, 12, ("Treserva",)),
        "alfa_ljus": make(alfa, "gb", "Gatubelysning", 3_000_000),
        "beta_ljus": make(beta, "vl", "Vägljus", 900_000),
    }


def login(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper) -> list[str]:
    """Every chart picture drawn in this process (drawing here, not in helper processes)."""
    settings.CHART_RENDER_PROCESSES = 0
    calls: list[str] = []
    real = vl_convert.vegalite_to_svg

    def counting(spec: str, *args: Any, **kwargs: Any) -> str:
        calls.append(spec)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting)
    charts._cache().clear()
    return calls
