"""People's decisions teach the matcher: learned synonyms and must-not-link names improve the
next run, also for organisations that were not part of the decision."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from mellanrum.commonality import actions, analysis
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Candidate, Concept, Decision, LearnedRule, Membership
from mellanrum.core.models import User
from mellanrum.landscape.models import Activity, Organisation

from .conftest import make


def organisation(code: str, name: str) -> Organisation:
    return Organisation.objects.create(code=code, name=name, kind="municipality",
                                       county_code="98", county_name="Provlän")


def concept_of(activity: Activity) -> Concept:
    return Membership.objects.get(activity=activity, concept__run=analysis.current_run()).concept


def together(a: Activity, b: Activity) -> bool:
    return concept_of(a).pk == concept_of(b).pk


@pytest.fixture
def newcomers(db: None) -> tuple[Organisation, Organisation]:
    """Two organisations that take part in no decision."""
    return organisation("9801", "Gamma kommun"), organisation("9802", "Delta kommun")


def run(alice: User, *codes: str) -> None:
    actions.do_run_analysis(Scope.of(organisations=codes), acting_user=alice)


def test_a_merge_teaches_a_synonym_that_joins_new_organisations(
    alfa: Organisation, beta: Organisation, alice: User,
    newcomers: tuple[Organisation, Organisation],
) -> None:
    larm = make(alfa, "l", "Kvällsöppen fritidsgård")
    trygg = make(beta, "t", "Tonårsträffen")
    gamma = make(newcomers[0], "l", "Kvällsöppen fritidsgård")
    delta = make(newcomers[1], "t", "Tonårsträffen")
    run(alice, "9801", "9802")
    assert not together(gamma, delta)  # the matcher alone keeps them apart
    run(alice, "9901", "9902")
    assert not together(larm, trygg)
    actions.do_record_decision(concept_of(larm), "merge", acting_user=alice,
                               other_concept_ids=[concept_of(trygg).concept_id])
    assert together(larm, trygg)
    rule = LearnedRule.objects.get()
    assert rule.kind == LearnedRule.Kind.SYNONYM
    assert {rule.term_a, rule.term_b} == {"Kvällsöppen fritidsgård", "Tonårsträffen"}
    assert rule.decision.kind == Decision.Kind.MERGE and rule.decision.created_by == alice
    run(alice, "9801", "9802")  # only the newcomers: no pin applies to them
    assert together(gamma, delta)


def test_a_split_teaches_names_that_stay_apart_for_new_organisations(
    alfa: Organisation, beta: Organisation, alice: User,
    newcomers: tuple[Organisation, Organisation],
) -> None:
    whole = make(alfa, "s", "Parkeringstillstånd")
    temporary = make(beta, "t", "Parkeringstillstånd för rörelsehindrade")
    gamma = make(newcomers[0], "s", "Parkeringstillstånd")
    delta = make(newcomers[1], "t", "Parkeringstillstånd för rörelsehindrade")
    run(alice, "9801", "9802")
    assert together(gamma, delta)  # the near-miss the matcher makes alone
    run(alice, "9901", "9902")
    actions.do_record_decision(concept_of(whole), "split", acting_user=alice,
                               activity_ids=[temporary.pk], label="Tillfälligt tillstånd")
    rule = LearnedRule.objects.get()
    assert rule.kind == LearnedRule.Kind.APART
    assert {rule.term_a, rule.term_b} == {"Parkeringstillstånd",
                                          "Parkeringstillstånd för rörelsehindrade"}
    assert analysis.must_not_link() == [(rule.term_a, rule.term_b)]
    run(alice, "9801", "9802")
    assert not together(gamma, delta)


def test_not_the_same_stops_proposing_the_pair_also_for_new_organisations(
    alfa: Organisation, beta: Organisation, alice: User,
    newcomers: tuple[Organisation, Organisation],
) -> None:
    make(alfa, "a", "Fritidskort")
    make(beta, "h", "Fritidspeng")
    make(newcomers[0], "a", "Fritidskort")
    make(newcomers[1], "h", "Fritidspeng")
    run(alice, "9801", "9802")
    assert Candidate.objects.filter(concept__run=analysis.current_run(),
                                    concept__label="Fritidskort",
                                    other__label="Fritidspeng").exists()
    run(alice, "9901", "9902")
    arkiv = Concept.objects.get(run=analysis.current_run(), label="Fritidskort")
    hantering = Concept.objects.get(run=analysis.current_run(), label="Fritidspeng")
    assert Candidate.objects.filter(concept=arkiv, other=hantering).exists()
    actions.do_record_decision(arkiv, "not_same", acting_user=alice,
                               other_concept_ids=[hantering.concept_id])
    current = analysis.current_run()
    assert not Candidate.objects.filter(concept__run=current).exists()
    assert analysis.must_not_link() == [("Fritidskort", "Fritidspeng")]
    # "not the same" pins nothing: the concepts are as the matcher makes them
    assert not Concept.objects.get(run=current, label="Fritidskort").pinned
    run(alice, "9801", "9802")
    assert not Candidate.objects.filter(concept__run=analysis.current_run()).exists()


def test_a_rename_and_a_move_in_teach_synonyms(
    alfa: Organisation, beta: Organisation, alice: User,
) -> None:
    make(alfa, "g", "Gatubelysning")
    moved = make(beta, "f", "Fixa min gata")
    run(alice, "9901", "9902")
    lights = Concept.objects.get(run=analysis.current_run(), label="Gatubelysning")
    actions.do_record_decision(lights, "rename", acting_user=alice, label="Belysning")
    actions.do_record_decision(concept_of(Activity.objects.get(key="g")), "include",
                               acting_user=alice, activity_ids=[moved.pk])
    pairs = {(r.term_a, r.term_b) for r in LearnedRule.objects.all()}
    assert pairs == {("Gatubelysning", "Belysning"), ("Belysning", "Fixa min gata")}
    assert ("Belysning", "Fixa min gata") in analysis.user_synonyms()


def test_a_decision_on_concepts_changed_meanwhile_is_refused(
    alfa: Organisation, beta: Organisation, alice: User,
) -> None:
    larm = make(alfa, "l", "Kvällsöppen fritidsgård")
    trygg = make(beta, "t", "Tonårsträffen")
    run(alice, "9901", "9902")
    seen = analysis.current_run()
    assert seen is not None
    run(alice, "9901", "9902")  # someone else's decision reran the analysis
    with pytest.raises(ValidationError, match="ändrades efter att du öppnade"):
        actions.do_record_decision(concept_of(larm), "merge", acting_user=alice,
                                   other_concept_ids=[concept_of(trygg).concept_id],
                                   seen_run=seen.pk)
    assert not Decision.objects.exists() and not LearnedRule.objects.exists()


def test_a_removed_rule_is_no_longer_used(
    alfa: Organisation, beta: Organisation, alice: User,
    newcomers: tuple[Organisation, Organisation],
) -> None:
    larm = make(alfa, "l", "Kvällsöppen fritidsgård")
    trygg = make(beta, "t", "Tonårsträffen")
    gamma = make(newcomers[0], "l", "Kvällsöppen fritidsgård")
    delta = make(newcomers[1], "t", "Tonårsträffen")
    run(alice, "9901", "9902")
    actions.do_record_decision(concept_of(larm), "merge", acting_user=alice,
                               other_concept_ids=[concept_of(trygg).concept_id])
    actions.do_delete_learned_rule(LearnedRule.objects.get(), acting_user=alice)
    assert analysis.user_synonyms() == []
    run(alice, "9801", "9802")
    assert not together(gamma, delta)
    assert Decision.objects.count() == 1  # the decision itself stays
