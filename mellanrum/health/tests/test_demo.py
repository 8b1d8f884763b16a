"""The demo: two illustrative past rounds with a falling factor and warnings."""

from __future__ import annotations

import pytest

from mellanrum.collaborations.demo import do_load_demo_initiatives
from mellanrum.health import analysis
from mellanrum.health.demo import do_load_demo_health
from mellanrum.health.models import Response, Round
from mellanrum.landscape.actions import do_load_reference_data


@pytest.mark.django_db
def test_demo_rounds_show_a_falling_factor_and_warnings() -> None:
    do_load_reference_data()
    do_load_demo_initiatives()
    assert do_load_demo_health() == 2
    assert do_load_demo_health() == 0  # idempotent
    rounds = list(Round.objects.order_by("opened_at"))
    assert [r.title for r in rounds] == ["Hösten 2025", "Våren 2026"]
    assert all(r.is_illustrative and not r.is_open for r in rounds)
    report = analysis.build_report(rounds[1])
    kinds = {(w.kind, w.factor) for w in report.warnings}
    assert ("drop", "resources") in kinds
    assert any(k == "low_benefit" for k, _f in kinds)
    assert ("low_benefit", "own_benefit") in kinds
    assert {p.partner for p in report.scores.partners} == {"0182", "0120", "0187"}
    # In the first round Tyresö answered twice: it is withheld, and so is the smallest other
    # partner, so that Tyresö's pair cannot be worked out from the total.
    first = analysis.build_report(rounds[0]).scores
    assert first.responses == Response.objects.filter(round=rounds[0]).count() == 17
    assert {"0138", "0187"} <= set(first.suppressed)
