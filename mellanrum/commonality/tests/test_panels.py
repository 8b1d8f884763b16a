"""Panels on landscape pages: similar organisations and an activity's concept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope, similar_to
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation

from .conftest import login


def test_similar_organisations_panel_shows_reasons(
    client: Client, landscape: dict[str, Activity], alfa: Organisation, bob: User
) -> None:
    Organisation.objects.create(code="9903", name="Gamma kommun", kind="municipality",
                                county_code="98", county_name="Annat län", population=2_000,
                                municipal_tax_rate=Decimal("23.1"))
    actions.do_run_analysis(Scope.of(), acting_user=bob)
    html = login(client, bob).get(alfa.get_absolute_url()).content.decode()
    assert "Liknande organisationer" in html
    assert "Beta kommun" in html
    assert "samma län (Testlän)" in html
    assert "2 gemensamma verksamheter" in html
    assert "Gamma kommun" not in html  # not in the analysis


def _reads_memberships(alfa: Organisation) -> bool:
    analysis.forget_similar()
    with CaptureQueriesContext(connection) as captured:
        assert [n.organisation.code for n in similar_to(alfa)] == ["9902"]
    return any("membership" in q["sql"] for q in captured.captured_queries)


def test_after_the_warm_up_the_first_similar_to_reads_no_memberships(
        landscape: dict[str, Activity], alfa: Organisation, bob: User) -> None:
    actions.do_run_analysis(Scope.of(), acting_user=bob)  # a new run: its sets not read yet
    assert _reads_memberships(alfa)
    actions.do_run_analysis(Scope.of(), acting_user=bob)
    analysis.warm_up()
    assert not _reads_memberships(alfa)


def test_a_warm_up_the_database_refuses_is_left_to_the_first_page(
        db: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def refuse() -> None:
        raise DatabaseError("no such table: commonality_analysisrun")

    monkeypatch.setattr(analysis, "current_run", refuse)
    analysis.warm_up()
    assert "concept sets could not be read" in caplog.text


def test_similarity_without_an_analysis_is_structural(alfa: Organisation, beta: Organisation,
                                                       db: None) -> None:
    Organisation.objects.create(code="9903", name="Gamma kommun", kind="municipality",
                                county_code="98", county_name="Annat län", population=900_000)
    neighbours = similar_to(alfa)
    assert [n.organisation.code for n in neighbours] == ["9902", "9903"]
    assert neighbours[0].activity is None
    assert "samma län (Testlän)" in neighbours[0].reasons


def test_similar_panel_is_not_shown_to_anonymous(client: Client, alfa: Organisation) -> None:
    assert "Liknande organisationer" not in client.get(alfa.get_absolute_url()).content.decode()


def test_activity_page_shows_its_concept_and_other_names(
    client: Client, landscape: dict[str, Activity], bob: User
) -> None:
    activity = landscape["alfa_hemtjanst"]
    html = login(client, bob).get(activity.get_absolute_url()).content.decode()
    assert "inte med i den senaste analysen" in html
    actions.do_run_analysis(Scope.of(), acting_user=bob)
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "/gemensamt/begrepp/" in html
    assert "Stöd i hemmet" in html and "Beta kommun" in html
