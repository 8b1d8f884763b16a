"""'Kanske samma som' on the concept page, the API and the CLI; one-click merge and
'inte samma' for editors; learned pairs on the thesaurus page."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mellanrum.cli import main
from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Candidate, Concept, Decision, LearnedRule
from mellanrum.core.models import User
from mellanrum.landscape.models import Organisation

from .conftest import login, make


@pytest.fixture
def archives(alfa: Organisation, beta: Organisation, alice: User) -> tuple[Concept, Concept]:
    """Alfa says "Skateparker", Beta "Skateboardramper": kept apart, proposed as candidates."""
    make(alfa, "a", "Skateparker")
    make(beta, "h", "Skateboardramper")
    make(alfa, "ht", "Hemtjänst")
    make(beta, "hj", "Hemtjänst")
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    return current("Skateparker"), current("Skateboardramper")


def current(label: str) -> Concept:
    return Concept.objects.get(run=analysis.current_run(), label=label)


def test_the_concept_page_lists_candidates_with_the_evidence(
    client: Client, archives: tuple[Concept, Concept], bob: User
) -> None:
    arkiv, hantering = archives
    html = login(client, bob).get(arkiv.get_absolute_url()).content.decode()
    assert "Kanske samma som" in html
    assert hantering.get_absolute_url() in html
    assert "ingen gör båda" in html
    # a reader sees the evidence but no decision buttons
    assert 'value="not_same"' not in html and "Ja, slå ihop" not in html


def test_an_editor_gets_a_confirmation_naming_both_concepts(
    client: Client, archives: tuple[Concept, Concept], charlie: User
) -> None:
    arkiv, hantering = archives
    html = login(client, charlie).get(arkiv.get_absolute_url()).content.decode()
    assert "Slå ihop ”Skateboardramper” med ”Skateparker”?" in html
    assert "Ja, slå ihop ”Skateboardramper” med ”Skateparker”" in html
    assert 'value="not_same"' in html


def test_the_candidates_cost_one_query_whatever_their_number(
    client: Client, archives: tuple[Concept, Concept], bob: User
) -> None:
    arkiv, _ = archives
    login(client, bob)
    with CaptureQueriesContext(connection) as queries:
        client.get(arkiv.get_absolute_url())
    assert sum("commonality_candidate" in q["sql"] for q in queries.captured_queries) == 1


def test_one_click_merge_joins_the_concepts_and_learns_the_names(
    client: Client, archives: tuple[Concept, Concept], alice: User
) -> None:
    arkiv, hantering = archives
    response = login(client, alice).post(
        reverse("commonality:decide", args=[arkiv.concept_id]),
        {"kind": "merge", "other": hantering.concept_id, "run": arkiv.run_id})
    assert response.status_code == 302
    merged = current("Skateparker")
    assert merged.organisations == 2 and merged.pinned
    assert not Concept.objects.filter(run=merged.run, label="Skateboardramper").exists()
    assert LearnedRule.objects.filter(kind="synonym", term_a="Skateparker",
                                      term_b="Skateboardramper").exists()


def test_a_merge_from_a_stale_page_shows_a_conflict_and_changes_nothing(
    client: Client, archives: tuple[Concept, Concept], alice: User
) -> None:
    arkiv, hantering = archives
    actions.do_run_analysis(Scope.of(), acting_user=alice)  # someone else reran meanwhile
    login(client, alice)
    response = client.post(reverse("commonality:decide", args=[arkiv.concept_id]),
                           {"kind": "merge", "other": hantering.concept_id,
                            "run": arkiv.run_id}, follow=True)
    assert "ändrades efter att du öppnade sidan" in response.content.decode()
    assert not Decision.objects.exists()


def test_not_the_same_records_a_decision_and_the_pair_is_no_longer_proposed(
    client: Client, archives: tuple[Concept, Concept], alice: User
) -> None:
    arkiv, hantering = archives
    login(client, alice).post(reverse("commonality:decide", args=[arkiv.concept_id]),
                              {"kind": "not_same", "other": hantering.concept_id,
                               "run": arkiv.run_id})
    assert Decision.objects.get().kind == Decision.Kind.NOT_SAME
    assert not Candidate.objects.filter(concept__run=analysis.current_run()).exists()
    html = client.get(current("Skateparker").get_absolute_url()).content.decode()
    assert "Kanske samma som" not in html


def test_a_reader_cannot_merge_or_say_not_the_same(
    client: Client, archives: tuple[Concept, Concept], bob: User
) -> None:
    arkiv, hantering = archives
    for kind in ("merge", "not_same"):
        response = login(client, bob).post(
            reverse("commonality:decide", args=[arkiv.concept_id]),
            {"kind": kind, "other": hantering.concept_id})
        assert response.status_code == 403
    assert not Decision.objects.exists()


def test_the_thesaurus_page_shows_learned_pairs_with_their_source_and_an_editor_removes_one(
    client: Client, archives: tuple[Concept, Concept], alice: User, bob: User
) -> None:
    arkiv, hantering = archives
    actions.do_record_decision(arkiv, "not_same", acting_user=alice,
                               other_concept_ids=[hantering.concept_id])
    rule = LearnedRule.objects.get()
    html = login(client, bob).get(reverse("commonality:thesaurus")).content.decode()
    assert "Lärt av beslut" in html
    assert "Skateparker ≠ Skateboardramper" in html and "alice" in html
    assert reverse("commonality:learned_delete", args=[rule.pk]) not in html
    assert client.post(reverse("commonality:learned_delete", args=[rule.pk])).status_code == 403
    login(client, alice)
    html = client.get(reverse("commonality:thesaurus")).content.decode()
    assert reverse("commonality:learned_delete", args=[rule.pk]) in html
    client.post(reverse("commonality:learned_delete", args=[rule.pk]))
    assert not LearnedRule.objects.exists()
    assert client.post(reverse("commonality:learned_delete", args=[rule.pk])).status_code == 404


def test_the_api_lists_candidates_and_takes_not_the_same_and_merge(
    client: Client, archives: tuple[Concept, Concept], alice: User
) -> None:
    arkiv, hantering = archives
    login(client, alice)
    rows = client.get(f"/api/concepts/{arkiv.concept_id}/candidates").json()
    assert rows[0]["concept_id"] == hantering.concept_id
    assert rows[0]["both"] == 0 and rows[0]["reason_sv"]
    url = f"/api/concepts/{arkiv.concept_id}/decisions"
    stale = client.post(url, json.dumps({"kind": "merge", "other_concept_ids":
                                         [hantering.concept_id], "run": 0}),
                        content_type="application/json")
    assert stale.status_code == 422 and "run" in stale.json()["detail"]
    done = client.post(url, json.dumps({"kind": "not_same", "other_concept_ids":
                                        [hantering.concept_id], "run": arkiv.run_id}),
                       content_type="application/json")
    assert done.status_code == 201 and done.json()["kind"] == "not_same"
    assert client.get(f"/api/concepts/{arkiv.concept_id}/candidates").json() == []


def test_the_cli_lists_candidates(archives: tuple[Concept, Concept]) -> None:
    arkiv, hantering = archives
    result = CliRunner().invoke(main, ["concepts", "candidates", arkiv.concept_id,
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["concept_id"] == hantering.concept_id and rows[0]["why"]
    text = CliRunner().invoke(main, ["concepts", "candidates", arkiv.concept_id])
    assert "Skateboardramper" in text.output
    missing = CliRunner().invoke(main, ["concepts", "candidates", "nope"])
    assert missing.exit_code == 1 and "no concept" in missing.output
