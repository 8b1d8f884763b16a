from __future__ import annotations

import pytest

from mellanrum.cli import DEMO_USERS
from mellanrum.collaborations.models import Initiative
from mellanrum.demo import do_load_full_demo
from mellanrum.journeys.models import LifeEvent


@pytest.mark.django_db
def test_full_demo_shows_every_capability_and_can_be_rerun() -> None:
    first = do_load_full_demo(users=DEMO_USERS)
    assert first["shared_concepts"] > 100
    assert first["initiatives"] == 3 == Initiative.objects.count()
    assert LifeEvent.objects.count() >= 25
    again = do_load_full_demo(users=DEMO_USERS)
    assert Initiative.objects.count() == 3
    assert again["activities"] == first["activities"]
