"""Measured values of shared goals: status in words and a symbol, a trend chart, values per
partner, and Kolada values filling in the partner municipalities' series."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from mellanrum.collaborations.consent_actions import do_add_measurement, do_set_goal_tracking
from mellanrum.collaborations.consent_models import Measurement
from mellanrum.collaborations.models import Goal, Initiative
from mellanrum.core.models import User
from mellanrum.kolada.models import KoladaValue
from mellanrum.landscape.models import Organisation

from .conftest import basic, login

EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def tracked(goal: Goal, alice: User) -> Goal:
    """Baseline 40 % a year ago, target 90 % in a year: the path expects 65 % today."""
    do_set_goal_tracking(goal, acting_user=alice, per_partner=False, baseline_date=_ago(365))
    return goal


def test_the_runner_records_joint_values_and_the_page_shows_status_in_words_and_symbol(
    client: Client, tracked: Goal, alice: User,
) -> None:
    login(client, alice)
    url = f"/samverkan/mal/{tracked.pk}/"
    response = client.post(url, {"period_end": _ago(1).isoformat(), "value": "64,5"})
    assert response.status_code == 302
    assert Measurement.objects.get().value == 64.5
    page = client.get(url, **EN).content.decode()
    assert "✓ On track" in page and "/diagram/" in page
    client.post(url, {"period_end": _ago(1).isoformat(), "value": "47"})
    assert Measurement.objects.get().value == 47  # the period's value is replaced
    assert "✗ Deviating" in client.get(url, **EN).content.decode()
    detail = client.get(tracked.initiative.get_absolute_url(), **EN).content.decode()
    assert "✗ Deviating" in detail


def test_bad_values_are_refused_and_change_nothing(
    client: Client, tracked: Goal, alice: User,
) -> None:
    login(client, alice)
    url = f"/samverkan/mal/{tracked.pk}/"
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"period_end": future, "value": "50"}, **EN)
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    response = client.post(url, {"period_end": _ago(1).isoformat(), "value": "mycket"}, **EN)
    assert response.status_code == 400 and "as a number" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_partner_records_its_own_value_only(
    client: Client, goal: Goal, alice: User, charlie: User, alfa: Organisation,
    beta: Organisation,
) -> None:
    do_set_goal_tracking(goal, acting_user=alice, per_partner=True, baseline_date=_ago(365))
    login(client, charlie)
    url = f"/samverkan/mal/{goal.pk}/"
    client.post(url, {"organisation": "9901", "period_end": _ago(1).isoformat(), "value": "70"})
    assert not Measurement.objects.exists()
    client.post(url, {"organisation": "9902", "period_end": _ago(1).isoformat(), "value": "70"})
    assert Measurement.objects.get().organisation == beta
    with translation.override("en"), pytest.raises(ValidationError, match="per partner"):
        do_add_measurement(goal, acting_user=alice, period_end=_ago(1), value=1)


def test_kolada_values_fill_in_the_partner_municipalities(
    client: Client, initiative: Initiative, goal: Goal, alice: User,
) -> None:
    year = timezone.localdate().year - 1
    for code, value in (("9901", 66.0), ("9902", 41.0)):
        KoladaValue.objects.create(kpi_id="N00945", municipality_code=code, year=year,
                                   gender="T", value=value, changed_at=timezone.now())
    do_set_goal_tracking(goal, acting_user=alice, per_partner=False,
                         baseline_date=datetime.date(year - 1, 12, 31), kolada_kpi="n00945")
    response = client.get(f"/api/goals/{goal.pk}/values", **basic(alice))
    data = response.json()
    assert data["per_partner"] is True and data["kolada_kpi"] == "N00945"
    by_code = {s["organisation"]: s for s in data["series"]}
    assert by_code["9901"]["points"][0]["source"] == "Källa: Kolada"
    assert float(by_code["9902"]["latest"]) == 41.0
    assert by_code["9902"]["status"] == "deviating" and data["status"] == "deviating"
    with translation.override("en"), pytest.raises(ValidationError, match="Kolada KPI id"):
        do_set_goal_tracking(goal, acting_user=alice, per_partner=True, baseline_date=None,
                             kolada_kpi="DROP TABLE")


def test_goal_values_through_the_api_follow_the_same_rules(
    client: Client, tracked: Goal, alice: User, charlie: User,
) -> None:
    body = {"period_end": _ago(1).isoformat(), "value": "66"}
    assert client.post(f"/api/goals/{tracked.pk}/values", body,
                       content_type="application/json", **basic(charlie)).status_code == 403
    created = client.post(f"/api/goals/{tracked.pk}/values", body,
                          content_type="application/json", **basic(alice))
    assert created.status_code == 201 and created.json()["status"] == "on_track"
