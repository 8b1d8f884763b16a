"""People stay in charge: decisions are stored, applied at once and survive every rerun."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Concept, Decision, Membership
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity

from .conftest import login

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def concept_of(activity: Activity) -> Concept:
    return Membership.objects.get(
        activity=activity, concept__run=analysis.current_run()
    ).concept


@pytest.fixture
def analysed(landscape: dict[str, Activity], alice: User) -> dict[str, Activity]:
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    return landscape


def decide(client: Client, concept: Concept, **data: object) -> TestResponse:
    return client.post(reverse("commonality:decide", args=[concept.concept_id]), data)


def test_an_excluded_activity_stays_out_after_reruns(
    client: Client, analysed: dict[str, Activity], alice: User
) -> None:
    concept = concept_of(analysed["alfa_bygglov"])
    response = decide(login(client, alice), concept, kind="exclude",
                      activity=analysed["beta_bygglov"].pk)
    assert response.status_code == 302
    assert response["Location"] == concept.get_absolute_url()
    assert concept_of(analysed["beta_bygglov"]).concept_id != concept.concept_id
    for _ in range(2):
        actions.do_run_analysis(Scope.of(), acting_user=alice)
        assert concept_of(analysed["beta_bygglov"]).concept_id != concept.concept_id
        assert concept_of(analysed["alfa_bygglov"]).concept_id == concept.concept_id
    assert Decision.objects.get().created_by == alice


def test_a_rename_survives_reruns_and_is_shown(
    client: Client, analysed: dict[str, Activity], alice: User
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    decide(login(client, alice), concept, kind="rename", label="Hemtjänst och stöd i hemmet")
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    renamed = concept_of(analysed["beta_hemtjanst"])
    assert renamed.label == "Hemtjänst och stöd i hemmet"
    assert renamed.pinned
    page = client.get(renamed.get_absolute_url()).content.decode()
    assert "<h1>Hemtjänst och stöd i hemmet</h1>" in page


def test_a_merge_survives_reruns(analysed: dict[str, Activity], alice: User) -> None:
    lights = concept_of(analysed["alfa_ljus"])
    other = concept_of(analysed["beta_ljus"])
    assert lights != other
    actions.do_record_decision(lights, "merge", acting_user=alice,
                               other_concept_ids=[other.concept_id])
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    merged = concept_of(analysed["beta_ljus"])
    assert merged.concept_id == lights.concept_id
    assert merged.organisations == 2


def test_include_moves_an_activity_in(analysed: dict[str, Activity], alice: User) -> None:
    bygglov = concept_of(analysed["alfa_bygglov"])
    actions.do_record_decision(bygglov, "include", acting_user=alice,
                               activity_ids=[analysed["beta_ljus"].pk])
    assert concept_of(analysed["beta_ljus"]).concept_id == bygglov.concept_id


def test_a_split_forms_a_new_named_concept(analysed: dict[str, Activity], alice: User) -> None:
    hemtjanst = concept_of(analysed["alfa_hemtjanst"])
    actions.do_record_decision(hemtjanst, "split", acting_user=alice,
                               activity_ids=[analysed["beta_hemtjanst"].pk], label="Stöd")
    actions.do_run_analysis(Scope.of(), acting_user=alice)
    split = concept_of(analysed["beta_hemtjanst"])
    assert split.concept_id != hemtjanst.concept_id
    assert split.label == "Stöd"
    assert concept_of(analysed["alfa_hemtjanst"]).concept_id == hemtjanst.concept_id


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("rename", {"label": "   "}, "label"),
        ("exclude", {"activity_ids": []}, "activity_ids"),
        ("exclude", {"activity_ids": ["x"]}, "activity_ids"),
        ("split", {"activity_ids": "all"}, "activity_ids"),
        ("merge", {"other_concept_ids": ["no-such-concept"]}, "other_concept_ids"),
        ("include", {"activity_ids": "member"}, "activity_ids"),
        ("teleport", {}, "kind"),
    ],
)
def test_bad_decisions_are_refused_and_not_stored(
    analysed: dict[str, Activity], alice: User, kind: str, data: dict[str, object], field: str
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    members = [analysed["alfa_hemtjanst"].pk, analysed["beta_hemtjanst"].pk]
    if data.get("activity_ids") == "all":
        data = {"activity_ids": members}
    if data.get("activity_ids") == "member":
        data = {"activity_ids": members[:1]}
    with pytest.raises(ValidationError) as caught:
        # The table mixes invalid values of several types; the action must refuse each.
        actions.do_record_decision(concept, kind, acting_user=alice, **data)  # type: ignore[arg-type]
    assert field in caught.value.message_dict
    assert not Decision.objects.exists()


def test_a_bad_decision_through_the_page_shows_the_error(
    client: Client, analysed: dict[str, Activity], alice: User
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    response = client.post(
        reverse("commonality:decide", args=[concept.concept_id]),
        {"kind": "rename", "label": ""}, follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/konto/logga-in/")
    login(client, alice)
    response = client.post(
        reverse("commonality:decide", args=[concept.concept_id]),
        {"kind": "rename", "label": ""}, follow=True,
    )
    assert "Skriv ett namn" in response.content.decode()
    assert not Decision.objects.exists()


@pytest.mark.parametrize("kind", ["confirm", "rename", "exclude"])
def test_a_reader_cannot_decide_through_the_page(
    client: Client, analysed: dict[str, Activity], bob: User, kind: str
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    response = decide(login(client, bob), concept, kind=kind, label="X",
                      activity=analysed["beta_hemtjanst"].pk)
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(
    client: Client, analysed: dict[str, Activity]
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    response = decide(client, concept, kind="confirm")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Decision.objects.exists()


def test_a_reader_sees_the_concept_but_no_decision_controls(
    client: Client, analysed: dict[str, Activity], bob: User
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    html = login(client, bob).get(concept.get_absolute_url()).content.decode()
    assert "Stöd i hemmet" in html
    assert 'name="kind"' not in html


def test_an_editor_of_another_organisation_may_decide(
    client: Client, analysed: dict[str, Activity], charlie: User
) -> None:
    concept = concept_of(analysed["alfa_hemtjanst"])
    response = decide(login(client, charlie), concept, kind="confirm")
    assert response.status_code == 302
    assert Decision.objects.get().kind == "confirm"
    assert concept_of(analysed["alfa_hemtjanst"]).pinned


def test_split_merge_and_include_through_the_page(
    client: Client, analysed: dict[str, Activity], alice: User
) -> None:
    login(client, alice)
    hemtjanst = concept_of(analysed["alfa_hemtjanst"])
    decide(client, hemtjanst, kind="split", activity=[analysed["beta_hemtjanst"].pk],
           label="Stöd i hemmet (Beta)")
    split = concept_of(analysed["beta_hemtjanst"])
    assert split.concept_id != hemtjanst.concept_id and split.label == "Stöd i hemmet (Beta)"

    response = decide(client, hemtjanst, kind="merge", other=split.concept_id)
    assert response["Location"] == hemtjanst.get_absolute_url()
    assert concept_of(analysed["beta_hemtjanst"]).concept_id == hemtjanst.concept_id

    decide(client, hemtjanst, kind="include", activity=analysed["alfa_ljus"].pk)
    assert concept_of(analysed["alfa_ljus"]).concept_id == hemtjanst.concept_id
    kinds = list(Decision.objects.values_list("kind", flat=True))
    assert kinds == ["split", "merge", "include"]
    html = client.get(hemtjanst.get_absolute_url()).content.decode()
    assert "Slog ihop begrepp" in html and "Flyttade in en verksamhet" in html
