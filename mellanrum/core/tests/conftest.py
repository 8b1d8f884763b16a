from __future__ import annotations

import pytest

from mellanrum.collaborations.models import Initiative
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity


@pytest.fixture
def linked_initiative(alice: User, activity: Activity) -> Initiative:
    """A private initiative led by Alfa with the activity linked."""
    from mellanrum.collaborations import actions

    initiative = actions.do_create_initiative(
        acting_user=alice, lead=activity.organisation, title="Gemensam e-tjänst",
        purpose="En ingång.", is_public=False, phase="idea", citizen_value=4, savings=3,
        feasibility=3, reach=4, risk_level=2)
    initiative.activities.add(activity)
    return initiative
