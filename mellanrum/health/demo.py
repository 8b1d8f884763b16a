"""Two illustrative survey rounds for one demo initiative, with generated answers.

The answers come from a seeded random generator (the same every time) around made-up means:
between the rounds "adequate resources" falls by about a point and Vaxholm sees little
benefit for its own organisation, so the results page shows its warnings. Everything is
flagged ``is_illustrative`` and written through the actions like real answers.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from mellanrum.collaborations.models import Initiative, Partner
from mellanrum.engines.health import get_instrument
from mellanrum.landscape.models import Organisation

from . import actions
from .models import Round

SEED = 20260501
INITIATIVE = "Gemensam e-tjänst för ekonomiskt bistånd"
LEAD = "0182"
# (title, opened on, {organisation: (invited, answered, {factor: mean})}): fixed dates in the
# seasons the titles name, after the initiative started (February 2024) and before the demo's
# today (6 December 2026); each round is open for four weeks.
BASE = {"shared_vision": 4.0, "trust": 3.9, "roles": 3.5, "resources": 3.8,
        "communication": 3.7, "leadership": 3.9, "own_benefit": 3.6, "compromise": 3.7}
ROUNDS = (
    ("Hösten 2025", datetime.date(2025, 10, 6), {
        "0182": (8, 6, {}),
        "0120": (6, 5, {"roles": 3.2}),
        "0187": (5, 4, {"own_benefit": 3.2}),
        "0138": (3, 2, {}),
    }),
    ("Våren 2026", datetime.date(2026, 4, 13), {
        "0182": (8, 7, {"resources": 2.9, "leadership": 4.2}),
        "0120": (6, 5, {"resources": 2.7, "roles": 3.0}),
        "0187": (5, 5, {"resources": 2.5, "own_benefit": 2.1, "shared_vision": 3.1}),
        "0138": (3, 0, {}),
    }),
)


def _answer(rng: random.Random, mean: float) -> int | None:
    if rng.random() < 0.07:
        return None
    return max(1, min(5, round(rng.gauss(mean, 0.7))))


def _morning(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@transaction.atomic
def do_load_demo_health() -> int:
    """Create the demo rounds if the demo initiative has none; returns how many were made."""
    initiative = Initiative.objects.filter(
        title=INITIATIVE, is_illustrative=True, partners__role=Partner.Role.LEAD,
        partners__organisation__code=LEAD,
    ).first()
    if initiative is None or Round.objects.filter(initiative=initiative).exists():
        return 0
    partners = {p.organisation.code: p.organisation
                for p in initiative.partners.select_related("organisation")}
    instrument = get_instrument()
    rng = random.Random(SEED)
    created = 0
    for title, opened_on, groups in ROUNDS:
        round_ = actions.do_open_round(initiative, acting_user=None, title=title,
                                       invitation_days=30, opened_at=_morning(opened_on),
                                       illustrative=True)
        for code, (invited, answered, shifts) in groups.items():
            organisation: Organisation | None = partners.get(code)
            if organisation is None:
                continue
            links = actions.do_create_invitations(round_, acting_user=None,
                                                  organisation=organisation, count=invited)
            for link in links[:answered]:
                means = {**BASE, **shifts}
                answers = {item.key: _answer(rng, means[item.factor])
                           for item in instrument.items}
                actions.do_submit_response(link.token, answers=answers)
        actions.do_close_round(round_, acting_user=None,
                               closed_at=_morning(opened_on) + datetime.timedelta(days=28))
        created += 1
    return created
