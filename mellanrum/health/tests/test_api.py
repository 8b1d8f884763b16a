"""The health API: rounds and aggregated results, for partners and superusers only."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from mellanrum.collaborations.models import Initiative
from mellanrum.collaborations.tests.conftest import basic
from mellanrum.core.models import User
from mellanrum.health.models import Round
from mellanrum.landscape.models import Organisation

from .conftest import answer


def test_partner_lists_rounds_and_reads_aggregated_results(
    client: Client, initiative: Initiative, round_: Round, erin: User, alfa: Organisation,
    beta: Organisation
) -> None:
    answer(round_, alfa, [5, 4, 5])
    answer(round_, beta, [2, 2])
    rounds = client.get(f"/api/initiatives/{initiative.pk}/health/rounds", **basic(erin))
    assert rounds.status_code == 200
    [row] = rounds.json()
    # While the round is open not even the number of responses is released.
    assert (row["id"], row["responses"], row["invited"], row["is_open"]) == (
        round_.pk, None, 5, True)
    early = client.get(f"/api/health/rounds/{round_.pk}/results", **basic(erin)).json()
    assert early["released"] is False and early["responses"] is None
    assert early["factors"][0]["mean"] is None and early["comments"] == []
    assert [p["answered"] for p in early["partners"]] == [None, None]
    round_.initiative.health_rounds.update(closed_at=timezone.now())
    [row] = client.get(f"/api/initiatives/{initiative.pk}/health/rounds",
                       **basic(erin)).json()
    assert row["responses"] == 5
    results = client.get(f"/api/health/rounds/{round_.pk}/results", **basic(erin)).json()
    assert results["responses"] == 5 and results["shown"] is True
    assert results["released"] is True
    # Beta's two are withheld, and so Alfa's three (the total would give Beta's away).
    assert [p["answered"] for p in results["partners"]] == [None, None]
    assert results["threshold"] == 3
    vision = next(f for f in results["factors"] if f["factor"] == "shared_vision")
    assert vision["n"] == 5 and abs(vision["mean"] - 3.6) < 1e-9
    assert vision["low"] < vision["mean"] < vision["high"]
    assert results["breakdown"] == []
    assert set(results["withheld_partners"]) == {"9901", "9902"}
    assert "answers" not in str(results).lower().replace("answered", "")


def test_results_refused_to_non_partners_and_unknown_rounds(
    client: Client, initiative: Initiative, round_: Round, dave: User, superuser: User
) -> None:
    assert client.get(f"/api/health/rounds/{round_.pk}/results",
                      **basic(dave)).status_code == 404
    Initiative.objects.filter(pk=initiative.pk).update(is_public=True)
    assert client.get(f"/api/health/rounds/{round_.pk}/results",
                      **basic(dave)).status_code == 403
    assert client.get(f"/api/initiatives/{initiative.pk}/health/rounds",
                      **basic(dave)).status_code == 403
    assert client.get(f"/api/health/rounds/{round_.pk}/results",
                      **basic(superuser)).status_code == 200
    for bad in ("0", "-1", str(2**63), "999999"):
        assert client.get(f"/api/health/rounds/{bad}/results",
                          **basic(superuser)).status_code in {404, 422}
    assert client.get(f"/api/health/rounds/{round_.pk}/results").status_code == 401
