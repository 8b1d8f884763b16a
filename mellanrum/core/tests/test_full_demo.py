from __future__ import annotations

import pytest

from mellanrum.cli import DEMO_USERS
from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import AuditEntry
from mellanrum.demo import do_load_full_demo
from mellanrum.journeys.models import LifeEvent
from mellanrum.landscape.models import Activity


@pytest.mark.django_db
def test_full_demo_shows_every_capability_and_can_be_rerun() -> None:
    first = do_load_full_demo(users=DEMO_USERS)
    assert first["shared_concepts"] > 100
    assert first["initiatives"] == 3 == Initiative.objects.count()
    assert LifeEvent.objects.count() >= 25
    versions = dict(Activity.objects.values_list("pk", "version"))
    owners = dict(Activity.objects.filter(owner__isnull=False).values_list("pk", "owner_id"))
    assert owners  # the community demo appoints activity owners
    updates = AuditEntry.objects.filter(action="activity.update").count()

    again = do_load_full_demo(users=DEMO_USERS)
    assert Initiative.objects.count() == 3
    assert again["activities"] == first["activities"]
    # Loading it again changes nothing that is already there.
    assert dict(Activity.objects.values_list("pk", "version")) == versions
    assert dict(Activity.objects.filter(owner__isnull=False)
                .values_list("pk", "owner_id")) == owners
    assert AuditEntry.objects.filter(action="activity.update").count() == updates
