"""Concepts meet official figures: suggested KPIs, confirmed by people, shown beside the
self-reported cost and lead time, with strong disagreements flagged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from mellanrum.commonality.actions import do_run_analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Concept
from mellanrum.core.models import AuditEntry, User
from mellanrum.kolada.analysis import disagrees, suggest_kpis
from mellanrum.kolada.models import ConceptKpi, KoladaValue
from mellanrum.landscape.models import Activity, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings: Any) -> None:
    settings.TASKS_INLINE = True


@pytest.fixture
def bygglov(activity: Activity, beta: Organisation) -> Concept:
    Activity.objects.create(organisation=beta, key="bl", name="Bygglovsansökan",
                            annual_cost_sek=Decimal(1_500_000), lead_time_days=Decimal(70))
    do_run_analysis(Scope(), acting_user=None)
    concept = Concept.objects.get(memberships__activity=activity)
    when = datetime(2025, 3, 1, tzinfo=UTC)
    # Kolada's handling time: Alfa 30 days (self-reported 28), Beta 20 days (self-reported 70)
    for code, days in (("9901", 30.0), ("9902", 20.0)):
        KoladaValue.objects.create(kpi_id="N00820", municipality_code=code, year=2024,
                                   gender="T", value=days, changed_at=when)
    return concept


def test_suggestions_match_concept_terms_against_kpi_titles() -> None:
    ids = [k.id for k in suggest_kpis("Ansökan om bygglov", ["bygglov"])]
    assert "N00820" in ids


def test_strong_disagreement_is_more_than_twice_either_way() -> None:
    assert disagrees(70, 20) and disagrees(10, 30)
    assert not disagrees(28, 30) and not disagrees(None, 30) and not disagrees(40, 20)


def test_an_editor_confirms_a_suggested_kpi_and_sees_the_comparison(
    client: Client, bygglov: Concept, alice: User
) -> None:
    client.force_login(alice)
    page = client.get(bygglov.get_absolute_url()).content.decode()
    assert "N00820" in page and "Bekräfta kopplingen" in page
    response = client.post(f"/nyckeltal/begrepp/{bygglov.concept_id}/koppla/",
                           {"kpi": "N00820"})
    assert response.status_code == 302
    assert ConceptKpi.objects.filter(concept_id=bygglov.concept_id, kpi_id="N00820").exists()
    assert AuditEntry.objects.filter(action="kolada.concept_kpi").exists()
    page = client.get(bygglov.get_absolute_url()).content.decode()
    panel = page[page.index('id="kolada-concept"'):]
    alfa_row = panel[panel.index("Alfa kommun"):panel.index("</tr>", panel.index("Alfa kommun"))]
    beta_row = panel[panel.index("Beta kommun"):panel.index("</tr>", panel.index("Beta kommun"))]
    assert "30 (2024)" in alfa_row and "samstämmigt" in alfa_row
    assert "70" in beta_row and "20 (2024)" in beta_row and "Stark oenighet" in beta_row


def test_an_unknown_kpi_is_refused_with_close_ids(client: Client, bygglov: Concept,
                                                  alice: User) -> None:
    client.force_login(alice)
    response = client.post(f"/nyckeltal/begrepp/{bygglov.concept_id}/koppla/",
                           {"kpi": "N0082"}, follow=True)
    assert "menade du" in response.content.decode()
    assert not ConceptKpi.objects.exists()


def test_readers_may_not_link_or_unlink(client: Client, bygglov: Concept, bob: User) -> None:
    ConceptKpi.objects.create(concept_id=bygglov.concept_id, kpi_id="N00820")
    client.force_login(bob)
    assert client.post(f"/nyckeltal/begrepp/{bygglov.concept_id}/koppla/",
                       {"kpi": "N00821"}).status_code == 403
    assert client.post(f"/nyckeltal/begrepp/{bygglov.concept_id}/ta-bort/",
                       {"kpi": "N00820"}).status_code == 403
    assert ConceptKpi.objects.count() == 1


def test_an_editor_removes_a_link(client: Client, bygglov: Concept, alice: User) -> None:
    ConceptKpi.objects.create(concept_id=bygglov.concept_id, kpi_id="N00820")
    client.force_login(alice)
    client.post(f"/nyckeltal/begrepp/{bygglov.concept_id}/ta-bort/", {"kpi": "N00820"})
    assert not ConceptKpi.objects.exists()


def test_a_linked_concept_page_stays_kept_after_a_description_edit(
    client: Client, bygglov: Concept, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    ConceptKpi.objects.create(concept_id=bygglov.concept_id, kpi_id="N00820")
    client.force_login(alice)
    first = client.get(bygglov.get_absolute_url()).content.decode()
    assert "20 (2024)" in first
    beta = Activity.objects.get(key="bl")
    Activity.objects.filter(pk=beta.pk).update(description="Ny beskrivning")
    caplog.set_level(logging.DEBUG, logger="mellanrum.core.page_cache")
    client.get(bygglov.get_absolute_url())
    assert any("page cache: hit" in r.getMessage() for r in caplog.records)
    caplog.clear()
    # The lead time the panel compares is read: its change shows at once.
    Activity.objects.filter(pk=beta.pk).update(lead_time_days=Decimal(21))
    page = client.get(bygglov.get_absolute_url()).content.decode()
    assert not any("page cache: hit" in r.getMessage() for r in caplog.records)
    panel = page[page.index('id="kolada-concept"'):]
    beta_row = panel[panel.index("Beta kommun"):panel.index("</tr>", panel.index("Beta kommun"))]
    assert "21" in beta_row and "Stark oenighet" not in beta_row
