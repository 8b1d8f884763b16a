"""User synonyms: validated, listed, deleted by their author, and used by the next analysis."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Membership, SynonymSet
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity

from .conftest import login


@pytest.mark.parametrize(
    "text",
    ["gatubelysning", "gatubelysning, , gatubelysning", ",".join(f"t{i}" for i in range(21)),
     "gatubelysning, " + "x" * 61],
)
def test_it_refuses_bad_term_lists(text: str) -> None:
    with pytest.raises(ValidationError):
        actions.parse_terms(text)


def test_it_cleans_terms() -> None:
    assert actions.parse_terms(" Gatubelysning ,vägljus,  GATUBELYSNING,\nväg  ljus ") == [
        "Gatubelysning", "vägljus", "väg ljus"]


def test_an_editor_adds_synonyms_and_the_next_analysis_groups_them(
    client: Client, landscape: dict[str, Activity], alice: User
) -> None:
    def together() -> bool:
        run = analysis.current_run()
        a, b = (Membership.objects.get(activity=landscape[k], concept__run=run).concept_id
                for k in ("alfa_ljus", "beta_ljus"))
        return a == b

    actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert not together()
    response = login(client, alice).post(reverse("commonality:thesaurus"),
                                         {"terms": "gatubelysning, vägljus"})
    assert response.status_code == 302
    assert SynonymSet.objects.get().terms == ["gatubelysning", "vägljus"]
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    assert together()


def test_the_form_shows_what_is_wrong(client: Client, alice: User) -> None:
    response = login(client, alice).post(reverse("commonality:thesaurus"), {"terms": "ensam"})
    assert response.status_code == 400
    assert "mellan 2 och 20" in response.content.decode()
    assert not SynonymSet.objects.exists()


def test_a_reader_cannot_add_synonyms(client: Client, bob: User) -> None:
    response = login(client, bob).post(reverse("commonality:thesaurus"), {"terms": "a, b"})
    assert response.status_code == 403
    assert not SynonymSet.objects.exists()


def test_only_the_author_deletes_a_set(client: Client, alice: User, charlie: User) -> None:
    synonyms = actions.do_add_synonym_set(["a", "b"], acting_user=alice)
    url = reverse("commonality:thesaurus_delete", args=[synonyms.pk])
    assert login(client, charlie).post(url).status_code == 403
    assert SynonymSet.objects.exists()
    assert login(client, alice).post(url).status_code == 302
    assert not SynonymSet.objects.exists()
